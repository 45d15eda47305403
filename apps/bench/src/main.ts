import { ENCRYPTION_TITLES, encryptionFigures, measureEncryption } from './encryption-figure';
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { generateDemo } from '@throughline/demo';
import { API_PROCESSES_TITLE, apiProcessesFigure, measureApiProcesses } from './api-processes-figure';
import { type Backend, postgresBackend, sqliteBackend } from './backends';
import { demoBatches } from './demo-batches';
import { stopLoadGenerators } from './http-load';
import { describeMachine, formatLoad } from './machine';
import { FLOOD_TITLE, floodFigure, measureFlood } from './flood-figure';
import { kafkaFigures } from './kafka-figure';
import { METHOD } from './method';
import { Report } from './report';
import { runOrReport } from './run-backend';
import { measureScale, SCALE_ISSUE, SCALE_TITLE, scaleFigure } from './scale-figure';
import { Scratch } from './scratch';

/*
 * `npm run bench`: measures the figures the issues ask for, prints them with the machine they were
 * measured on, and writes the same to docs/benchmarks.md. Each figure lives in its own module.
 * `npm run bench -- --only 9` (figure numbers, comma-separated) measures and prints only those (and
 * whatever shares their run), leaving docs/benchmarks.md as it was, since a partial run would
 * overwrite the other figures.
 */

const COMMAND = 'npm run bench';
const SEED = 1;
/** The PostgreSQL server to create the run's database on; trust auth on localhost by default. */
const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The repository root, found from the compiled file so the bench can be started from anywhere. */
function repoRoot(from = __dirname): string {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'docs'))) return dir;
  }
  throw new Error(`no repository root above ${from}`);
}

/** The figures asked for with `--only`, or undefined for all of them. */
function onlyFigures(args: readonly string[]): ReadonlySet<string> | undefined {
  const at = args.indexOf('--only');
  if (at === -1) return undefined;
  const keys = (args[at + 1] ?? '').split(',').filter((key) => key.trim() !== '');
  if (keys.length === 0) throw new Error('--only takes figure numbers, e.g. --only 9 or --only 1,3');
  return new Set(keys.map((key) => key.trim()));
}

async function main(): Promise<void> {
  const only = onlyFigures(process.argv.slice(2));
  const wanted = (...keys: string[]): boolean => !only || keys.some((key) => only.has(key));
  const args = process.argv.slice(2);
  const report = new Report(args.length > 0 ? `${COMMAND} -- ${args.join(' ')}` : COMMAND, describeMachine());
  report.printHeader();
  const scratch = new Scratch();
  // Interrupted: stop the load, close what is open, remove what was created, then leave without
  // writing the document, since its figures would be partial.
  let interrupted = false;
  const stop = (signal: NodeJS.Signals): void => {
    interrupted = true;
    process.stderr.write(
      `\n${signal}: stopping and removing what the run created; docs/benchmarks.md is left as it was\n`,
    );
    void stopLoadGenerators()
      .then(() => scratch.dispose())
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const started = performance.now();
  try {
    const { publications } = generateDemo({ seed: SEED });
    const batches = demoBatches(publications);
    const subjects = publications.filter((p) => p.event.type === 'iom.subject.registered.v1').length;
    report.note(
      `demo partnership seed ${SEED}: ${publications.length} events about ${subjects} subjects, sent as ${batches.length} batches`,
    );
    const openSqlite = (): Promise<Backend> => sqliteBackend(scratch);
    const openPostgres = (): Promise<Backend> => postgresBackend(scratch, POSTGRES_ADMIN_URL);
    const sqliteHttp = wanted('1', '2', '3', '6', '7')
      ? await runOrReport(report, scratch, openSqlite, 'SQLite', batches, {
          ingest: '1',
          rebuild: '2',
          reads: '3',
          audit: '6',
        })
      : undefined;
    if (wanted('9')) {
      report.step('SQLite: one credential floods one subject while it is read and the health check is timed');
      report.add(
        await measureFlood(scratch, await openSqlite()).then(
          (run) => floodFigure('9', run),
          (error: unknown) => ({
            kind: 'failed' as const,
            key: '9',
            title: FLOOD_TITLE,
            issue: 'hardening',
            error: error instanceof Error ? error.message : String(error),
          }),
        ),
      );
    }
    if (wanted('10')) {
      report.step('SQLite: the same bench at the demo size and at ten times it');
      report.add(
        await measureScale(scratch, SEED, (text) => report.step(`SQLite, ${text}`)).then(
          (run) => scaleFigure('10', run),
          (error: unknown) => ({
            kind: 'failed' as const,
            key: '10',
            title: SCALE_TITLE,
            issue: SCALE_ISSUE,
            error: error instanceof Error ? error.message : String(error),
          }),
        ),
      );
    }
    const postgresHttp = wanted('4', '5', '8')
      ? await runOrReport(report, scratch, openPostgres, 'PostgreSQL', batches, {
          ingest: '4',
          rebuild: '5',
        })
      : undefined;
    if (wanted('11')) {
      report.step('PostgreSQL: HTTP batch ingestion through two API processes and through one');
      report.add(
        await measureApiProcesses(scratch, await openPostgres(), batches, (text) =>
          report.step(`PostgreSQL: ${text}`),
        ).then(
          (run) => apiProcessesFigure('11', run),
          (error: unknown) => ({
            kind: 'failed' as const,
            key: '11',
            title: API_PROCESSES_TITLE,
            issue: 'scale-out',
            error: error instanceof Error ? error.message : String(error),
          }),
        ),
      );
    }
    if (wanted('12', '13')) {
      report.step('SQLite: the same ingestion and rebuild with encryption at rest on and off');
      const measured = await measureEncryption(scratch, batches, (text) =>
        report.step(`SQLite, ${text}`),
      ).then(
        (run) => encryptionFigures('12', '13', run),
        (error: unknown) =>
          (['12', '13'] as const).map((key) => ({
            kind: 'failed' as const,
            key,
            title: key === '12' ? ENCRYPTION_TITLES.ingest : ENCRYPTION_TITLES.rebuild,
            issue: 'crypto-shredding',
            error: error instanceof Error ? error.message : String(error),
          })),
      );
      for (const outcome of measured) report.add(outcome);
    }
    // Last, so that the broker's JVM does not share the machine with the other figures.
    if (wanted('7', '8'))
      await kafkaFigures(report, scratch, join(repoRoot(), 'infra', 'kafka', 'kafka.sh'), publications, [
        { key: '7', name: 'SQLite', open: openSqlite, httpKey: '1', http: sqliteHttp },
        { key: '8', name: 'PostgreSQL', open: openPostgres, httpKey: '4', http: postgresHttp },
      ]);
  } finally {
    for (const leftover of await scratch.dispose()) report.note(`clean-up failed: ${leftover}`);
  }
  if (interrupted) return;
  if (only) {
    process.stdout.write(
      `only figures ${[...only].join(', ')} were measured: docs/benchmarks.md is left as it was\n`,
    );
    if (report.outcomes.some((o) => o.kind === 'failed')) process.exitCode = 1;
    return;
  }
  report.note(
    `whole run ${((performance.now() - started) / 1000).toFixed(0)} s; load average at end ${formatLoad(loadavg())}`,
  );
  writeFileSync(join(repoRoot(), 'docs', 'benchmarks.md'), report.markdown(METHOD));
  process.stdout.write('wrote docs/benchmarks.md\n');
  if (report.outcomes.some((o) => o.kind === 'failed')) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

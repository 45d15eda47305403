import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { generateDemo } from '@throughline/demo';
import { type Backend, postgresBackend, sqliteBackend } from './backends';
import { demoBatches } from './demo-batches';
import { stopLoadGenerators } from './http-load';
import { describeMachine, formatLoad } from './machine';
import { kafkaFigures } from './kafka-figure';
import { METHOD } from './method';
import { Report } from './report';
import { runOrReport } from './run-backend';
import { Scratch } from './scratch';

/*
 * `npm run bench`: measures the figures the issues ask for, prints them with the machine they were
 * measured on, and writes the same to docs/benchmarks.md. Each figure lives in its own module.
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

async function main(): Promise<void> {
  const report = new Report(COMMAND, describeMachine());
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
    const sqliteHttp = await runOrReport(report, scratch, openSqlite, 'SQLite', batches, {
      ingest: '1',
      rebuild: '2',
      reads: '3',
      audit: '6',
    });
    const postgresHttp = await runOrReport(report, scratch, openPostgres, 'PostgreSQL', batches, {
      ingest: '4',
      rebuild: '5',
    });
    // Last, so that the broker's JVM does not share the machine with the other figures.
    await kafkaFigures(report, scratch, join(repoRoot(), 'infra', 'kafka', 'kafka.sh'), publications, [
      { key: '7', name: 'SQLite', open: openSqlite, httpKey: '1', http: sqliteHttp },
      { key: '8', name: 'PostgreSQL', open: openPostgres, httpKey: '4', http: postgresHttp },
    ]);
  } finally {
    for (const leftover of await scratch.dispose()) report.note(`clean-up failed: ${leftover}`);
  }
  if (interrupted) return;
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

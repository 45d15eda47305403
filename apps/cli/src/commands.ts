import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import {
  AuditService,
  CSV_HEADER,
  parseSubjectSearch,
  SubjectAccessService,
  SubjectSearchService,
  ensureAuditSigningKey,
  toCsvLine,
  verifyReceiptFile,
} from '@throughline/audit';
import { TokenService } from '@throughline/auth';
import { isPartnershipId } from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { DataDirLock, loadConfig, type ThroughlineConfig } from '@throughline/platform';
import { ProjectionRunner, ReadModelStore, rebuildProjection } from '@throughline/projections';
import { AgreementService, InvalidAgreementError } from '@throughline/sharing';
import { flag, type ParsedArgs } from './args';
import { CliModule } from './cli.module';

async function withContext<T>(
  config: ThroughlineConfig,
  run: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), {
    logger: ['error', 'warn'],
  });
  try {
    return await run(app);
  } finally {
    await app.close();
  }
}

/**
 * Demo and rebuild write the log and the read models wholesale, so on SQLite they take the data
 * directory like a server does and are refused while one runs. The other commands read, or append
 * in one transaction of their own (an agreement, a subject access disclosure) beside a server.
 */
async function withDataDir<T>(config: ThroughlineConfig, command: string, run: () => Promise<T>): Promise<T> {
  const lock = DataDirLock.forEmbedded(config, command);
  try {
    return await run();
  } finally {
    lock?.release();
  }
}

export async function tokenCommand(args: ParsedArgs): Promise<void> {
  const agency = flag(args, 'agency');
  if (!agency)
    throw new Error('token needs --agency (police, probation, prison, health, housing, voluntary, ...)');
  const system = flag(args, 'system') === 'true';
  const ttl = flag(args, 'ttl');
  const token = await new TokenService(loadConfig()).mint({
    agency,
    system,
    sources: args.flags.get('source') ?? [],
    ...(flag(args, 'role') ? { role: flag(args, 'role') } : {}),
    ...(flag(args, 'user') ? { user: flag(args, 'user') } : {}),
    ...(ttl ? { ttlSeconds: Number(ttl) } : {}),
  });
  process.stdout.write(`${token}\n`);
}

export async function demoCommand(args: ParsedArgs): Promise<void> {
  const seed = Number(flag(args, 'seed') ?? '1');
  const { loadDemoPartnership } = await import('@throughline/demo');
  const config = loadConfig();
  await withDataDir(config, 'demo', () =>
    withContext(config, async (app) => {
      const started = Date.now();
      const loaded = await loadDemoPartnership(app, { seed });
      const runner = app.get(ProjectionRunner);
      await runner.start();
      await runner.caughtUp();
      console.log(
        `Demo partnership (seed ${seed}): ${loaded.subjects} subjects, ${loaded.stored} events stored, ${loaded.duplicates} already present, ${Date.now() - started} ms`,
      );
    }),
  );
}

export async function rebuildCommand(args: ParsedArgs): Promise<void> {
  const config = loadConfig();
  await withDataDir(config, 'rebuild', () =>
    withContext(config, async (app) => {
      const runner = app.get(ProjectionRunner);
      const names = args.positional.length > 0 ? args.positional : runner.names;
      for (const name of names) {
        const projection = runner.projection(name);
        if (!projection) throw new Error(`Unknown projection "${name}" (known: ${runner.names.join(', ')})`);
        const bar = new SingleBar({
          format: `${name} [{bar}] {percentage}% | {value}/{total} | {eta}s left`,
          hideCursor: true,
        });
        const head = await app.get(EventStore).headPosition();
        bar.start(Math.max(head, 1), 0);
        const started = Date.now();
        const done = await runner.holdingLease(name, (token) =>
          rebuildProjection(
            app.get(EventStore),
            app.get(ReadModelStore),
            projection,
            (progress) => bar.update(progress.position),
            { token },
          ),
        );
        bar.update(Math.max(head, 1));
        bar.stop();
        const seconds = (Date.now() - started) / 1000;
        console.log(`${name}: ${done.events} events to position ${done.position} in ${seconds.toFixed(2)} s`);
        const held = await app.get(ReadModelStore).quarantined(name);
        if (held.length > 0)
          console.log(
            `${name}: ${held.length} still quarantined (their fold throws): ${held.map((record) => record.key).join(', ')}`,
          );
      }
    }),
  );
}

export async function agreementCommand(args: ParsedArgs): Promise<void> {
  const [action, file] = args.positional;
  if (action !== 'load' || !file) throw new Error('usage: throughline agreement load FILE');
  const text = readFileSync(file, 'utf8');
  await withContext(loadConfig(), async (app) => {
    try {
      const loaded = await app.get(AgreementService).load(text, flag(args, 'by') ?? 'cli', file);
      console.log(
        `Agreement ${loaded.version} loaded at log position ${loaded.position}; views are recomputed by the projections.`,
      );
    } catch (error) {
      if (!(error instanceof InvalidAgreementError)) throw error;
      for (const problem of error.problems) console.error(`${file}:${problem.line}: ${problem.reason}`);
      throw new Error(`The agreement was not loaded (${error.problems.length} problem(s)); nothing changed.`);
    }
  });
}

export async function auditCommand(args: ParsedArgs): Promise<void> {
  const [action, file] = args.positional;
  if (action === 'verify-receipt') {
    // A third party's check: no configuration, no DATA_DIR, no server.
    const publicKey = flag(args, 'public-key');
    if (!file || !publicKey)
      throw new Error('usage: throughline audit verify-receipt FILE --public-key FILE');
    const verdict = verifyReceiptFile(file, publicKey);
    console.log(JSON.stringify(verdict, null, 2));
    if (!verdict.ok) throw new Error(`The receipt does not verify: ${verdict.problem}`);
    return;
  }
  if (action === 'key') {
    if (!file) throw new Error('usage: throughline audit key FILE');
    const key = ensureAuditSigningKey(file);
    console.error(`${key.created ? 'Created' : 'Kept'} audit signing key ${key.keyId} at ${file}`);
    process.stdout.write(key.publicKeyPem);
    return;
  }
  await withContext(loadConfig(), async (app) => {
    const audit = app.get(AuditService);
    if (action === 'verify') {
      const started = Date.now();
      const result = await audit.verify();
      console.log(JSON.stringify({ ...result, seconds: (Date.now() - started) / 1000 }, null, 2));
      for (const witness of result.witnesses)
        if (witness.status === 'behind' || witness.status === 'unreachable')
          console.error(`Witness ${witness.status}: ${witness.witness}: ${witness.detail}`);
      if (!result.ok)
        throw new Error(
          `The audit log failed verification at entry ${result.firstFault?.seq}: ${result.firstFault?.detail}`,
        );
      return;
    }
    if (action === 'export') {
      const format = flag(args, 'format') ?? 'json';
      if (format !== 'csv' && format !== 'json') throw new Error('--format must be csv or json');
      const out = flag(args, 'out');
      const sink = out ? createWriteStream(out) : process.stdout;
      sink.write(
        format === 'csv'
          ? CSV_HEADER
          : `{"publicKey":${JSON.stringify(audit.currentKey?.publicKeyPem ?? null)},"publicKeys":${JSON.stringify(audit.publicKeys.map((key) => ({ keyId: key.keyId, publicKey: key.publicKeyPem })))},"records":[`,
      );
      let first = true;
      for await (const page of audit.store.scan()) {
        for (const record of page) {
          sink.write(format === 'csv' ? toCsvLine(record) : `${first ? '' : ','}${JSON.stringify(record)}`);
          first = false;
        }
      }
      if (format === 'json')
        sink.write(`],"checkpoints":${JSON.stringify(await audit.store.checkpoints())}}\n`);
      if (out)
        await new Promise<void>((resolve, reject) =>
          (sink as ReturnType<typeof createWriteStream>).end((error?: Error | null) =>
            error ? reject(error) : resolve(),
          ),
        );
      return;
    }
    throw new Error(
      'usage: throughline audit verify | audit export [--format csv|json] [--out FILE] | audit verify-receipt FILE --public-key FILE | audit key FILE',
    );
  });
}

export async function sarCommand(args: ParsedArgs): Promise<void> {
  const [reference] = args.positional;
  if (!reference) throw new Error('usage: throughline sar SUBJECT_ID|SCHEME:VALUE [--out FILE]');
  await withContext(loadConfig(), async (app) => {
    // The export, and a search to find the person, are each a disclosure made by the operator.
    const requester = {
      principal: {
        kind: 'person',
        user: flag(args, 'by') ?? process.env.USER ?? 'cli',
        agency: flag(args, 'agency') ?? 'partnership',
        role: 'ig-lead',
      },
      requestId: null,
    };
    let subjectId = reference.toLowerCase();
    if (!isPartnershipId(reference)) {
      const search = parseSubjectSearch({ identifier: reference }, requester.principal.agency);
      if (!search.ok) throw new Error(search.reason);
      const { found } = await app
        .get(SubjectSearchService)
        .search(search.search, 'subject-access', requester);
      if (!found[0]) throw new Error(`No subject known by ${reference}`);
      subjectId = found[0].subjectId;
    }
    const done = await app.get(SubjectAccessService).export(subjectId, requester);
    if (!done) throw new Error(`No subject ${reference}`);
    const { exported } = done;
    const text = `${JSON.stringify(exported, null, 2)}\n`;
    const out = flag(args, 'out');
    if (out) writeFileSync(out, text);
    else process.stdout.write(text);
  });
}

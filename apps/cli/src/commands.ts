import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createWriteStream, existsSync, readFileSync, type WriteStream, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
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
import { embeddedSigningKeyFile, TokenService } from '@throughline/auth';
import { isPartnershipId } from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { DataDirLock, loadConfig, type ThroughlineConfig } from '@throughline/platform';
import { ProjectionRunner, ReadModelStore, rebuildProjection } from '@throughline/projections';
import {
  type Agreement,
  AgreementService,
  InvalidAgreementError,
  isPartnershipAgency,
  partnershipAgencies,
  personRoles,
} from '@throughline/sharing';
import type { DemoLoadProgress } from '@throughline/demo';
import { CliModule } from './cli.module';
import type { AuditExportOptions, SarOptions, TokenOptions } from './program';

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

/** Where an embedded-mode command's keys live, as an operator reads it in a message. */
const dataDirNamed = (config: ThroughlineConfig): string =>
  process.env.DATA_DIR?.trim()
    ? `DATA_DIR ${config.dataDir}`
    : `DATA_DIR unset, so ./data under the current directory: ${config.dataDir}`;

export async function tokenCommand(options: TokenOptions): Promise<void> {
  const config = loadConfig();
  if (config.jwt.jwksUrl)
    throw new Error('Tokens are issued by the identity provider when JWT_JWKS_URL is set; token mints none.');
  if (options.source.length > 0 && !options.system)
    throw new Error('--source binds a system token: add --system, or leave --source out for a person.');
  const keyFile = embeddedSigningKeyFile(config);
  const keyExists = existsSync(keyFile);
  // A key made here would sign tokens that a server on another DATA_DIR refuses with 401.
  if (!keyExists && !options.createKey)
    throw new Error(
      `No token signing key at ${keyFile} (${dataDirNamed(config)}). ` +
        'token signs with the key the server makes as it starts: start it first (npm start), or set DATA_DIR ' +
        "to the server's data directory. To make a key here before a first start, add --create-key.",
    );
  const agreement = await withContext(config, (app) => app.get(AgreementService).current());
  checkAgency(agreement, options.agency);
  if (options.role !== undefined && !personRoles(agreement).includes(options.role))
    throw new Error(
      `Unknown role "${options.role}": a person's token takes one of ${personRoles(agreement).join(', ')} ` +
        `(the platform's roles and those agreement ${agreement?.version ?? '(none loaded)'} names).`,
    );
  const token = await new TokenService(config).mint({
    agency: options.agency,
    system: options.system === true,
    sources: options.source,
    ...(options.role !== undefined ? { role: options.role } : {}),
    ...(options.user !== undefined ? { user: options.user } : {}),
    ...(options.ttl !== undefined ? { ttlSeconds: options.ttl } : {}),
  });
  if (!keyExists) console.error(`Made the token signing key ${keyFile} (${dataDirNamed(config)}).`);
  process.stdout.write(`${token}\n`);
}

/** An agency a token or a record names must be one the agreement in force names. */
function checkAgency(agreement: Agreement | null, agency: string): void {
  if (isPartnershipAgency(agreement, agency)) return;
  throw new Error(
    agreement
      ? `Unknown agency "${agency}": agreement ${agreement.version} names ${partnershipAgencies(agreement).join(', ')}.`
      : `Unknown agency "${agency}": no agreement is in force, so no agency is known yet.`,
  );
}

export async function demoCommand(options: { seed: number }): Promise<void> {
  const { loadDemoPartnership } = await import('@throughline/demo');
  const config = loadConfig();
  await withDataDir(config, 'demo', () =>
    withContext(config, async (app) => {
      const started = Date.now();
      const progress = new DemoProgress();
      let loaded;
      try {
        loaded = await loadDemoPartnership(app, {
          seed: options.seed,
          onProgress: (p) => progress.update(p),
        });
      } finally {
        progress.stop();
      }
      console.error('Demo events stored; bringing the projections up to date...');
      const runner = app.get(ProjectionRunner);
      await runner.start();
      await runner.caughtUp();
      console.log(
        `Demo partnership (seed ${options.seed}): ${loaded.subjects} subjects, ${loaded.stored} events stored, ${loaded.duplicates} already present, ${Date.now() - started} ms`,
      );
    }),
  );
}

/**
 * The demo load's progress on standard error, never in the JSON log: a bar on a terminal, and a
 * line every few seconds otherwise (a pipe, a CI log), each with the rate so far.
 */
class DemoProgress {
  private readonly bar = new SingleBar({
    format: 'demo [{bar}] {percentage}% | {value}/{total} events | {rate} events/s | {eta}s left',
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 2000,
    stream: process.stderr,
  });
  /** The first batch's time and count: the rate counts from there, not from the generator's work. */
  private first?: { readonly at: number; readonly done: number };

  update(progress: DemoLoadProgress): void {
    if (!this.first) {
      this.first = { at: Date.now(), done: progress.done };
      this.bar.start(progress.total, progress.done, { rate: '-' });
      return;
    }
    const seconds = Math.max((Date.now() - this.first.at) / 1000, 0.001);
    this.bar.update(progress.done, { rate: Math.round((progress.done - this.first.done) / seconds) });
  }

  stop(): void {
    if (this.first) this.bar.stop();
  }
}

export async function rebuildCommand(requested: readonly string[]): Promise<void> {
  const config = loadConfig();
  await withDataDir(config, 'rebuild', () =>
    withContext(config, async (app) => {
      const runner = app.get(ProjectionRunner);
      const unknown = requested.filter((name) => !runner.projection(name));
      if (unknown.length > 0)
        throw new Error(
          `Unknown projection ${unknown.map((name) => `"${name}"`).join(', ')} (known: ${runner.names.join(', ')})`,
        );
      for (const name of requested.length > 0 ? requested : runner.names) {
        const projection = runner.projection(name)!;
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

export async function agreementLoadCommand(file: string, options: { by: string }): Promise<void> {
  const text = readFileSync(file, 'utf8');
  await withContext(loadConfig(), async (app) => {
    try {
      const loaded = await app.get(AgreementService).load(text, options.by, file);
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

export async function auditVerifyCommand(): Promise<void> {
  await withContext(loadConfig(), async (app) => {
    const started = Date.now();
    const result = await app.get(AuditService).verify();
    console.log(JSON.stringify({ ...result, seconds: (Date.now() - started) / 1000 }, null, 2));
    for (const witness of result.witnesses)
      if (witness.status === 'behind' || witness.status === 'unreachable')
        console.error(`Witness ${witness.status}: ${witness.witness}: ${witness.detail}`);
    if (!result.ok)
      throw new Error(
        `The audit log failed verification at entry ${result.firstFault?.seq}: ${result.firstFault?.detail}`,
      );
  });
}

/** A third party's check of a receipt: no configuration, no DATA_DIR, no server. */
export function auditVerifyReceiptCommand(file: string, options: { readonly publicKey: string }): void {
  const verdict = verifyReceiptFile(file, options.publicKey);
  console.log(JSON.stringify(verdict, null, 2));
  if (!verdict.ok) throw new Error(`The receipt does not verify: ${verdict.problem}`);
}

/** Makes the server-mode audit signing key at FILE unless one is there, and prints its public key. */
export function auditKeyCommand(file: string): void {
  const key = ensureAuditSigningKey(file);
  console.error(`${key.created ? 'Created' : 'Kept'} audit signing key ${key.keyId} at ${file}`);
  process.stdout.write(key.publicKeyPem);
}

export async function auditExportCommand(options: AuditExportOptions): Promise<void> {
  const { format, out } = options;
  await withContext(loadConfig(), async (app) => {
    const audit = app.get(AuditService);
    const sink = out ? createWriteStream(out) : process.stdout;
    sink.write(
      format === 'csv'
        ? CSV_HEADER
        : `{"publicKey":${JSON.stringify(audit.currentKey?.publicKeyPem ?? null)},"publicKeys":${JSON.stringify(audit.publicKeys.map((key) => ({ keyId: key.keyId, publicKey: key.publicKeyPem })))},"records":[`,
    );
    let records = 0;
    for await (const page of audit.store.scan()) {
      for (const record of page) {
        sink.write(
          format === 'csv' ? toCsvLine(record) : `${records === 0 ? '' : ','}${JSON.stringify(record)}`,
        );
        records += 1;
      }
    }
    const checkpoints = format === 'json' ? await audit.store.checkpoints() : [];
    if (format === 'json') sink.write(`],"checkpoints":${JSON.stringify(checkpoints)}}\n`);
    if (!out) return;
    await new Promise<void>((resolve, reject) =>
      (sink as WriteStream).end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    // Standard error, so a caller that reads standard output for the export is not misled.
    console.error(
      `Wrote ${records} audit record(s)${format === 'json' ? ` and ${checkpoints.length} signed checkpoint(s)` : ''} as ${format} to ${resolve(out)}`,
    );
  });
}

export async function sarCommand(reference: string, options: SarOptions): Promise<void> {
  await withContext(loadConfig(), async (app) => {
    checkAgency(await app.get(AgreementService).current(), options.agency);
    // The export, and a search to find the person, are each a disclosure made by the operator.
    const requester = {
      principal: {
        kind: 'person',
        user: options.by ?? process.env.USER ?? 'cli',
        agency: options.agency,
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
    const { exported, disclosureId } = done;
    const text = `${JSON.stringify(exported, null, 2)}\n`;
    if (!options.out) {
      process.stdout.write(text);
      return;
    }
    writeFileSync(options.out, text);
    console.error(
      `Wrote the subject access export for ${exported.subjectId} to ${resolve(options.out)}: ` +
        `${exported.held.length} event(s) held, ${exported.disclosures.length} disclosure record(s); ` +
        `this export is itself recorded as disclosure ${disclosureId}.`,
    );
  });
}

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { createAuditSigningKey } from '@throughline/audit';
import {
  type EventStore,
  openEventStore,
  PostgresEventStore,
  SqliteEventStore,
} from '@throughline/event-store';
import { PostgresReadModelStore, type ReadModelStore, SqliteReadModelStore } from '@throughline/projections';
import type { Scratch } from './scratch';

export interface ApiEnv {
  readonly DATA_DIR: string;
  readonly DATABASE_URL?: string;
  /** Server mode's audit signing key, kept outside DATA_DIR. */
  readonly AUDIT_SIGNING_KEY_FILE?: string;
  /** `off` only for the encryption figure's other side (decision 0026). */
  readonly EVENT_ENCRYPTION?: 'on' | 'off';
}

/**
 * The fair use limits raised out of the way: the throughput figures measure what the API can do,
 * driven by one credential per agency (and one officer for the reads), not what one credential is
 * allowed. The flood figure keeps the defaults, since they are what it measures.
 */
export const CAPACITY_LIMITS = {
  RATE_LIMIT_REQUESTS_PER_SECOND: '1000000000',
  RATE_LIMIT_REQUESTS_BURST: '1000000000',
  RATE_LIMIT_EVENTS_PER_SECOND: '1000000000',
  RATE_LIMIT_EVENTS_BURST: '1000000000',
  SUBJECT_EVENTS_PER_DAY: '1000000000',
} as const;

/**
 * Where a backend keeps the stores the bench opens beside the API, as plain data: the rebuild
 * figure's own process opens them from it too.
 */
export type StoreSite = (
  | { readonly kind: 'sqlite'; readonly dir: string }
  | { readonly kind: 'postgres'; readonly databaseUrl: string }
) & {
  /** Whether the API sealed the log's data (its default); the log is then opened as it would open it. */
  readonly encryption?: boolean;
};

/** Where one half of the run keeps its data: what the API is given, and the stores beside it. */
export interface Backend {
  readonly name: 'SQLite' | 'PostgreSQL';
  /** The environment the API is started with, as a deployment would set it. */
  readonly env: ApiEnv;
  /** Separate empty storage, new at each call, for another API run that must not see earlier events. */
  spareEnv(): Promise<ApiEnv>;
  readonly site: StoreSite;
}

export async function sqliteBackend(scratch: Scratch): Promise<Backend> {
  const dir = await scratch.tempDir('sqlite');
  let spares = 0;
  return {
    name: 'SQLite',
    env: { DATA_DIR: join(dir, 'api') },
    spareEnv: async () => ({ DATA_DIR: join(dir, `spare-${(spares += 1)}`) }),
    site: { kind: 'sqlite', dir },
  };
}

/**
 * The API takes only DATABASE_URL and uses the `public` schema, so the run gets a database of its
 * own (dropped at the end); the raw store and the rebuild's read models use schemas inside it.
 */
export async function postgresBackend(scratch: Scratch, adminUrl: string): Promise<Backend> {
  const databaseUrl = await createDatabase(scratch, adminUrl);
  const dataDir = await scratch.tempDir('postgres');
  // Server mode takes the audit signing key from outside DATA_DIR; DATA_DIR still holds the token key.
  const auditKey = join(await scratch.tempDir('postgres-keys'), 'audit-signing-key.pem');
  createAuditSigningKey(auditKey);
  return {
    name: 'PostgreSQL',
    env: { DATA_DIR: dataDir, DATABASE_URL: databaseUrl, AUDIT_SIGNING_KEY_FILE: auditKey },
    spareEnv: async () => ({
      DATA_DIR: dataDir,
      DATABASE_URL: await createDatabase(scratch, adminUrl),
      AUDIT_SIGNING_KEY_FILE: auditKey,
    }),
    site: { kind: 'postgres', databaseUrl },
  };
}

/** The log the API wrote, opened as the CLI's rebuild would open it: with its keys, unless it has none. */
export const openLog = (site: StoreSite): Promise<EventStore> =>
  site.kind === 'sqlite'
    ? // The directory the API was given as DATA_DIR.
      openEventStore({ dataDir: join(site.dir, 'api'), encryption: site.encryption ?? true })
    : openEventStore({ databaseUrl: site.databaseUrl, dataDir: '', encryption: site.encryption ?? true });

/** An empty store of the same kind, schema and settings, one per round: the raw baseline. */
export const openRawStore = (site: StoreSite, round: number): Promise<EventStore> =>
  site.kind === 'sqlite'
    ? SqliteEventStore.open(join(site.dir, `raw-${round}`, 'events.db'))
    : PostgresEventStore.open({ connectionString: site.databaseUrl, schema: `bench_raw_${round}` });

/** Empty read-model storage for the timed rebuild. */
export const openReadModels = async (site: StoreSite): Promise<ReadModelStore> =>
  site.kind === 'sqlite'
    ? new SqliteReadModelStore(join(site.dir, 'rebuild', 'read-models.db'))
    : PostgresReadModelStore.open(site.databaseUrl, 'bench_rebuild');

/** A database of the run's own on the admin URL's server, dropped when the run ends. */
async function createDatabase(scratch: Scratch, adminUrl: string): Promise<string> {
  const database = `bench_${randomBytes(6).toString('hex')}`;
  // FORCE ends connections a failed figure may have left open (PostgreSQL 13+).
  scratch.defer(`drop database ${database}`, () =>
    adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
  );
  await adminQuery(adminUrl, `CREATE DATABASE ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { type EventStore, PostgresEventStore, SqliteEventStore } from '@throughline/event-store';
import { PostgresReadModelStore, type ReadModelStore, SqliteReadModelStore } from '@throughline/projections';
import type { Scratch } from './scratch';

export interface ApiEnv {
  readonly DATA_DIR: string;
  readonly DATABASE_URL?: string;
}

/** Where one half of the run keeps its data: what the API is given, and the stores beside it. */
export interface Backend {
  readonly name: 'SQLite' | 'PostgreSQL';
  /** The environment the API is started with, as a deployment would set it. */
  readonly env: ApiEnv;
  /** Separate empty storage for a second API run that must not see the first one's events. */
  spareEnv(): Promise<ApiEnv>;
  /** The log the API wrote, opened as the CLI's rebuild would open it. */
  openLog(): Promise<EventStore>;
  /** An empty store of the same kind, schema and settings: the raw baseline. */
  openRawStore(): Promise<EventStore>;
  /** Empty read-model storage for the timed rebuild. */
  openReadModels(): Promise<ReadModelStore>;
}

export async function sqliteBackend(scratch: Scratch): Promise<Backend> {
  const dir = await scratch.tempDir('sqlite');
  return {
    name: 'SQLite',
    env: { DATA_DIR: join(dir, 'api') },
    spareEnv: async () => ({ DATA_DIR: join(dir, 'spare') }),
    // The file name the API's openEventStore uses under DATA_DIR.
    openLog: () => SqliteEventStore.open(join(dir, 'api', 'events.db')),
    openRawStore: () => SqliteEventStore.open(join(dir, 'raw', 'events.db')),
    openReadModels: async () => new SqliteReadModelStore(join(dir, 'rebuild', 'read-models.db')),
  };
}

/**
 * The API takes only DATABASE_URL and uses the `public` schema, so the run gets a database of its
 * own (dropped at the end); the raw store and the rebuild's read models use schemas inside it.
 */
export async function postgresBackend(scratch: Scratch, adminUrl: string): Promise<Backend> {
  const databaseUrl = await createDatabase(scratch, adminUrl);
  const dataDir = await scratch.tempDir('postgres');
  return {
    name: 'PostgreSQL',
    // DATA_DIR still holds the embedded signing key.
    env: { DATA_DIR: dataDir, DATABASE_URL: databaseUrl },
    spareEnv: async () => ({ DATA_DIR: dataDir, DATABASE_URL: await createDatabase(scratch, adminUrl) }),
    openLog: () => PostgresEventStore.open({ connectionString: databaseUrl }),
    openRawStore: () => PostgresEventStore.open({ connectionString: databaseUrl, schema: 'bench_raw' }),
    openReadModels: () => PostgresReadModelStore.open(databaseUrl, 'bench_rebuild'),
  };
}

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

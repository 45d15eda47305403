import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The test server's admin URL (CI and the README use the `test` database on the local server). */
export const testDatabaseUrl = (): string =>
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function admin(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  readonly name: string;
  /** A connection string for the new database, as DATABASE_URL takes it. */
  readonly url: string;
  /** Drops the database once nothing is connected to it (waiting up to 30 s for connections to go). */
  drop(): Promise<void>;
}

/**
 * A database of its own on the test server, for code that keeps its tables in the default schema
 * (the audit store, and every store as the processes open them from DATABASE_URL).
 */
export async function freshDatabase(prefix: string, adminUrl = testDatabaseUrl()): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    // Without FORCE: forcing would kill connections of a pool a failed open() left behind, and
    // such a pool has no error listener. It lets go of its idle connections after ten seconds.
    drop: async () => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        try {
          await admin(adminUrl, `DROP DATABASE IF EXISTS ${name}`);
          return;
        } catch (error) {
          if ((error as { code?: string }).code !== '55006' || Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    },
  };
}

import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { openEventStore } from './open-event-store';

const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('openEventStore', () => {
  it('opens a SQLite file in the data directory when no server is configured', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'throughline-open-'));
    try {
      const store = await openEventStore({ dataDir });
      await store.close();

      expect(store.backend).toBe('sqlite');
      expect(existsSync(join(dataDir, 'events.db'))).toBe(true);
      // The keys sealing the events' data live apart from the log (decision 0026).
      expect(existsSync(join(dataDir, 'keys.db'))).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('opens the log without a key store when encryption is off', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'throughline-open-'));
    try {
      const store = await openEventStore({ dataDir, encryption: false });
      await store.close();

      expect(existsSync(join(dataDir, 'keys.db'))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('opens PostgreSQL in the configured schema when a database URL is set', async () => {
    const pgSchema = `t_${randomBytes(6).toString('hex')}`;
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const store = await openEventStore({ databaseUrl, pgSchema, dataDir: tmpdir() });
      await store.close();
      const { rows } = await client.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [pgSchema],
      );

      expect(store.backend).toBe('postgres');
      expect(rows.map((row) => row.table_name)).toEqual([
        'data_keys',
        'events',
        'identifier_forms',
        'identifiers',
        'resealed_data',
        'streams',
        'subject_key_erasures',
        'subject_keys',
      ]);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
      await client.end();
    }
  });
});

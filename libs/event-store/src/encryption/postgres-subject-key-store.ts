import { Pool, type PoolClient } from 'pg';
import { assertSchemaName } from '../postgres/postgres-schema';
import { isSealed, newDataKeys, type SealedData } from './data-cipher';
import { KeyReserve } from './key-reserve';
import type { DataKey, DataKeyScope, Erasures, Resealed, SubjectKeyStore } from './subject-key-store';

export const subjectKeysDdl = (schema: string): string => {
  assertSchemaName(schema);
  return `CREATE SCHEMA IF NOT EXISTS ${schema};
CREATE TABLE IF NOT EXISTS ${schema}.subject_keys (
  key_id TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  agency TEXT NOT NULL,
  category TEXT NOT NULL,
  key BYTEA,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  destroyed_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX IF NOT EXISTS subject_keys_live
  ON ${schema}.subject_keys (subject, agency, category) WHERE destroyed_at IS NULL;
CREATE TABLE IF NOT EXISTS ${schema}.data_keys (
  key_id TEXT PRIMARY KEY,
  key BYTEA NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${schema}.subject_key_erasures (
  mark BIGSERIAL PRIMARY KEY,
  key_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ${schema}.resealed_data (
  event_id TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  sealed TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS resealed_data_keys ON ${schema}.resealed_data (key_id);
`;
};

export interface PostgresSubjectKeyStoreOptions {
  readonly connectionString: string;
  /** The schema of the table `subject_keys`; the event store's own by default. */
  readonly schema?: string;
}

/**
 * The key store of the server mode: the table `subject_keys`, apart from the events table, with the
 * keys made ahead of use in `data_keys`, the destructions numbered in `subject_key_erasures`
 * (decision 0030) and what redactions kept, sealed again, in `resealed_data` (decision 0035).
 */
export class PostgresSubjectKeyStore implements SubjectKeyStore {
  private readonly reserve = new KeyReserve();

  private constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {}

  static async open(options: PostgresSubjectKeyStoreOptions): Promise<PostgresSubjectKeyStore> {
    const schema = options.schema ?? 'public';
    assertSchemaName(schema);
    const pool = new Pool({ connectionString: options.connectionString, max: 4 });
    pool.on('error', () => undefined);
    try {
      // Two processes opening a new schema at once may both run the DDL: the lock serialises them.
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`subject_keys:${schema}`]);
        await client.query(subjectKeysDdl(schema));
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresSubjectKeyStore(pool, schema);
  }

  async getOrCreate(scopes: readonly DataKeyScope[]): Promise<DataKey[]> {
    if (scopes.length === 0) return [];
    const found = await this.live(scopes);
    const missing = [...new Map(scopes.map((scope) => [scopeName(scope), scope])).values()].filter(
      (scope) => !found.has(scopeName(scope)),
    );
    if (missing.length === 0) return scopes.map((scope) => found.get(scopeName(scope))!);
    await this.refill(missing.length);
    const offered = missing.map(() => this.reserve.take());
    const given = await this.transaction(
      // The keys given are durable already (the reserve); the giving need not wait for the disk: the
      // events' own commit, later in the same write-ahead log, flushes it, and erasure also finds a
      // key by the events sealed under it.
      'BEGIN; SET LOCAL synchronous_commit TO OFF',
      async (client) => {
        // The partial unique index settles a race: the loser's row is not written, and both read the winner's.
        const { rows } = await client.query<{ key_id: string }>(
          `INSERT INTO ${this.schema}.subject_keys (key_id, subject, agency, category)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
           ON CONFLICT DO NOTHING
           RETURNING key_id`,
          [
            offered.map((key) => key.id),
            missing.map((scope) => scope.subject),
            missing.map((scope) => scope.agency),
            missing.map((scope) => scope.category),
          ],
        );
        return new Set(rows.map((row) => row.key_id));
      },
    ).catch((error: unknown) => {
      // Rolled back: none of them was given.
      for (const key of offered) this.reserve.putBack(key);
      throw error;
    });
    for (const key of offered) if (!given.has(key.id)) this.reserve.putBack(key);
    const made = await this.live(scopes);
    return scopes.map((scope) => made.get(scopeName(scope))!);
  }

  private async live(scopes: readonly DataKeyScope[]): Promise<Map<string, DataKey>> {
    const { rows } = await this.pool.query<{
      subject: string;
      agency: string;
      category: string;
      key_id: string;
      key: Buffer;
    }>(
      `SELECT k.subject, k.agency, k.category, k.key_id, coalesce(k.key, d.key) AS key
       FROM ${this.schema}.subject_keys k
       LEFT JOIN ${this.schema}.data_keys d ON d.key_id = k.key_id
       JOIN unnest($1::text[], $2::text[], $3::text[]) AS s (subject, agency, category)
         ON k.subject = s.subject AND k.agency = s.agency AND k.category = s.category
       WHERE k.destroyed_at IS NULL`,
      [scopes.map((s) => s.subject), scopes.map((s) => s.agency), scopes.map((s) => s.category)],
    );
    return new Map(rows.map((row) => [scopeName(row), { id: row.key_id, key: row.key }]));
  }

  /** Makes keys ahead of use, in one commit (durable), when the reserve holds fewer than `needed`. */
  private async refill(needed: number): Promise<void> {
    const count = this.reserve.toMake(needed);
    if (count === 0) return;
    const made = newDataKeys(count);
    await this.pool.query(
      `INSERT INTO ${this.schema}.data_keys (key_id, key)
       SELECT * FROM unnest($1::text[], $2::bytea[])`,
      [made.map((key) => key.id), made.map((key) => key.key)],
    );
    this.reserve.add(made);
  }

  async getMany(ids: readonly string[]): Promise<Map<string, Buffer>> {
    if (ids.length === 0) return new Map<string, Buffer>();
    const { rows } = await this.pool.query<{ key_id: string; key: Buffer }>(
      `SELECT key_id, key FROM ${this.schema}.subject_keys WHERE key_id = ANY($1::text[]) AND key IS NOT NULL
       UNION ALL
       SELECT key_id, key FROM ${this.schema}.data_keys WHERE key_id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.key_id, row.key]));
  }

  async destroy(
    subject: string,
    agency: string,
    categories?: readonly string[],
    alsoIds: readonly string[] = [],
  ): Promise<string[]> {
    return this.transaction('BEGIN', async (client) => {
      const { rows } = await client.query<{ key_id: string }>(
        `UPDATE ${this.schema}.subject_keys SET key = NULL, destroyed_at = now()
         WHERE destroyed_at IS NULL
           AND subject = $1 AND agency = $2 AND ($3::text[] IS NULL OR category = ANY($3::text[]))
         RETURNING key_id`,
        [subject, agency, categories ?? null],
      );
      return this.destroyKeys(
        client,
        alsoIds,
        rows.map((row) => row.key_id),
      );
    });
  }

  async redact(ids: readonly string[], reseal: (key: DataKey) => readonly Resealed[]): Promise<string[]> {
    await this.refill(1);
    const key = this.reserve.take();
    let written = false;
    try {
      const kept = reseal(key);
      const destroyed = await this.transaction('BEGIN', async (client) => {
        const destroyed = await this.destroyKeys(client, ids);
        if (kept.length > 0) {
          await client.query(
            `INSERT INTO ${this.schema}.resealed_data (event_id, key_id, sealed)
             SELECT e, $2, s FROM unnest($1::text[], $3::text[]) AS k (e, s)
             ON CONFLICT (event_id) DO UPDATE SET key_id = excluded.key_id, sealed = excluded.sealed`,
            [kept.map((one) => one.eventId), key.id, kept.map((one) => JSON.stringify(one.sealed))],
          );
        }
        return destroyed;
      });
      written = kept.length > 0;
      return destroyed;
    } finally {
      // Not used (nothing kept, or the commit failed): offered again.
      if (!written) this.reserve.putBack(key);
    }
  }

  async resealedOf(eventIds: readonly string[]): Promise<Map<string, SealedData>> {
    const found = new Map<string, SealedData>();
    if (eventIds.length === 0) return found;
    const { rows } = await this.pool.query<{ event_id: string; sealed: string }>(
      `SELECT event_id, sealed FROM ${this.schema}.resealed_data WHERE event_id = ANY($1::text[])`,
      [eventIds],
    );
    for (const row of rows) {
      const sealed = JSON.parse(row.sealed) as unknown;
      if (isSealed(sealed)) found.set(row.event_id, sealed);
    }
    return found;
  }

  /**
   * Inside a transaction: destroys these keys, and those whose scope rows were just marked destroyed
   * (the row naming a scope keeps no bytes; the bytes made ahead go), and what redactions kept
   * under them, and numbers each destruction. A key named by the events but never given to a scope
   * (a crash lost the giving) goes too.
   */
  private async destroyKeys(
    client: PoolClient,
    candidates: readonly string[],
    unlinkedAlready: readonly string[] = [],
  ): Promise<string[]> {
    // Destructions are numbered in the order they commit, so a reader's mark never skips one.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`subject_key_erasures:${this.schema}`]);
    const { rows } = await client.query<{ key_id: string }>(
      `WITH unlinked AS (
         UPDATE ${this.schema}.subject_keys SET key = NULL, destroyed_at = now()
         WHERE destroyed_at IS NULL AND key_id = ANY($1::text[])
         RETURNING key_id),
       deleted AS (
         DELETE FROM ${this.schema}.data_keys
         WHERE key_id = ANY($1::text[]) OR key_id = ANY($2::text[]) RETURNING key_id),
       ids AS (
         SELECT key_id FROM unlinked UNION SELECT key_id FROM deleted
         UNION SELECT unnest($2::text[]) AS key_id),
       unkept AS (
         DELETE FROM ${this.schema}.resealed_data WHERE key_id IN (SELECT key_id FROM ids))
       INSERT INTO ${this.schema}.subject_key_erasures (key_id) SELECT key_id FROM ids RETURNING key_id`,
      [candidates, unlinkedAlready],
    );
    return rows.map((row) => row.key_id);
  }

  async erasedSince(mark: number | undefined): Promise<Erasures> {
    if (mark === undefined) {
      const { rows } = await this.pool.query<{ mark: string | null }>(
        `SELECT MAX(mark) AS mark FROM ${this.schema}.subject_key_erasures`,
      );
      return { mark: Number(rows[0]?.mark ?? 0), ids: [] };
    }
    const { rows } = await this.pool.query<{ mark: string; key_id: string }>(
      `SELECT mark, key_id FROM ${this.schema}.subject_key_erasures WHERE mark > $1 ORDER BY mark`,
      [mark],
    );
    if (rows.length === 0) return { mark, ids: [] };
    return { mark: Number(rows[rows.length - 1]!.mark), ids: rows.map((row) => row.key_id) };
  }

  private async transaction<T>(begin: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query(begin);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    // What this process made and did not give out is of no use to any other.
    const unused = this.reserve.drain();
    if (unused.length > 0) {
      await this.pool
        .query(`DELETE FROM ${this.schema}.data_keys WHERE key_id = ANY($1::text[])`, [
          unused.map((key) => key.id),
        ])
        .catch(() => undefined);
    }
    await this.pool.end();
  }
}

const scopeName = (scope: DataKeyScope): string =>
  `${scope.subject}\u0000${scope.agency}\u0000${scope.category}`;

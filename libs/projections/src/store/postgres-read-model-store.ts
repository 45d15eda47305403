import { Pool, type PoolClient } from 'pg';
import { type Fence, type ProjectionLease, StaleProjectionWriteError } from './lease';
import { fromRow, type QuarantineRow } from './quarantine-row';
import { type QuarantineChanges, type Quarantined, ReadModelStore } from './read-model-store';

const quoteIdent = (name: string): string => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Invalid schema name "${name}"`);
  return `"${name}"`;
};

/** A lease row; PostgreSQL gives BIGINT back as a string. */
interface LeaseRow {
  readonly projection: string;
  readonly owner: string;
  readonly token: string;
  readonly expires_at: string;
}

const leaseOf = (row: LeaseRow): ProjectionLease => ({
  projection: row.projection,
  owner: row.owner,
  token: Number(row.token),
  expiresAt: Number(row.expires_at),
});

/** Read models in PostgreSQL (server mode), beside the event log when it is there too. */
export class PostgresReadModelStore extends ReadModelStore {
  private constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {
    super();
  }

  static async open(connectionString: string, schema = 'public'): Promise<PostgresReadModelStore> {
    // Commits do not wait for the WAL flush (see SqliteReadModelStore): a server crash loses only
    // the last commits whole, which the projections fold again from the log.
    const pool = new Pool({ connectionString, max: 8, options: '-c synchronous_commit=off' });
    pool.on('error', () => undefined);
    const s = quoteIdent(schema);
    const client = await pool.connect();
    try {
      // Processes starting together must not race on CREATE TABLE IF NOT EXISTS.
      await client.query('SELECT pg_advisory_lock(7412095)');
      await client.query(`
      CREATE SCHEMA IF NOT EXISTS ${s};
      CREATE TABLE IF NOT EXISTS ${s}.read_model_documents (
        projection TEXT NOT NULL, key TEXT NOT NULL, doc JSONB NOT NULL, PRIMARY KEY (projection, key)
      );
      ALTER TABLE ${s}.read_model_documents ADD COLUMN IF NOT EXISTS version BIGINT NOT NULL DEFAULT 0;
      CREATE TABLE IF NOT EXISTS ${s}.projection_checkpoints (
        projection TEXT PRIMARY KEY, position BIGINT NOT NULL, updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS ${s}.projection_quarantine (
        projection TEXT NOT NULL, key TEXT NOT NULL, event_id TEXT NOT NULL, position BIGINT NOT NULL,
        type TEXT NOT NULL, error TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (projection, key)
      );
      CREATE TABLE IF NOT EXISTS ${s}.projection_leases (
        projection TEXT PRIMARY KEY, owner TEXT NOT NULL, token BIGINT NOT NULL, expires_at BIGINT NOT NULL
      );`);
      await client.query('SELECT pg_advisory_unlock(7412095)');
    } catch (error) {
      client.release();
      await pool.end();
      throw error;
    }
    client.release();
    return new PostgresReadModelStore(pool, s);
  }

  async checkpoint(projection: string): Promise<number> {
    const { rows } = await this.pool.query<{ position: string }>(
      `SELECT position FROM ${this.schema}.projection_checkpoints WHERE projection = $1`,
      [projection],
    );
    return rows[0] ? Number(rows[0].position) : 0;
  }

  async get<T>(projection: string, key: string): Promise<T | undefined> {
    const { rows } = await this.pool.query<{ doc: T }>(
      `SELECT doc FROM ${this.schema}.read_model_documents WHERE projection = $1 AND key = $2`,
      [projection, key],
    );
    return rows[0]?.doc;
  }

  async getMany<T>(projection: string, keys: readonly string[]): Promise<Map<string, T>> {
    if (keys.length === 0) return new Map();
    const { rows } = await this.pool.query<{ key: string; doc: T }>(
      `SELECT key, doc FROM ${this.schema}.read_model_documents WHERE projection = $1 AND key = ANY($2::text[])`,
      [projection, keys],
    );
    return new Map(rows.map((row) => [row.key, row.doc]));
  }

  async list<T>(projection: string, keyPrefix = ''): Promise<T[]> {
    const { rows } = await this.pool.query<{ doc: T }>(
      `SELECT doc FROM ${this.schema}.read_model_documents WHERE projection = $1 AND key >= $2 AND key < $3 ORDER BY key`,
      [projection, keyPrefix, `${keyPrefix}\uffff`],
    );
    return rows.map((row) => row.doc);
  }

  async entries<T>(projection: string): Promise<[string, T][]> {
    const { rows } = await this.pool.query<{ key: string; doc: T }>(
      `SELECT key, doc FROM ${this.schema}.read_model_documents WHERE projection = $1 ORDER BY key`,
      [projection],
    );
    return rows.map((row) => [row.key, row.doc]);
  }

  async versions(projection: string, key?: string): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ key: string; version: string }>(
      `SELECT key, version FROM ${this.schema}.read_model_documents WHERE projection = $1${key === undefined ? '' : ' AND key = $2'}`,
      key === undefined ? [projection] : [projection, key],
    );
    return new Map(rows.map((row) => [row.key, Number(row.version)]));
  }

  async quarantined(projection: string, key?: string): Promise<Quarantined[]> {
    const { rows } = await this.pool.query<QuarantineRow>(
      `SELECT key, event_id, position, type, error, at FROM ${this.schema}.projection_quarantine
       WHERE projection = $1${key === undefined ? '' : ' AND key = $2'} ORDER BY key`,
      key === undefined ? [projection] : [projection, key],
    );
    return rows.map(fromRow);
  }

  async commit(
    projection: string,
    changes: ReadonlyMap<string, unknown>,
    position: number,
    quarantine?: QuarantineChanges,
    fence?: Fence,
  ): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      if (fence) await this.advanceFenced(client, projection, position, fence);
      const upserts = [...changes].filter(([, doc]) => doc !== null);
      const removals = [...changes].filter(([, doc]) => doc === null).map(([key]) => key);
      if (upserts.length > 0) {
        await client.query(
          `INSERT INTO ${this.schema}.read_model_documents (projection, key, doc, version)
           SELECT $1, k, d, $4 FROM unnest($2::text[], $3::jsonb[]) AS t(k, d)
           ON CONFLICT (projection, key) DO UPDATE SET doc = excluded.doc, version = excluded.version`,
          [projection, upserts.map(([key]) => key), upserts.map(([, doc]) => JSON.stringify(doc)), position],
        );
      }
      if (removals.length > 0) {
        await client.query(
          `DELETE FROM ${this.schema}.read_model_documents WHERE projection = $1 AND key = ANY($2::text[])`,
          [projection, removals],
        );
      }
      const held = [...(quarantine ?? [])].flatMap(([, record]) => (record ? [record] : []));
      const released = [...(quarantine ?? [])].filter(([, record]) => record === null).map(([key]) => key);
      if (held.length > 0) {
        await client.query(
          `INSERT INTO ${this.schema}.projection_quarantine (projection, key, event_id, position, type, error, at)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[])
           ON CONFLICT (projection, key) DO UPDATE SET event_id = excluded.event_id, position = excluded.position,
             type = excluded.type, error = excluded.error, at = excluded.at`,
          [
            projection,
            held.map((record) => record.key),
            held.map((record) => record.eventId),
            held.map((record) => record.position),
            held.map((record) => record.type),
            held.map((record) => record.error),
            held.map((record) => record.at),
          ],
        );
      }
      if (released.length > 0) {
        await client.query(
          `DELETE FROM ${this.schema}.projection_quarantine WHERE projection = $1 AND key = ANY($2::text[])`,
          [projection, released],
        );
      }
      if (!fence)
        await client.query(
          `INSERT INTO ${this.schema}.projection_checkpoints (projection, position, updated_at) VALUES ($1, $2, now())
           ON CONFLICT (projection) DO UPDATE SET position = excluded.position, updated_at = now()`,
          [projection, position],
        );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * The fenced checkpoint move, first in the transaction: it locks the checkpoint row (so a second
   * commit from the same checkpoint waits, then finds it moved) and shares the lease row's lock (so
   * a takeover waits for this commit), and the documents are written only once both held.
   */
  private async advanceFenced(
    client: PoolClient,
    projection: string,
    position: number,
    fence: Fence,
  ): Promise<void> {
    const s = this.schema;
    const { rowCount } = await client.query(
      `INSERT INTO ${s}.projection_checkpoints (projection, position, updated_at)
       SELECT $1, $2, now()
       WHERE EXISTS (SELECT 1 FROM ${s}.projection_leases WHERE projection = $1 AND token = $4::bigint FOR SHARE)
         AND ($3::bigint = 0 OR EXISTS (SELECT 1 FROM ${s}.projection_checkpoints WHERE projection = $1))
       ON CONFLICT (projection) DO UPDATE SET position = excluded.position, updated_at = now()
       WHERE ${s}.projection_checkpoints.position = $3::bigint`,
      [projection, position, fence.from, fence.token],
    );
    if (rowCount === 1) return;
    const found = await client.query<{ position: string | null; token: string | null }>(
      `SELECT (SELECT position FROM ${s}.projection_checkpoints WHERE projection = $1) AS position,
              (SELECT token FROM ${s}.projection_leases WHERE projection = $1) AS token`,
      [projection],
    );
    const row = found.rows[0];
    throw new StaleProjectionWriteError(projection, fence, {
      position: Number(row?.position ?? 0),
      token: row?.token == null ? undefined : Number(row.token),
    });
  }

  async acquireLease(
    projection: string,
    owner: string,
    now: number,
    ttlMs: number,
  ): Promise<ProjectionLease | undefined> {
    const { rows } = await this.pool.query<LeaseRow>(
      `INSERT INTO ${this.schema}.projection_leases AS l (projection, owner, token, expires_at) VALUES ($1, $2, 1, $3)
       ON CONFLICT (projection) DO UPDATE SET owner = excluded.owner, token = l.token + 1, expires_at = excluded.expires_at
       WHERE l.expires_at <= $4 OR l.owner = $2
       RETURNING projection, owner, token, expires_at`,
      [projection, owner, now + ttlMs, now],
    );
    return rows[0] && leaseOf(rows[0]);
  }

  async renewLease(
    projection: string,
    owner: string,
    token: number,
    now: number,
    ttlMs: number,
  ): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE ${this.schema}.projection_leases SET expires_at = $4 WHERE projection = $1 AND owner = $2 AND token = $3`,
      [projection, owner, token, now + ttlMs],
    );
    return rowCount === 1;
  }

  async releaseLease(projection: string, owner: string, token: number): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.schema}.projection_leases SET expires_at = 0 WHERE projection = $1 AND owner = $2 AND token = $3`,
      [projection, owner, token],
    );
  }

  async lease(projection: string): Promise<ProjectionLease | undefined> {
    const { rows } = await this.pool.query<LeaseRow>(
      `SELECT projection, owner, token, expires_at FROM ${this.schema}.projection_leases WHERE projection = $1`,
      [projection],
    );
    return rows[0] && leaseOf(rows[0]);
  }

  async reset(projection: string): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`DELETE FROM ${this.schema}.read_model_documents WHERE projection = $1`, [
        projection,
      ]);
      await client.query(`DELETE FROM ${this.schema}.projection_quarantine WHERE projection = $1`, [
        projection,
      ]);
      await client.query(`DELETE FROM ${this.schema}.projection_checkpoints WHERE projection = $1`, [
        projection,
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { assertSchemaName } from '../postgres/postgres-schema';
import { newDataKey } from './data-cipher';
import type { DataKey, DataKeyScope, SubjectKeyStore } from './subject-key-store';

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
`;
};

export interface PostgresSubjectKeyStoreOptions {
  readonly connectionString: string;
  /** The schema of the table `subject_keys`; the event store's own by default. */
  readonly schema?: string;
}

/** The key store of the server mode: the table `subject_keys`, apart from the events table. */
export class PostgresSubjectKeyStore implements SubjectKeyStore {
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
    const columns = {
      subjects: scopes.map((scope) => scope.subject),
      agencies: scopes.map((scope) => scope.agency),
      categories: scopes.map((scope) => scope.category),
    };
    const live = async (): Promise<Map<string, DataKey>> => {
      const { rows } = await this.pool.query<{
        subject: string;
        agency: string;
        category: string;
        key_id: string;
        key: Buffer;
      }>(
        `SELECT k.subject, k.agency, k.category, k.key_id, k.key
         FROM ${this.schema}.subject_keys k
         JOIN unnest($1::text[], $2::text[], $3::text[]) AS s (subject, agency, category)
           ON k.subject = s.subject AND k.agency = s.agency AND k.category = s.category
         WHERE k.destroyed_at IS NULL`,
        [columns.subjects, columns.agencies, columns.categories],
      );
      return new Map(rows.map((row) => [scopeName(row), { id: row.key_id, key: row.key }]));
    };
    const found = await live();
    const missing = scopes.filter((scope) => !found.has(scopeName(scope)));
    if (missing.length === 0) return scopes.map((scope) => found.get(scopeName(scope))!);
    // The partial unique index settles a race: the loser's row is not written, and both read the winner's.
    await this.pool.query(
      `INSERT INTO ${this.schema}.subject_keys (key_id, subject, agency, category, key)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[])
       ON CONFLICT DO NOTHING`,
      [
        missing.map(() => randomUUID()),
        missing.map((scope) => scope.subject),
        missing.map((scope) => scope.agency),
        missing.map((scope) => scope.category),
        missing.map(() => newDataKey()),
      ],
    );
    const made = await live();
    return scopes.map((scope) => made.get(scopeName(scope))!);
  }

  async get(id: string): Promise<Buffer | undefined> {
    const { rows } = await this.pool.query<{ key: Buffer | null }>(
      `SELECT key FROM ${this.schema}.subject_keys WHERE key_id = $1`,
      [id],
    );
    return rows[0]?.key ?? undefined;
  }

  async destroy(subject: string, agency: string, categories?: readonly string[]): Promise<string[]> {
    const { rows } = await this.pool.query<{ key_id: string }>(
      `UPDATE ${this.schema}.subject_keys SET key = NULL, destroyed_at = now()
       WHERE subject = $1 AND agency = $2 AND destroyed_at IS NULL
         AND ($3::text[] IS NULL OR category = ANY($3::text[]))
       RETURNING key_id`,
      [subject, agency, categories ?? null],
    );
    return rows.map((row) => row.key_id);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

const scopeName = (scope: DataKeyScope): string =>
  `${scope.subject}\u0000${scope.agency}\u0000${scope.category}`;

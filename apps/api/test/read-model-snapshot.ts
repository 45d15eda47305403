import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import { Client } from 'pg';

/** What the stores hold, read directly with no process running, so what is asserted is what is stored. */
export interface Snapshot {
  readonly head: number;
  /** Keyed `<projection> <key>`. */
  readonly docs: Map<string, unknown>;
  readonly checkpoints: Map<string, number>;
}

/** The SQLite files of an embedded DATA_DIR. */
export function sqliteSnapshot(dataDir: string): Snapshot {
  const events = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
  const readModels = new Database(join(dataDir, 'read-models.db'), { readonly: true, fileMustExist: true });
  try {
    const head =
      events.prepare<[], number>('SELECT COALESCE(MAX(position), 0) FROM events').pluck().get() ?? 0;
    const docs = readModels
      .prepare<[], { projection: string; key: string; doc: string }>(
        'SELECT projection, key, doc FROM read_model_documents',
      )
      .all();
    const checkpoints = readModels
      .prepare<[], { projection: string; position: number }>(
        'SELECT projection, position FROM projection_checkpoints ORDER BY projection',
      )
      .all();
    return {
      head,
      docs: new Map(docs.map((row) => [`${row.projection} ${row.key}`, JSON.parse(row.doc) as unknown])),
      checkpoints: new Map(checkpoints.map((row) => [row.projection, row.position])),
    };
  } finally {
    events.close();
    readModels.close();
  }
}

/** The `public` schema of a DATABASE_URL, where the processes keep the log and the read models. */
export async function postgresSnapshot(databaseUrl: string): Promise<Snapshot> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const head = await client.query<{ head: string }>(
      'SELECT COALESCE(MAX(position), 0) AS head FROM events',
    );
    const docs = await client.query<{ projection: string; key: string; doc: unknown }>(
      'SELECT projection, key, doc FROM read_model_documents',
    );
    const checkpoints = await client.query<{ projection: string; position: string }>(
      'SELECT projection, position FROM projection_checkpoints ORDER BY projection',
    );
    return {
      head: Number(head.rows[0]!.head),
      docs: new Map(docs.rows.map((row) => [`${row.projection} ${row.key}`, row.doc])),
      checkpoints: new Map(checkpoints.rows.map((row) => [row.projection, Number(row.position)])),
    };
  } finally {
    await client.end();
  }
}

/** The first few documents that differ, so a failure names them instead of dumping thousands. */
export function differences(
  actual: Snapshot,
  expected: Snapshot,
): { key: string; actual: unknown; expected: unknown }[] {
  const keys = [...new Set([...actual.docs.keys(), ...expected.docs.keys()])].sort();
  return keys
    .filter((key) => !isDeepStrictEqual(actual.docs.get(key), expected.docs.get(key)))
    .slice(0, 5)
    .map((key) => ({ key, actual: actual.docs.get(key), expected: expected.docs.get(key) }));
}

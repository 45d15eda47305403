import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { preparePrivateSqliteFile } from '@throughline/platform';
import { newDataKey } from './data-cipher';
import type { DataKey, DataKeyScope, SubjectKeyStore } from './subject-key-store';

/**
 * A destroyed key's row stays, without its key, as the record that it existed; the live key of a
 * scope is unique, so two processes making one at once end with the first one's.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS subject_keys (
    key_id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    agency TEXT NOT NULL,
    category TEXT NOT NULL,
    key BLOB,
    created_at INTEGER NOT NULL,
    destroyed_at INTEGER
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX IF NOT EXISTS subject_keys_live
    ON subject_keys (subject, agency, category) WHERE destroyed_at IS NULL;
`;

/** The key store of the embedded mode: its own file (keys.db), never events.db. */
export class SqliteSubjectKeyStore implements SubjectKeyStore {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(private readonly path: string) {
    if (path !== ':memory:') preparePrivateSqliteFile(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    // A destroyed key's bytes are overwritten in the file, not only unlinked from the b-tree.
    this.db.pragma('secure_delete = ON');
    this.db.exec(SCHEMA);
    this.statements = {
      live: this.db.prepare<[string, string, string], { key_id: string; key: Buffer }>(
        `SELECT key_id, key FROM subject_keys
         WHERE subject = ? AND agency = ? AND category = ? AND destroyed_at IS NULL`,
      ),
      insert: this.db.prepare<[string, string, string, string, Buffer, number]>(
        `INSERT INTO subject_keys (key_id, subject, agency, category, key, created_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ),
      get: this.db.prepare<[string], Buffer | null>('SELECT key FROM subject_keys WHERE key_id = ?').pluck(),
    };
  }

  getOrCreate(scopes: readonly DataKeyScope[]): Promise<DataKey[]> {
    return Promise.resolve(this.getOrCreateAll(scopes));
  }

  /** One transaction: the missing keys cost one commit, however many there are. */
  private readonly getOrCreateAll = (scopes: readonly DataKeyScope[]): DataKey[] =>
    this.db.transaction(() =>
      scopes.map(({ subject, agency, category }) => {
        const found = this.statements.live.get(subject, agency, category);
        if (found) return { id: found.key_id, key: found.key };
        this.statements.insert.run(randomUUID(), subject, agency, category, newDataKey(), Date.now());
        const made = this.statements.live.get(subject, agency, category)!;
        return { id: made.key_id, key: made.key };
      }),
    )();

  get(id: string): Promise<Buffer | undefined> {
    return Promise.resolve(this.statements.get.get(id) ?? undefined);
  }

  destroy(subject: string, agency: string, categories?: readonly string[]): Promise<string[]> {
    const list = categories === undefined ? null : JSON.stringify(categories);
    const ids = this.db
      .prepare<[number, string, string, string | null, string | null], string>(
        `UPDATE subject_keys SET key = NULL, destroyed_at = ?
         WHERE subject = ? AND agency = ? AND destroyed_at IS NULL
           AND (? IS NULL OR category IN (SELECT value FROM json_each(?)))
         RETURNING key_id`,
      )
      .pluck()
      .all(Date.now(), subject, agency, list, list);
    // The old page images in the WAL are copied over and the WAL emptied, so no copy of the key stays.
    if (ids.length > 0) this.db.pragma('wal_checkpoint(TRUNCATE)');
    return Promise.resolve(ids);
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }
}

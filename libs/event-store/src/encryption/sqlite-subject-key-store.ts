import Database from 'better-sqlite3';
import { preparePrivateSqliteFile } from '@throughline/platform';
import { isSealed, newDataKeys, type SealedData } from './data-cipher';
import { KeyReserve } from './key-reserve';
import type { DataKey, DataKeyScope, Erasures, Resealed, SubjectKeyStore } from './subject-key-store';

/**
 * `subject_keys` says which key is a scope's: a destroyed key's row stays, without its key, as the
 * record that it existed; the live key of a scope is unique, so two processes giving one at once end
 * with the first one's. The key bytes are in `data_keys`, made ahead of use (rows written before
 * decision 0030 keep theirs in `subject_keys.key`); `subject_key_erasures` numbers the destructions,
 * so another process learns of them at its next read. `resealed_data` holds what redactions kept of
 * the events a destroyed key sealed, sealed again under a key of its own (decision 0035).
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
  CREATE TABLE IF NOT EXISTS data_keys (
    key_id TEXT PRIMARY KEY,
    key BLOB NOT NULL,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS subject_key_erasures (
    mark INTEGER PRIMARY KEY AUTOINCREMENT,
    key_id TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS resealed_data (
    event_id TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    sealed TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS resealed_data_keys ON resealed_data (key_id);
`;

interface Statements {
  readonly live: Database.Statement<[string, string, string], { key_id: string; key: Buffer }>;
  readonly give: Database.Statement<[string, string, string, string, number]>;
  readonly reserve: Database.Statement<[string, Buffer, number]>;
  readonly many: Database.Statement<[string], { key_id: string; key: Buffer }>;
  readonly erasedSince: Database.Statement<[number], { mark: number; key_id: string }>;
  readonly lastMark: Database.Statement<[], number | null>;
  readonly reseal: Database.Statement<[string, string, string]>;
  readonly resealedOf: Database.Statement<[string], { event_id: string; sealed: string }>;
}

/** The key store of the embedded mode: its own file (keys.db), never events.db. */
export class SqliteSubjectKeyStore implements SubjectKeyStore {
  private readonly db: Database.Database;
  private readonly statements: Statements;
  private readonly reserve = new KeyReserve();
  private readonly giveAll: Database.Transaction<(scopes: readonly DataKeyScope[]) => DataKey[]>;

  constructor(private readonly path: string) {
    if (path !== ':memory:') preparePrivateSqliteFile(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // Giving a reserved key to a scope does not wait for the disk; what must be durable (the reserve,
    // a destruction) is written under `durably`.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    // A destroyed key's bytes are overwritten in the file, not only unlinked from the b-tree.
    this.db.pragma('secure_delete = ON');
    this.db.exec(SCHEMA);
    this.statements = {
      live: this.db.prepare(
        `SELECT s.key_id, coalesce(s.key, d.key) AS key
         FROM subject_keys s LEFT JOIN data_keys d ON d.key_id = s.key_id
         WHERE s.subject = ? AND s.agency = ? AND s.category = ? AND s.destroyed_at IS NULL`,
      ),
      give: this.db.prepare(
        `INSERT INTO subject_keys (key_id, subject, agency, category, created_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ),
      reserve: this.db.prepare('INSERT INTO data_keys (key_id, key, created_at) VALUES (?, ?, ?)'),
      many: this.db.prepare(
        `WITH wanted (id) AS (SELECT value FROM json_each(?))
         SELECT key_id, key FROM subject_keys WHERE key_id IN wanted AND key IS NOT NULL
         UNION ALL
         SELECT key_id, key FROM data_keys WHERE key_id IN wanted`,
      ),
      erasedSince: this.db.prepare(
        'SELECT mark, key_id FROM subject_key_erasures WHERE mark > ? ORDER BY mark',
      ),
      lastMark: this.db.prepare<[], number | null>('SELECT MAX(mark) FROM subject_key_erasures').pluck(),
      reseal: this.db.prepare(
        `INSERT INTO resealed_data (event_id, key_id, sealed) VALUES (?, ?, ?)
         ON CONFLICT (event_id) DO UPDATE SET key_id = excluded.key_id, sealed = excluded.sealed`,
      ),
      resealedOf: this.db.prepare(
        'SELECT event_id, sealed FROM resealed_data WHERE event_id IN (SELECT value FROM json_each(?))',
      ),
    };
    // One transaction: the missing keys cost one write, however many there are, and no wait for the disk.
    this.giveAll = this.db.transaction((scopes: readonly DataKeyScope[]) =>
      scopes.map((scope) => this.giveOne(scope)),
    );
  }

  getOrCreate(scopes: readonly DataKeyScope[]): Promise<DataKey[]> {
    if (scopes.length === 0) return Promise.resolve([]);
    // Enough for every scope asked for (mostly new ones: those the process does not hold), without
    // reading first which have a key.
    this.refill(scopes.length);
    return Promise.resolve(this.reserve.giving(() => this.giveAll.immediate(scopes)));
  }

  /**
   * One scope's live key, or a reserved one given to it (inside the transaction of `giveAll`). The
   * scopes asked for are mostly new, so the giving is tried first: the unique live key of a scope
   * refuses it when there is one, which is then read.
   */
  private giveOne({ subject, agency, category }: DataKeyScope): DataKey {
    const reserved = this.reserve.take();
    const { changes } = this.statements.give.run(reserved.id, subject, agency, category, Date.now());
    if (changes === 1) return reserved;
    this.reserve.putBack(reserved);
    const live = this.statements.live.get(subject, agency, category)!;
    return { id: live.key_id, key: live.key };
  }

  /** Makes keys ahead of use, in one durable commit, when the reserve holds fewer than `needed`. */
  private refill(needed: number): void {
    const count = this.reserve.toMake(needed);
    if (count === 0) return;
    const made = newDataKeys(count);
    this.durably(() => {
      const now = Date.now();
      for (const key of made) this.statements.reserve.run(key.id, key.key, now);
    });
    this.reserve.add(made);
  }

  getMany(ids: readonly string[]): Promise<Map<string, Buffer>> {
    if (ids.length === 0) return Promise.resolve(new Map<string, Buffer>());
    const rows = this.statements.many.all(JSON.stringify(ids));
    return Promise.resolve(new Map(rows.map((row) => [row.key_id, row.key])));
  }

  destroy(
    subject: string,
    agency: string,
    categories?: readonly string[],
    alsoIds: readonly string[] = [],
  ): Promise<string[]> {
    const list = categories === undefined ? null : JSON.stringify(categories);
    const ids = this.durably(() => {
      const destroyed = this.db
        .prepare<[number, string, string, string | null, string | null], string>(
          `UPDATE subject_keys SET key = NULL, destroyed_at = ?
           WHERE destroyed_at IS NULL
             AND subject = ? AND agency = ? AND (? IS NULL OR category IN (SELECT value FROM json_each(?)))
           RETURNING key_id`,
        )
        .pluck()
        .all(Date.now(), subject, agency, list, list);
      return this.destroyKeys(alsoIds, destroyed);
    });
    this.truncateWalAfter(ids);
    return Promise.resolve(ids);
  }

  redact(ids: readonly string[], reseal: (key: DataKey) => readonly Resealed[]): Promise<string[]> {
    this.refill(1);
    const key = this.reserve.take();
    let written = false;
    try {
      const kept = reseal(key);
      const destroyed = this.durably(() => {
        const destroyed = this.destroyKeys(ids);
        for (const { eventId, sealed } of kept)
          this.statements.reseal.run(eventId, key.id, JSON.stringify(sealed));
        return destroyed;
      });
      written = kept.length > 0;
      this.truncateWalAfter(destroyed);
      return Promise.resolve(destroyed);
    } finally {
      // Not used (nothing kept, or the commit failed): offered again.
      if (!written) this.reserve.putBack(key);
    }
  }

  resealedOf(eventIds: readonly string[]): Promise<Map<string, SealedData>> {
    const found = new Map<string, SealedData>();
    if (eventIds.length === 0) return Promise.resolve(found);
    for (const row of this.statements.resealedOf.all(JSON.stringify(eventIds))) {
      const sealed = JSON.parse(row.sealed) as unknown;
      if (isSealed(sealed)) found.set(row.event_id, sealed);
    }
    return Promise.resolve(found);
  }

  /**
   * Inside a durable transaction: destroys these keys, and those whose scope rows were just marked
   * destroyed (the row naming a scope keeps no bytes; the bytes made ahead go), and what redactions
   * kept under them, and numbers each destruction. A key named by the events but never given to a
   * scope (a crash lost the giving) goes too.
   */
  private destroyKeys(candidates: readonly string[], unlinkedAlready: readonly string[] = []): string[] {
    const list = JSON.stringify([...unlinkedAlready, ...candidates]);
    const unlinked = this.db
      .prepare<[number, string], string>(
        `UPDATE subject_keys SET key = NULL, destroyed_at = ?
         WHERE destroyed_at IS NULL AND key_id IN (SELECT value FROM json_each(?))
         RETURNING key_id`,
      )
      .pluck()
      .all(Date.now(), list);
    const deleted = this.db
      .prepare<[string], string>(
        'DELETE FROM data_keys WHERE key_id IN (SELECT value FROM json_each(?)) RETURNING key_id',
      )
      .pluck()
      .all(list);
    const all = [...new Set([...unlinkedAlready, ...unlinked, ...deleted])];
    this.db
      .prepare<[string]>('DELETE FROM resealed_data WHERE key_id IN (SELECT value FROM json_each(?))')
      .run(JSON.stringify(all));
    const record = this.db.prepare<[string]>('INSERT INTO subject_key_erasures (key_id) VALUES (?)');
    for (const id of all) record.run(id);
    return all;
  }

  /** The old page images in the WAL are copied over and the WAL emptied, so no copy of a key stays. */
  private truncateWalAfter(ids: readonly string[]): void {
    if (ids.length > 0) this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  erasedSince(mark: number | undefined): Promise<Erasures> {
    if (mark === undefined) return Promise.resolve({ mark: this.statements.lastMark.get() ?? 0, ids: [] });
    const rows = this.statements.erasedSince.all(mark);
    if (rows.length === 0) return Promise.resolve({ mark, ids: [] });
    return Promise.resolve({ mark: rows[rows.length - 1]!.mark, ids: rows.map((row) => row.key_id) });
  }

  close(): Promise<void> {
    if (this.db.open) {
      // What this process made and did not give out is of no use to any other.
      const unused = this.reserve.drain();
      if (unused.length > 0) {
        this.db
          .prepare<[string]>('DELETE FROM data_keys WHERE key_id IN (SELECT value FROM json_each(?))')
          .run(JSON.stringify(unused.map((key) => key.id)));
      }
      this.db.close();
    }
    return Promise.resolve();
  }

  /** Runs `write` in one transaction whose commit waits for the disk (synchronous = FULL). */
  private durably<T>(write: () => T): T {
    this.db.pragma('synchronous = FULL');
    try {
      return this.db.transaction(write).immediate();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }
}

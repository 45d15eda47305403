import Database from 'better-sqlite3';
import { preparePrivateSqliteFile } from '@throughline/platform';
import { type Fence, type ProjectionLease, StaleProjectionWriteError } from './lease';
import { fromRow, type QuarantineRow } from './quarantine-row';
import { type QuarantineChanges, type Quarantined, ReadModelStore } from './read-model-store';

/** Read models in their own SQLite file, so projection writes never queue behind ingestion. */
export class SqliteReadModelStore extends ReadModelStore {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(file: string) {
    super();
    preparePrivateSqliteFile(file);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // A commit here does not wait for the disk: in WAL mode a process crash loses nothing, and a
    // power loss can lose only the last commits whole, documents with the checkpoint they were
    // written with, so the projections fold those events again from the log (which does wait).
    // What else lives here is as cheap to lose: a lease expires, a read mark is made again.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS read_model_documents (
        projection TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (projection, key)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS projection_checkpoints (
        projection TEXT PRIMARY KEY, position INTEGER NOT NULL, updated_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS projection_quarantine (
        projection TEXT NOT NULL, key TEXT NOT NULL, event_id TEXT NOT NULL, position INTEGER NOT NULL,
        type TEXT NOT NULL, error TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (projection, key)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS projection_leases (
        projection TEXT PRIMARY KEY, owner TEXT NOT NULL, token INTEGER NOT NULL, expires_at INTEGER NOT NULL
      );`);
    const columns = this.db.prepare<[], { name: string }>('PRAGMA table_info(read_model_documents)').all();
    if (!columns.some((column) => column.name === 'version')) {
      this.db.exec('ALTER TABLE read_model_documents ADD COLUMN version INTEGER NOT NULL DEFAULT 0');
    }
    // A document's version sits after its (often large) body in the row; this index answers the
    // version checks every served read makes without reading the body's overflow pages.
    this.db.exec(
      'CREATE INDEX IF NOT EXISTS read_model_versions ON read_model_documents (projection, key, version)',
    );
    this.statements = {
      checkpoint: this.db.prepare<[string], { position: number }>(
        'SELECT position FROM projection_checkpoints WHERE projection = ?',
      ),
      get: this.db.prepare<[string, string], { doc: string }>(
        'SELECT doc FROM read_model_documents WHERE projection = ? AND key = ?',
      ),
      list: this.db.prepare<[string, string, string], { doc: string }>(
        'SELECT doc FROM read_model_documents WHERE projection = ? AND key >= ? AND key < ? ORDER BY key',
      ),
      entries: this.db.prepare<[string], { key: string; doc: string }>(
        'SELECT key, doc FROM read_model_documents WHERE projection = ? ORDER BY key',
      ),
      upsert: this.db.prepare<[string, string, string, number]>(
        'INSERT INTO read_model_documents (projection, key, doc, version) VALUES (?, ?, ?, ?) ON CONFLICT (projection, key) DO UPDATE SET doc = excluded.doc, version = excluded.version',
      ),
      versions: this.db.prepare<[string], { key: string; version: number }>(
        'SELECT key, version FROM read_model_documents INDEXED BY read_model_versions WHERE projection = ?',
      ),
      version: this.db.prepare<[string, string], { key: string; version: number }>(
        'SELECT key, version FROM read_model_documents INDEXED BY read_model_versions WHERE projection = ? AND key = ?',
      ),
      remove: this.db.prepare<[string, string]>(
        'DELETE FROM read_model_documents WHERE projection = ? AND key = ?',
      ),
      saveCheckpoint: this.db.prepare<[string, number, string]>(
        'INSERT INTO projection_checkpoints (projection, position, updated_at) VALUES (?, ?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at',
      ),
      quarantined: this.db.prepare<[string], QuarantineRow>(
        'SELECT key, event_id, position, type, error, at FROM projection_quarantine WHERE projection = ? ORDER BY key',
      ),
      quarantinedKey: this.db.prepare<[string, string], QuarantineRow>(
        'SELECT key, event_id, position, type, error, at FROM projection_quarantine WHERE projection = ? AND key = ?',
      ),
      hold: this.db.prepare<[string, string, string, number, string, string, string]>(
        'INSERT INTO projection_quarantine (projection, key, event_id, position, type, error, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (projection, key) DO UPDATE SET event_id = excluded.event_id, position = excluded.position, type = excluded.type, error = excluded.error, at = excluded.at',
      ),
      release: this.db.prepare<[string, string]>(
        'DELETE FROM projection_quarantine WHERE projection = ? AND key = ?',
      ),
      leaseToken: this.db.prepare<[string], { token: number }>(
        'SELECT token FROM projection_leases WHERE projection = ?',
      ),
      lease: this.db.prepare<[string], { owner: string; token: number; expires_at: number }>(
        'SELECT owner, token, expires_at FROM projection_leases WHERE projection = ?',
      ),
      acquire: this.db.prepare<[string, string, number, number, string]>(
        `INSERT INTO projection_leases (projection, owner, token, expires_at) VALUES (?, ?, 1, ?)
         ON CONFLICT (projection) DO UPDATE SET owner = excluded.owner, token = projection_leases.token + 1, expires_at = excluded.expires_at
         WHERE projection_leases.expires_at <= ? OR projection_leases.owner = ?`,
      ),
      renew: this.db.prepare<[number, string, string, number]>(
        'UPDATE projection_leases SET expires_at = ? WHERE projection = ? AND owner = ? AND token = ?',
      ),
      resetQuarantine: this.db.prepare<[string]>('DELETE FROM projection_quarantine WHERE projection = ?'),
      resetDocs: this.db.prepare<[string]>('DELETE FROM read_model_documents WHERE projection = ?'),
      resetCheckpoint: this.db.prepare<[string]>('DELETE FROM projection_checkpoints WHERE projection = ?'),
    };
  }

  async checkpoint(projection: string): Promise<number> {
    return this.statements.checkpoint.get(projection)?.position ?? 0;
  }

  async get<T>(projection: string, key: string): Promise<T | undefined> {
    const row = this.statements.get.get(projection, key);
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }

  async getMany<T>(projection: string, keys: readonly string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    for (const key of keys) {
      const row = this.statements.get.get(projection, key);
      if (row) found.set(key, JSON.parse(row.doc) as T);
    }
    return found;
  }

  async list<T>(projection: string, keyPrefix = ''): Promise<T[]> {
    return this.statements.list
      .all(projection, keyPrefix, `${keyPrefix}\uffff`)
      .map((row) => JSON.parse(row.doc) as T);
  }

  async entries<T>(projection: string): Promise<[string, T][]> {
    return this.statements.entries.all(projection).map((row) => [row.key, JSON.parse(row.doc) as T]);
  }

  async versions(projection: string, key?: string): Promise<Map<string, number>> {
    const rows =
      key === undefined
        ? this.statements.versions.all(projection)
        : this.statements.version.all(projection, key);
    return new Map(rows.map((row) => [row.key, row.version]));
  }

  async commit(
    projection: string,
    changes: ReadonlyMap<string, unknown>,
    position: number,
    quarantine?: QuarantineChanges,
    fence?: Fence,
  ): Promise<void> {
    // IMMEDIATE takes the write lock before the fence is read, so no other process can move the
    // checkpoint or the lease between the check and the writes.
    this.db
      .transaction(() => {
        if (fence) this.checkFence(projection, fence);
        for (const [key, doc] of changes) {
          if (doc === null) this.statements.remove.run(projection, key);
          else this.statements.upsert.run(projection, key, JSON.stringify(doc), position);
        }
        for (const [key, held] of quarantine ?? []) {
          if (held === null) this.statements.release.run(projection, key);
          else
            this.statements.hold.run(
              projection,
              key,
              held.eventId,
              held.position,
              held.type,
              held.error,
              held.at,
            );
        }
        this.statements.saveCheckpoint.run(projection, position, new Date().toISOString());
      })
      .immediate();
  }

  private checkFence(projection: string, fence: Fence): void {
    const position = this.statements.checkpoint.get(projection)?.position ?? 0;
    const token = this.statements.leaseToken.get(projection)?.token;
    if (position !== fence.from || token !== fence.token)
      throw new StaleProjectionWriteError(projection, fence, { position, token });
  }

  async acquireLease(
    projection: string,
    owner: string,
    now: number,
    ttlMs: number,
  ): Promise<ProjectionLease | undefined> {
    return this.db
      .transaction(() => {
        if (this.statements.acquire.run(projection, owner, now + ttlMs, now, owner).changes === 0)
          return undefined;
        return this.leaseOf(projection);
      })
      .immediate();
  }

  async renewLease(
    projection: string,
    owner: string,
    token: number,
    now: number,
    ttlMs: number,
  ): Promise<boolean> {
    return this.statements.renew.run(now + ttlMs, projection, owner, token).changes === 1;
  }

  async releaseLease(projection: string, owner: string, token: number): Promise<void> {
    this.statements.renew.run(0, projection, owner, token);
  }

  async lease(projection: string): Promise<ProjectionLease | undefined> {
    return this.leaseOf(projection);
  }

  private leaseOf(projection: string): ProjectionLease | undefined {
    const row = this.statements.lease.get(projection);
    return row && { projection, owner: row.owner, token: row.token, expiresAt: row.expires_at };
  }

  async quarantined(projection: string, key?: string): Promise<Quarantined[]> {
    const rows =
      key === undefined
        ? this.statements.quarantined.all(projection)
        : this.statements.quarantinedKey.all(projection, key);
    return rows.map(fromRow);
  }

  async reset(projection: string): Promise<void> {
    this.db
      .transaction(() => {
        this.statements.resetDocs.run(projection);
        this.statements.resetQuarantine.run(projection);
        this.statements.resetCheckpoint.run(projection);
      })
      .immediate();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

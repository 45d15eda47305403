import Database from 'better-sqlite3';
import { chainHash, GENESIS_HASH, sha256 } from '../domain/chain';
import type { AuditCheckpoint, AuditRecord, IndexedColumns } from '../domain/disclosure';

/** What an append adds to each content: its place in the chain. */
export type ChainLink = Pick<AuditRecord, 'seq' | 'contentHash' | 'prevHash' | 'hash'>;

/** A record as the writer stores it: the canonical content (the hashed bytes) and its register columns. */
export interface WriterRow extends IndexedColumns {
  readonly canonical: string;
}

/** Rows to append together; with `once`, only those whose id the log does not hold yet. */
export interface WriterGroup {
  readonly rows: readonly WriterRow[];
  readonly once?: boolean;
}

export type WriterRequest =
  | ({ readonly kind: 'append'; readonly id: number } & WriterGroup)
  | { readonly kind: 'checkpoint'; readonly id: number; readonly checkpoint: AuditCheckpoint }
  | { readonly kind: 'close' };

/**
 * One reply per commit, answering each request it took (a checkpoint with no links). A `once` row
 * the log already held has no link (null).
 */
export type WriterReply = readonly (
  | { readonly id: number; readonly links: readonly (ChainLink | null)[] }
  | { readonly id: number; readonly error: string }
)[];

/**
 * The audit log's only writer: a connection of its own that chains and stores records. The store
 * runs it on a thread of its own, so hashing, inserting and the fsync of each group commit stay off
 * the thread that answers requests. Only relative imports: see startWorkerThread.
 */
export class SqliteAuditWriter {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly index: Database.Statement;
  private readonly lastRow: Database.Statement<[], { seq: number; hash: string }>;
  private readonly stored: Database.Statement<[string], { seq: number }>;
  private readonly insertCheckpoint: Database.Statement;

  /**
   * The schema is the store's to create; the writer opens a file that already has it.
   * @param autocheckpointPages set when a checkpointer thread copies the log into the file, so that
   *   this connection's commits (which reads wait for) do not.
   */
  constructor(file: string, autocheckpointPages?: number) {
    this.db = new Database(file, { fileMustExist: true });
    this.db.pragma('journal_mode = WAL');
    // Per connection: each commit is on disk before the reads it records are answered.
    this.db.pragma('synchronous = FULL');
    if (autocheckpointPages !== undefined) this.db.pragma(`wal_autocheckpoint = ${autocheckpointPages}`);
    this.insert = this.db.prepare(
      'INSERT INTO audit_records (seq, id, at, agency, user, purpose, outcome, action, content, content_hash, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.index = this.db.prepare('INSERT OR IGNORE INTO audit_subjects (subject_id, seq) VALUES (?, ?)');
    this.lastRow = this.db.prepare<[], { seq: number; hash: string }>(
      'SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1',
    );
    this.stored = this.db.prepare<[string], { seq: number }>('SELECT seq FROM audit_records WHERE id = ?');
    this.insertCheckpoint = this.db.prepare(
      'INSERT OR IGNORE INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES (?, ?, ?, ?, ?)',
    );
  }

  /**
   * Appends each group in order, all in one commit. Should that commit fail, each group is tried on
   * its own, so one bad group (a repeated id) does not fail the others.
   */
  appendGroups(
    groups: readonly WriterGroup[],
  ): (readonly (ChainLink | null)[] | { readonly error: string })[] {
    try {
      return this.db.transaction(() => groups.map((group) => this.chain(group))).immediate();
    } catch (error) {
      if (groups.length === 1) return [{ error: messageOf(error) }];
      return groups.flatMap((group) => this.appendGroups([group]));
    }
  }

  /** Stores a signed checkpoint; one already stored for its seq stays as it is. */
  addCheckpoint(checkpoint: AuditCheckpoint): readonly (ChainLink | null)[] | { readonly error: string } {
    try {
      const { seq, hash, at, keyId, signature } = checkpoint;
      this.insertCheckpoint.run(seq, hash, at, keyId, signature);
      return [];
    } catch (error) {
      return { error: messageOf(error) };
    }
  }

  /**
   * Inside an IMMEDIATE transaction, which takes the write lock before reading the chain's end (and,
   * for a `once` group, before looking for its ids, rows of this transaction included).
   */
  private chain({ rows, once }: WriterGroup): (ChainLink | null)[] {
    const last = this.lastRow.get();
    let seq = last?.seq ?? 0;
    let prevHash = last?.hash ?? GENESIS_HASH;
    return rows.map((row) => {
      if (once && this.stored.get(row.id)) return null;
      seq++;
      const contentHash = sha256(row.canonical);
      const hash = chainHash(prevHash, seq, contentHash);
      this.insert.run(
        seq,
        row.id,
        row.at,
        row.agency,
        row.user,
        row.purpose,
        row.outcome,
        row.action,
        row.canonical,
        contentHash,
        prevHash,
        hash,
      );
      for (const subjectId of row.subjects) this.index.run(subjectId, seq);
      const link = { seq, contentHash, prevHash, hash };
      prevHash = hash;
      return link;
    });
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

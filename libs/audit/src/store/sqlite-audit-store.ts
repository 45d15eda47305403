import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import {
  FALLBACK_AUTOCHECKPOINT_PAGES,
  preparePrivateSqliteFile,
  SqliteCheckpointer,
  startWorkerThread,
} from '@throughline/platform';
import { canonicalContent, type CheckedRecord } from '../domain/chain';
import {
  type AuditCheckpoint,
  type AuditRecord,
  type DisclosureContent,
  indexedColumnsOf,
} from '../domain/disclosure';
import { type AuditQuery, AuditStore, registerFilter } from './audit-store';
import { CHECK_RANGE, checkInParallel } from './sqlite-audit-checkers';
import { type Row, scanRecords, toRecord } from './sqlite-audit-rows';
import type { ChainLink, WriterReply, WriterRequest, WriterRow } from './sqlite-audit-writer';

/** Verification threads at most: past this, reading the file rather than hashing sets the pace. */
const MAX_CHECK_THREADS = 4;

/**
 * The audit log in its own SQLite file, so audit commits never wait on ingestion or projections.
 * Appends go to a writer thread with its own connection; everything else reads on this thread.
 */
export class SqliteAuditStore extends AuditStore {
  private readonly db: Database.Database;
  /** Started at the first append: a store only read (verify, export) needs no writer. */
  private writer: WriterThread | undefined;
  private checkpointer: SqliteCheckpointer | undefined;
  private committed = 0;

  constructor(private readonly file: string) {
    super();
    preparePrivateSqliteFile(file);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS audit_records (
        seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, at TEXT NOT NULL, agency TEXT NOT NULL, user TEXT NOT NULL,
        purpose TEXT, outcome TEXT NOT NULL, action TEXT NOT NULL, content TEXT NOT NULL,
        content_hash TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS audit_records_at ON audit_records (at);
      CREATE TABLE IF NOT EXISTS audit_subjects (subject_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (subject_id, seq)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS audit_subjects_seq ON audit_subjects (seq);
      CREATE TABLE IF NOT EXISTS audit_checkpoints (
        seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, at TEXT NOT NULL, key_id TEXT NOT NULL, signature TEXT NOT NULL);
      -- The application never edits or deletes audit entries; these make an accidental attempt fail loudly.
      CREATE TRIGGER IF NOT EXISTS audit_records_no_update BEFORE UPDATE ON audit_records BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
      CREATE TRIGGER IF NOT EXISTS audit_records_no_delete BEFORE DELETE ON audit_records BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
      CREATE TRIGGER IF NOT EXISTS audit_subjects_no_update BEFORE UPDATE ON audit_subjects BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
      CREATE TRIGGER IF NOT EXISTS audit_subjects_no_delete BEFORE DELETE ON audit_subjects BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
      CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
      CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;`);
  }

  /** Resolves once the records are durable, chained by the writer thread. */
  async append(contents: readonly DisclosureContent[]): Promise<AuditRecord[]> {
    const links = await this.writerThread().append(rowsOf(contents), false);
    return links.map((link, index) => ({ ...link!, content: contents[index]! }));
  }

  /** The writer thread looks for each id in the transaction that appends. */
  async appendNew(contents: readonly DisclosureContent[]): Promise<AuditRecord[]> {
    const links = await this.writerThread().append(rowsOf(contents), true);
    return links.flatMap((link, index) => (link ? [{ ...link, content: contents[index]! }] : []));
  }

  private writerThread(): WriterThread {
    if (!this.db.open) throw new Error('the audit store is closed');
    // A thread that stopped (it failed, or the store was closed) is replaced.
    if (!this.writer?.running) this.writer = new WriterThread(this.file, () => this.committed++);
    this.checkpointer ??= new SqliteCheckpointer(this.file);
    return this.writer;
  }

  /** Commits the writer thread has made for this store: appends that reached it together share one. */
  get commits(): number {
    return this.committed;
  }

  async last(): Promise<{ seq: number; hash: string } | undefined> {
    return this.db
      .prepare<[], { seq: number; hash: string }>(
        'SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1',
      )
      .get();
  }

  async get(id: string): Promise<AuditRecord | undefined> {
    const row = this.db
      .prepare<[string], Row>(
        'SELECT seq, content, content_hash, prev_hash, hash FROM audit_records WHERE id = ?',
      )
      .get(id);
    return row ? toRecord(row) : undefined;
  }

  async range(fromSeq: number, toSeq: number): Promise<AuditRecord[]> {
    return this.db
      .prepare<[number, number], Row>(
        'SELECT seq, content, content_hash, prev_hash, hash FROM audit_records WHERE seq BETWEEN ? AND ? ORDER BY seq',
      )
      .all(fromSeq, toSeq)
      .map(toRecord);
  }

  async *scan(pageSize = 5000): AsyncIterable<AuditRecord[]> {
    for (let after = 0; ;) {
      const page = scanRecords(this.db, after, Number.MAX_SAFE_INTEGER, pageSize);
      if (page.length === 0) return;
      after = page[page.length - 1]!.seq;
      yield page;
    }
  }

  /** A log longer than one range is checked by several threads, each reading its own ranges. */
  override async *checkedScan(): AsyncIterable<readonly CheckedRecord[]> {
    const lastSeq = (await this.last())?.seq ?? 0;
    const threads = Math.min(availableParallelism(), MAX_CHECK_THREADS);
    if (lastSeq <= CHECK_RANGE || threads < 2) yield* super.checkedScan();
    else yield* checkInParallel(this.file, lastSeq, threads);
  }

  async query(query: AuditQuery): Promise<AuditRecord[]> {
    const { where, params } = registerFilter(query);
    return this.db
      .prepare<(string | number)[], Row>(
        `SELECT r.seq, r.content, r.content_hash, r.prev_hash, r.hash FROM audit_records r ${where} ORDER BY r.seq DESC LIMIT ?`,
      )
      .all(...params, query.limit)
      .map(toRecord);
  }

  /** Through the writer thread: this thread never writes, so it never waits for the write lock. */
  async addCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    await this.writerThread().checkpoint(checkpoint);
  }

  async checkpoints(fromSeq = 0): Promise<AuditCheckpoint[]> {
    return this.db
      .prepare<[number], { seq: number; hash: string; at: string; key_id: string; signature: string }>(
        'SELECT * FROM audit_checkpoints WHERE seq >= ? ORDER BY seq',
      )
      .all(fromSeq)
      .map((row) => ({
        seq: row.seq,
        hash: row.hash,
        at: row.at,
        keyId: row.key_id,
        signature: row.signature,
      }));
  }

  async close(): Promise<void> {
    await this.writer?.close();
    this.writer = undefined;
    await this.checkpointer?.close();
    this.checkpointer = undefined;
    if (this.db.open) this.db.close();
  }
}

// Canonicalised here, where a kept cut's subject disclosure is canonicalised once for all its reads.
const rowsOf = (contents: readonly DisclosureContent[]): WriterRow[] =>
  contents.map((content) => ({ ...indexedColumnsOf(content), canonical: canonicalContent(content) }));

interface Waiting {
  readonly kind: 'append' | 'checkpoint';
  readonly resolve: (links: readonly (ChainLink | null)[]) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The main thread's side of the writer thread: one request per group commit, answered in order. The
 * thread holds the process open only while an append waits on it.
 */
class WriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private stopped: Error | undefined;
  private readonly exited: Promise<void>;

  constructor(file: string, onCommit: () => void) {
    this.worker = startWorkerThread(join(__dirname, 'sqlite-audit-writer.worker'), __filename, {
      file,
      autocheckpointPages: FALLBACK_AUTOCHECKPOINT_PAGES,
    });
    this.worker.unref();
    this.worker.on('message', (reply: WriterReply) => {
      onCommit();
      for (const answer of reply) {
        const waiting = this.waiting.get(answer.id);
        this.waiting.delete(answer.id);
        if ('error' in answer) waiting?.reject(new Error(`audit ${waiting?.kind} failed: ${answer.error}`));
        else waiting?.resolve(answer.links);
      }
      if (this.waiting.size === 0) this.worker.unref();
    });
    this.worker.on('error', (error) => this.stop(error));
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', () => {
        this.stop(new Error('the audit writer thread stopped'));
        resolve();
      }),
    );
  }

  get running(): boolean {
    return this.stopped === undefined;
  }

  append(rows: readonly WriterRow[], once: boolean): Promise<readonly (ChainLink | null)[]> {
    return this.request('append', (id) => ({ kind: 'append', id, rows, once }));
  }

  async checkpoint(checkpoint: AuditCheckpoint): Promise<void> {
    await this.request('checkpoint', (id) => ({ kind: 'checkpoint', id, checkpoint }));
  }

  private request(
    kind: Waiting['kind'],
    of: (id: number) => WriterRequest,
  ): Promise<readonly (ChainLink | null)[]> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    const done = new Promise<readonly (ChainLink | null)[]>((resolve, reject) =>
      this.waiting.set(id, { kind, resolve, reject }),
    );
    this.worker.ref();
    this.post(of(id));
    return done;
  }

  /**
   * After the appends already asked for: the thread answers in order. The thread holds the process
   * open until it has exited, or a caller awaiting the close would never resume.
   */
  async close(): Promise<void> {
    if (!this.stopped) {
      this.worker.ref();
      this.post({ kind: 'close' });
    }
    await this.exited;
  }

  private post(request: WriterRequest): void {
    this.worker.postMessage(request);
  }

  private stop(error: Error): void {
    this.stopped ??= error;
    for (const waiting of this.waiting.values()) waiting.reject(this.stopped);
    this.waiting.clear();
  }
}

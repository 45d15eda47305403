import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { canonicalJson } from '../domain/canonical-json';
import { chainHash, GENESIS_HASH, sha256 } from '../domain/chain';
import type { AuditCheckpoint, AuditRecord, DisclosureContent } from '../domain/disclosure';
import { type AuditQuery, AuditStore } from './audit-store';

interface Row {
  seq: number;
  content: string;
  content_hash: string;
  prev_hash: string;
  hash: string;
}

interface IndexedRow extends Row {
  id: string;
  at: string;
  agency: string;
  user: string;
  purpose: string | null;
  outcome: string;
  action: string;
  subjects: string | null;
}

/** Stored bytes that no longer parse are kept as they are, so verification reports the entry altered. */
const parseContent = (raw: string): DisclosureContent => {
  try {
    return JSON.parse(raw) as DisclosureContent;
  } catch {
    return { unreadable: raw } as unknown as DisclosureContent;
  }
};

const toRecord = (row: Row): AuditRecord => ({
  seq: row.seq,
  content: parseContent(row.content),
  contentHash: row.content_hash,
  prevHash: row.prev_hash,
  hash: row.hash,
});

// The content column holds the canonical JSON that was hashed, so a verifier can hash it as stored.
const toIndexedRecord = (row: IndexedRow): AuditRecord => ({
  ...toRecord(row),
  canonical: row.content,
  indexed: {
    id: row.id,
    at: row.at,
    agency: row.agency,
    user: row.user,
    purpose: row.purpose,
    outcome: row.outcome,
    action: row.action,
    subjects: row.subjects ? row.subjects.split(',').sort() : [],
  },
});

/** The audit log in its own SQLite file, so audit commits never wait on ingestion or projections. */
export class SqliteAuditStore extends AuditStore {
  private readonly db: Database.Database;
  private prepared?: {
    readonly insert: Database.Statement;
    readonly index: Database.Statement;
    readonly lastRow: Database.Statement<[], { seq: number; hash: string }>;
  };

  constructor(file: string) {
    super();
    mkdirSync(dirname(file), { recursive: true });
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

  /** The append's statements, prepared once: every read of subject data appends. */
  private get appendStatements() {
    return (this.prepared ??= {
      insert: this.db.prepare(
        'INSERT INTO audit_records (seq, id, at, agency, user, purpose, outcome, action, content, content_hash, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      index: this.db.prepare('INSERT OR IGNORE INTO audit_subjects (subject_id, seq) VALUES (?, ?)'),
      lastRow: this.db.prepare<[], { seq: number; hash: string }>(
        'SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1',
      ),
    });
  }

  async append(contents: readonly DisclosureContent[]): Promise<AuditRecord[]> {
    const { insert, index, lastRow } = this.appendStatements;
    // IMMEDIATE takes the write lock before reading the chain's end: another process cannot fork it.
    return this.db
      .transaction(() => {
        const last = lastRow.get();
        let seq = last?.seq ?? 0;
        let prevHash = last?.hash ?? GENESIS_HASH;
        return contents.map((content) => {
          seq++;
          // The stored bytes are the hashed bytes.
          const canonical = canonicalJson(content);
          const contentHash = sha256(canonical);
          const hash = chainHash(prevHash, seq, contentHash);
          const { principal } = content;
          insert.run(
            seq,
            content.id,
            content.at,
            principal.agency,
            principal.user,
            content.purpose,
            content.outcome,
            content.action,
            canonical,
            contentHash,
            prevHash,
            hash,
          );
          const subjects = new Set([
            ...content.subjects.map((s) => s.subjectId),
            ...(content.refusal?.subjectId ? [content.refusal.subjectId] : []),
          ]);
          for (const subjectId of subjects) index.run(subjectId, seq);
          const record = { seq, content, contentHash, prevHash, hash };
          prevHash = hash;
          return record;
        });
      })
      .immediate();
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
    // With the filter columns and subject index, so verification can check them against the content.
    const page = this.db.prepare<[number, number], IndexedRow>(
      `SELECT r.seq, r.content, r.content_hash, r.prev_hash, r.hash, r.id, r.at, r.agency, r.user, r.purpose, r.outcome, r.action,
              (SELECT group_concat(subject_id) FROM audit_subjects s WHERE s.seq = r.seq) AS subjects
       FROM audit_records r WHERE r.seq > ? ORDER BY r.seq LIMIT ?`,
    );
    let after = 0;
    for (;;) {
      const rows = page.all(after, pageSize);
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.seq;
      yield rows.map(toIndexedRecord);
    }
  }

  async query(query: AuditQuery): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const add = (clause: string, value: string | number | undefined): void => {
      if (value === undefined) return;
      where.push(clause);
      params.push(value);
    };
    add('r.seq IN (SELECT seq FROM audit_subjects WHERE subject_id = ?)', query.subjectId);
    add('r.agency = ?', query.agency);
    add('r.user = ?', query.user);
    add('r.purpose = ?', query.purpose);
    add('r.outcome = ?', query.outcome);
    add('r.action = ?', query.action);
    add('r.at >= ?', query.from);
    add('r.at <= ?', query.to);
    add('r.seq < ?', query.beforeSeq);
    const sql = `SELECT r.seq, r.content, r.content_hash, r.prev_hash, r.hash FROM audit_records r ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.seq DESC LIMIT ?`;
    return this.db
      .prepare<(string | number)[], Row>(sql)
      .all(...params, query.limit)
      .map(toRecord);
  }

  async addCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    this.db
      .prepare(
        'INSERT OR IGNORE INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES (?, ?, ?, ?, ?)',
      )
      .run(checkpoint.seq, checkpoint.hash, checkpoint.at, checkpoint.keyId, checkpoint.signature);
  }

  async checkpoints(): Promise<AuditCheckpoint[]> {
    return this.db
      .prepare<[], { seq: number; hash: string; at: string; key_id: string; signature: string }>(
        'SELECT * FROM audit_checkpoints ORDER BY seq',
      )
      .all()
      .map((row) => ({
        seq: row.seq,
        hash: row.hash,
        at: row.at,
        keyId: row.key_id,
        signature: row.signature,
      }));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

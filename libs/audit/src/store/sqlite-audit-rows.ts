import type Database from 'better-sqlite3';
import type { AuditRecord, DisclosureContent } from '../domain/disclosure';

/*
 * How the SQLite audit store's rows become records, shared by the store and its verification
 * threads. Only relative imports: see startWorkerThread.
 */

export interface Row {
  seq: number;
  content: string;
  content_hash: string;
  prev_hash: string;
  hash: string;
}

export interface IndexedRow extends Row {
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

export const toRecord = (row: Row): AuditRecord => ({
  seq: row.seq,
  content: parseContent(row.content),
  contentHash: row.content_hash,
  prevHash: row.prev_hash,
  hash: row.hash,
});

// The content column holds the canonical JSON that was hashed, so a verifier can hash it as stored.
export const toIndexedRecord = (row: IndexedRow): AuditRecord => ({
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

/**
 * Records with afterSeq < seq <= toSeq in stored order, at most `limit`, with the filter columns and
 * subject index, so verification can check them against the content.
 */
export function scanRecords(
  db: Database.Database,
  afterSeq: number,
  toSeq: number,
  limit: number,
): AuditRecord[] {
  return db
    .prepare<[number, number, number], IndexedRow>(
      `SELECT r.seq, r.content, r.content_hash, r.prev_hash, r.hash, r.id, r.at, r.agency, r.user, r.purpose, r.outcome, r.action,
              (SELECT group_concat(subject_id) FROM audit_subjects s WHERE s.seq = r.seq) AS subjects
       FROM audit_records r WHERE r.seq > ? AND r.seq <= ? ORDER BY r.seq LIMIT ?`,
    )
    .all(afterSeq, toSeq, limit)
    .map(toIndexedRecord);
}

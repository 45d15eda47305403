import { type CheckedRecord, checkRecord } from '../domain/chain';
import type { AuditCheckpoint, AuditRecord, DisclosureContent } from '../domain/disclosure';

export interface AuditQuery {
  /** A subject, or every record of one person (see `IdentityIndex.recordsOf`). */
  readonly subjectId?: string | readonly string[];
  readonly agency?: string;
  readonly user?: string;
  readonly purpose?: string;
  readonly outcome?: 'disclosed' | 'refused' | 'decided';
  readonly action?: string;
  /** ISO date-times, inclusive. */
  readonly from?: string;
  readonly to?: string;
  /** Entries before this sequence number (paging, newest first). */
  readonly beforeSeq?: number;
  readonly limit: number;
}

/**
 * The register's filters as a WHERE clause on `audit_records r` (empty when there are none), with a
 * `?` for each parameter, in order: the same filters on every store.
 */
export function registerFilter(query: AuditQuery): {
  readonly where: string;
  readonly params: readonly (string | number)[];
} {
  const conditions: string[] = [];
  const params: (string | number)[] = [];
  const add = (condition: string, value: string | number | undefined): void => {
    if (value === undefined) return;
    conditions.push(condition);
    params.push(value);
  };
  const subjects = typeof query.subjectId === 'string' ? [query.subjectId] : (query.subjectId ?? []);
  if (subjects.length > 0) {
    conditions.push(
      `r.seq IN (SELECT seq FROM audit_subjects WHERE subject_id IN (${subjects.map(() => '?').join(', ')}))`,
    );
    params.push(...subjects);
  }
  add('r.agency = ?', query.agency);
  add('r."user" = ?', query.user);
  add('r.purpose = ?', query.purpose);
  add('r.outcome = ?', query.outcome);
  add('r.action = ?', query.action);
  add('r.at >= ?', query.from);
  add('r.at <= ?', query.to);
  add('r.seq < ?', query.beforeSeq);
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

/**
 * The audit log's storage: append-only (no operation edits or deletes), chained inside the append
 * transaction so that writers in several processes still form one chain.
 */
export abstract class AuditStore {
  /** Appends in order; each record links to the one stored before it. */
  abstract append(contents: readonly DisclosureContent[]): Promise<AuditRecord[]>;
  /**
   * Appends, in order, each content whose `id` the log does not hold yet (nor an earlier content of
   * the same call), deciding under the lock every append takes, so that two writers offering the
   * same record, in one process or several, store it once. Answers the records appended now.
   */
  abstract appendNew(contents: readonly DisclosureContent[]): Promise<AuditRecord[]>;
  abstract last(): Promise<{ seq: number; hash: string } | undefined>;
  abstract get(id: string): Promise<AuditRecord | undefined>;
  /** Records with fromSeq <= seq <= toSeq, in stored order. */
  abstract range(fromSeq: number, toSeq: number): Promise<AuditRecord[]>;
  /** Every record in stored order, a page at a time. */
  abstract scan(pageSize?: number): AsyncIterable<AuditRecord[]>;

  /**
   * Every record in stored order, each checked on its own (`checkRecord`), a page at a time: what
   * verification walks. A store may check its pages in parallel, as long as they come back in order.
   */
  async *checkedScan(): AsyncIterable<readonly CheckedRecord[]> {
    for await (const page of this.scan()) yield page.map(checkRecord);
  }
  /** Newest first. */
  abstract query(query: AuditQuery): Promise<AuditRecord[]>;
  abstract addCheckpoint(checkpoint: AuditCheckpoint): Promise<void>;
  /** In order of seq; with `fromSeq`, only those that sign entry fromSeq or a later one. */
  abstract checkpoints(fromSeq?: number): Promise<AuditCheckpoint[]>;
  abstract close(): Promise<void>;
}

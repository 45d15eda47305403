import { Pool, type PoolClient } from 'pg';
import { canonicalContent, chainHash, GENESIS_HASH, sha256 } from '../domain/chain';
import type { AuditCheckpoint, AuditRecord, DisclosureContent } from '../domain/disclosure';
import { type AuditQuery, AuditStore, registerFilter } from './audit-store';
import { POSTGRES_AUDIT_DDL } from './postgres-audit-schema';

interface Row {
  seq: string;
  content: DisclosureContent;
  content_hash: string;
  prev_hash: string;
  hash: string;
}

interface IndexedRow extends Row {
  id: string;
  at: Date;
  agency: string;
  user: string;
  purpose: string | null;
  outcome: string;
  action: string;
  subjects: string[] | null;
}

const toIndexedRecord = (row: IndexedRow): AuditRecord => ({
  ...toRecord(row),
  indexed: {
    id: row.id,
    at: row.at.toISOString(),
    agency: row.agency,
    user: row.user,
    purpose: row.purpose,
    outcome: row.outcome,
    action: row.action,
    subjects: [...(row.subjects ?? [])].sort(),
  },
});

const toRecord = (row: Row): AuditRecord => ({
  seq: Number(row.seq),
  content: row.content,
  contentHash: row.content_hash,
  prevHash: row.prev_hash,
  hash: row.hash,
});

// One lock for every writer of the chain, in every process: the end of the chain is read under it.
const CHAIN_LOCK = 7_412_093;
// Processes starting together must not race on CREATE TABLE IF NOT EXISTS (it is not atomic).
const DDL_LOCK = 7_412_094;

async function withDdlLock(pool: Pool, ddl: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [DDL_LOCK]);
    try {
      await client.query(ddl);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [DDL_LOCK]);
    }
  } finally {
    client.release();
  }
}

interface Queued {
  readonly contents: readonly DisclosureContent[];
  /** Only the contents whose id the log does not hold yet (appendNew). */
  readonly once: boolean;
  readonly resolve: (records: AuditRecord[]) => void;
  readonly reject: (error: unknown) => void;
}

/** The audit log in PostgreSQL (server mode). */
export class PostgresAuditStore extends AuditStore {
  private queue: Queued[] = [];
  private committing = false;

  private constructor(private readonly pool: Pool) {
    super();
  }

  static async open(connectionString: string): Promise<PostgresAuditStore> {
    const pool = new Pool({ connectionString, max: 8 });
    // An idle client that loses its connection must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    try {
      await withDdlLock(pool, POSTGRES_AUDIT_DDL);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresAuditStore(pool);
  }

  /**
   * Group commit: appends asked for while a commit is under way go together in the next one, in the
   * order asked. Should a group's commit fail, each append in it is tried on its own, so one bad
   * append (a repeated id) does not fail the others.
   */
  append(contents: readonly DisclosureContent[]): Promise<AuditRecord[]> {
    return this.enqueue(contents, false);
  }

  appendNew(contents: readonly DisclosureContent[]): Promise<AuditRecord[]> {
    return this.enqueue(contents, true);
  }

  private enqueue(contents: readonly DisclosureContent[], once: boolean): Promise<AuditRecord[]> {
    const appended = new Promise<AuditRecord[]>((resolve, reject) =>
      this.queue.push({ contents, once, resolve, reject }),
    );
    if (!this.committing) {
      this.committing = true;
      // After the current task, so appends asked for together (a batch of alerts) share the commit.
      queueMicrotask(() => void this.commitQueued());
    }
    return appended;
  }

  private async commitQueued(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      try {
        const records = await this.appendNow(group);
        group.forEach((queued, index) => queued.resolve(records[index]!));
      } catch (error) {
        if (group.length === 1) group[0]!.reject(error);
        else
          for (const queued of group)
            await this.appendNow([queued]).then(([records]) => queued.resolve(records!), queued.reject);
      }
    }
    this.committing = false;
  }

  /** One transaction for the group; answers the records appended for each of its requests. */
  private async appendNow(group: readonly Queued[]): Promise<AuditRecord[][]> {
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
      // Under the chain lock, so no other writer can store one of these ids between look and write.
      const offered = group.filter((queued) => queued.once).flatMap((queued) => queued.contents);
      const held = new Set<string>();
      if (offered.length > 0) {
        const found = await client.query<{ id: string }>(
          'SELECT id::text AS id FROM audit_records WHERE id = ANY($1::uuid[])',
          [offered.map((content) => content.id)],
        );
        for (const row of found.rows) held.add(row.id.toLowerCase());
      }
      const kept = group.map((queued) =>
        queued.once
          ? queued.contents.filter((content) => {
              const id = content.id.toLowerCase();
              if (held.has(id)) return false;
              held.add(id);
              return true;
            })
          : queued.contents,
      );
      const records = await this.chainAndInsert(client, kept.flat());
      let offset = 0;
      return kept.map((contents) => records.slice(offset, (offset += contents.length)));
    });
  }

  private async chainAndInsert(
    client: PoolClient,
    contents: readonly DisclosureContent[],
  ): Promise<AuditRecord[]> {
    if (contents.length === 0) return [];
    const { rows } = await client.query<{ seq: string; hash: string }>(
      'SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1',
    );
    let seq = rows[0] ? Number(rows[0].seq) : 0;
    let prevHash = rows[0]?.hash ?? GENESIS_HASH;
    const records: AuditRecord[] = [];
    const canonical: string[] = [];
    for (const content of contents) {
      seq++;
      canonical.push(canonicalContent(content));
      const contentHash = sha256(canonical[canonical.length - 1]!);
      const hash = chainHash(prevHash, seq, contentHash);
      records.push({ seq, content, contentHash, prevHash, hash });
      prevHash = hash;
    }
    await client.query(
      `INSERT INTO audit_records (seq, id, at, agency, "user", purpose, outcome, action, content, content_hash, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::text[], $11::text[], $12::text[])`,
      [
        records.map((r) => r.seq),
        records.map((r) => r.content.id),
        records.map((r) => r.content.at),
        records.map((r) => r.content.principal.agency),
        records.map((r) => r.content.principal.user),
        records.map((r) => r.content.purpose),
        records.map((r) => r.content.outcome),
        records.map((r) => r.content.action),
        canonical,
        records.map((r) => r.contentHash),
        records.map((r) => r.prevHash),
        records.map((r) => r.hash),
      ],
    );
    const index = records.flatMap((r) =>
      [
        ...new Set([
          ...r.content.subjects.map((s) => s.subjectId),
          ...(r.content.refusal?.subjectId ? [r.content.refusal.subjectId] : []),
        ]),
      ].map((subjectId) => [subjectId, r.seq] as const),
    );
    if (index.length > 0) {
      await client.query(
        'INSERT INTO audit_subjects (subject_id, seq) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING',
        [index.map(([subjectId]) => subjectId), index.map(([, seq]) => seq)],
      );
    }
    return records;
  }

  async last(): Promise<{ seq: number; hash: string } | undefined> {
    const { rows } = await this.pool.query<{ seq: string; hash: string }>(
      'SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1',
    );
    return rows[0] ? { seq: Number(rows[0].seq), hash: rows[0].hash } : undefined;
  }

  async get(id: string): Promise<AuditRecord | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const { rows } = await this.pool.query<Row>(
      'SELECT seq, content, content_hash, prev_hash, hash FROM audit_records WHERE id = $1',
      [id],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async range(fromSeq: number, toSeq: number): Promise<AuditRecord[]> {
    const { rows } = await this.pool.query<Row>(
      'SELECT seq, content, content_hash, prev_hash, hash FROM audit_records WHERE seq BETWEEN $1 AND $2 ORDER BY seq',
      [fromSeq, toSeq],
    );
    return rows.map(toRecord);
  }

  async *scan(pageSize = 5000): AsyncIterable<AuditRecord[]> {
    let after = 0;
    for (;;) {
      const { rows } = await this.pool.query<IndexedRow>(
        `SELECT r.seq, r.content, r.content_hash, r.prev_hash, r.hash, r.id, r.at, r.agency, r."user", r.purpose, r.outcome, r.action,
                (SELECT array_agg(subject_id) FROM audit_subjects s WHERE s.seq = r.seq) AS subjects
         FROM audit_records r WHERE r.seq > $1 ORDER BY r.seq LIMIT $2`,
        [after, pageSize],
      );
      if (rows.length === 0) return;
      after = Number(rows[rows.length - 1]!.seq);
      yield rows.map(toIndexedRecord);
    }
  }

  async query(query: AuditQuery): Promise<AuditRecord[]> {
    const { where, params } = registerFilter(query);
    let placeholder = 0;
    const numbered = where.replace(/\?/g, () => `$${++placeholder}`);
    const { rows } = await this.pool.query<Row>(
      `SELECT r.seq, r.content, r.content_hash, r.prev_hash, r.hash FROM audit_records r ${numbered} ORDER BY r.seq DESC LIMIT $${placeholder + 1}`,
      [...params, query.limit],
    );
    return rows.map(toRecord);
  }

  async addCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    await this.pool.query(
      'INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
      [checkpoint.seq, checkpoint.hash, checkpoint.at, checkpoint.keyId, checkpoint.signature],
    );
  }

  async checkpoints(fromSeq = 0): Promise<AuditCheckpoint[]> {
    const { rows } = await this.pool.query<{
      seq: string;
      hash: string;
      at: string;
      key_id: string;
      signature: string;
    }>('SELECT * FROM audit_checkpoints WHERE seq >= $1 ORDER BY seq', [fromSeq]);
    return rows.map((row) => ({
      seq: Number(row.seq),
      hash: row.hash,
      at: row.at,
      keyId: row.key_id,
      signature: row.signature,
    }));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }
}

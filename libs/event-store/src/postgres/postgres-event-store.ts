import { createHash } from 'node:crypto';
import { DatabaseError, Pool, type PoolClient } from 'pg';
import { appendResults, planAppend, type AppendPlan } from '../append-plan';
import { IDENTIFIER_FORMS_VERSION, IDENTITY_EVENT_TYPES } from '@throughline/domain';
import { DuplicateEventError, IdentifierTakenError, WrongExpectedRevisionError } from '../errors';
import type {
  AppendRequest,
  AppendResult,
  EventMetadata,
  IdentifierClaim,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
} from '../event-store';
import { ClaimsFromLog } from '../identifier-claims';
import { EventStore } from '../store';
import { assertSchemaName, postgresSchemaDdl } from './postgres-schema';

export interface PostgresEventStoreOptions {
  readonly connectionString: string;
  /** Defaults to `public`; created with the tables on `open()` when missing. */
  readonly schema?: string;
  readonly maxConnections?: number;
}

const COLUMNS = 'position, event_id, stream_id, revision, type, data, metadata, recorded_at';
const UNIQUE_VIOLATION = '23505';

interface EventRow {
  /** pg returns BIGINT as a string to avoid precision loss; positions stay far below 2^53. */
  position: string;
  event_id: string;
  stream_id: string;
  revision: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
}

/**
 * The event log in PostgreSQL, for several API and worker processes sharing one database.
 *
 * Every append transaction takes one transaction-scoped advisory lock before it inserts. An
 * identity column hands out positions at insert time, but transactions commit in any order: without
 * the lock, position 11 can become visible before position 10, a subscriber reading `position > 9`
 * checkpoints at 11, and event 10 is skipped for ever when it commits. Holding the lock from before
 * the insert until the commit makes positions commit in the order they were assigned (the lock is
 * released only after the commit is visible). The price is one writer at a time per schema, which
 * batching keeps cheap. See docs/decisions/0001-postgres-global-order.md.
 */
export class PostgresEventStore extends EventStore {
  readonly backend = 'postgres' as const;
  private readonly lockKey: string;

  private constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {
    super();
    this.lockKey = advisoryLockKey(schema);
  }

  static async open(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const schema = options.schema ?? 'public';
    assertSchemaName(schema);
    const pool = new Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 10 });
    // An idle connection dropped by the server is discarded by the pool; unhandled, the event
    // would crash the process.
    pool.on('error', () => undefined);
    const store = new PostgresEventStore(pool, schema);
    try {
      await store.transaction(async (client) => {
        // Two processes starting together would otherwise race on CREATE ... IF NOT EXISTS.
        await client.query(`SELECT pg_advisory_xact_lock(${store.lockKey})`);
        const { rows } = await client.query<{ found: string | null }>(
          `SELECT to_regclass('${store.schema}.identifiers')::text AS found`,
        );
        await client.query(postgresSchemaDdl(store.schema));
        // A log written before claims existed, or whose claims were made under other identifier
        // forms, gains them under the append lock, so no append can claim an identifier meanwhile.
        const forms = await client.query<{ version: number | null }>(
          `SELECT MAX(version) AS version FROM ${store.schema}.identifier_forms`,
        );
        if (rows[0]?.found === null || forms.rows[0]?.version !== IDENTIFIER_FORMS_VERSION)
          await store.backfillIdentifiers(client);
      });
    } catch (error) {
      await pool.end();
      throw error;
    }
    return store;
  }

  async appendMany(requests: readonly AppendRequest[]): Promise<AppendResult[]> {
    const results = await this.transaction(async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(${this.lockKey})`);
      const streamIds = [...new Set(requests.map((request) => request.streamId))];
      const current = await client.query<{ stream_id: string; revision: string }>(
        `SELECT stream_id, revision FROM ${this.schema}.streams WHERE stream_id = ANY($1::text[])`,
        [streamIds],
      );
      const revisions = new Map(current.rows.map((row) => [row.stream_id, Number(row.revision)]));
      const plan = planAppend(requests, (streamId) => revisions.get(streamId) ?? -1);
      if (plan.releases.length > 0)
        await client.query(
          `DELETE FROM ${this.schema}.identifiers i
           USING unnest($1::text[], $2::text[]) AS r(identifier, owner)
           WHERE i.identifier = r.identifier AND i.subject_id = r.owner`,
          [plan.releases.map((r) => r.identifier), plan.releases.map((r) => r.owner)],
        );
      await this.claim(client, plan.claims);
      return this.write(client, plan);
    }).catch((error: unknown) => this.translate(error, requests));
    this.notifyAppended();
    return results;
  }

  private async backfillIdentifiers(client: PoolClient): Promise<void> {
    await client.query(`DELETE FROM ${this.schema}.identifiers`);
    await client.query(`DELETE FROM ${this.schema}.identifier_forms`);
    await client.query(`INSERT INTO ${this.schema}.identifier_forms (version) VALUES ($1)`, [
      IDENTIFIER_FORMS_VERSION,
    ]);
    const claims = new ClaimsFromLog();
    for (let after = 0; ;) {
      const { rows } = await client.query<EventRow>(
        `SELECT ${COLUMNS} FROM ${this.schema}.events
         WHERE position > $1 AND type = ANY($2::text[]) ORDER BY position LIMIT 5000`,
        [after, IDENTITY_EVENT_TYPES],
      );
      for (const row of rows) claims.add(toRecordedEvent(row));
      if (rows.length < 5000) break;
      after = Number(rows[rows.length - 1]!.position);
    }
    await this.claim(client, claims.all);
  }

  /**
   * A claim its owner already holds writes nothing; any other claim of a held identifier breaks the
   * primary key, which refuses the append even if something wrote without the lock.
   */
  private async claim(client: PoolClient, claims: readonly IdentifierClaim[]): Promise<void> {
    if (claims.length === 0) return;
    await client.query(
      `INSERT INTO ${this.schema}.identifiers (identifier, subject_id, event_id)
       SELECT c.identifier, c.owner, c.event_id
       FROM unnest($1::text[], $2::text[], $3::text[]) AS c(identifier, owner, event_id)
       WHERE NOT EXISTS (
         SELECT 1 FROM ${this.schema}.identifiers i WHERE i.identifier = c.identifier AND i.subject_id = c.owner
       )`,
      [claims.map((c) => c.identifier), claims.map((c) => c.owner), claims.map((c) => c.eventId)],
    );
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.schema}.events
       WHERE stream_id = $1 AND ($2::bigint IS NULL OR revision ${backwards ? '<=' : '>='} $2)
       ORDER BY revision ${backwards ? 'DESC' : 'ASC'} LIMIT $3`,
      [streamId, options.fromRevision ?? null, options.maxCount ?? null],
    );
    return rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.schema}.events
       WHERE position > $1 AND ($3::text[] IS NULL OR type = ANY($3::text[]))
       ORDER BY position LIMIT $2`,
      [options.after ?? 0, options.maxCount ?? null, options.types ?? null],
    );
    return rows.map(toRecordedEvent);
  }

  async findByIds(ids: readonly string[], streamId?: string): Promise<RecordedEvent[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.schema}.events
       WHERE event_id = ANY($1::text[]) AND ($2::text IS NULL OR stream_id = $2)
       ORDER BY position`,
      [ids, streamId ?? null],
    );
    return rows.map(toRecordedEvent);
  }

  override findByIdsInStreams(idsByStream: ReadonlyMap<string, readonly string[]>): Promise<RecordedEvent[]> {
    return this.findInOneLookup(idsByStream);
  }

  async streamRevision(streamId: string): Promise<number> {
    const { rows } = await this.pool.query<{ revision: string }>(
      `SELECT revision FROM ${this.schema}.streams WHERE stream_id = $1`,
      [streamId],
    );
    return rows[0] ? Number(rows[0].revision) : -1;
  }

  async headPosition(): Promise<number> {
    const { rows } = await this.pool.query<{ head: string }>(
      `SELECT COALESCE(MAX(position), 0) AS head FROM ${this.schema}.events`,
    );
    return Number(rows[0]?.head ?? 0);
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  /** One round trip for all the events and their streams, however many requests the call holds. */
  private async write(client: PoolClient, plan: AppendPlan): Promise<AppendResult[]> {
    const { events } = plan;
    if (events.length === 0) return appendResults(plan, () => 0);
    const { rows } = await client.query<{ event_id: string; position: string }>(
      `WITH upserted AS (
         INSERT INTO ${this.schema}.streams (stream_id, revision)
         SELECT * FROM unnest($7::text[], $8::bigint[])
         ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision
       )
       INSERT INTO ${this.schema}.events (event_id, stream_id, revision, type, data, metadata)
       SELECT event_id, stream_id, revision, type, data, metadata
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::jsonb[], $6::jsonb[])
         WITH ORDINALITY AS e(event_id, stream_id, revision, type, data, metadata, ord)
       ORDER BY ord
       RETURNING event_id, position`,
      [
        events.map((e) => e.event.id),
        events.map((e) => e.streamId),
        events.map((e) => e.revision),
        events.map((e) => e.event.type),
        events.map((e) => JSON.stringify(e.event.data ?? null)),
        events.map((e) => JSON.stringify(e.event.metadata)),
        [...plan.streamRevisions.keys()],
        [...plan.streamRevisions.values()],
      ],
    );
    const positions = new Map(rows.map((row) => [row.event_id, Number(row.position)]));
    return appendResults(plan, (id) => positions.get(id)!);
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The claim the stored owners refuse, as other appends committed them. */
  private async taken(error: DatabaseError, requests: readonly AppendRequest[]): Promise<unknown> {
    const claims = requests.flatMap((request) => request.claims ?? []);
    const { rows } = await this.pool.query<{ identifier: string; subject_id: string }>(
      `SELECT identifier, subject_id FROM ${this.schema}.identifiers WHERE identifier = ANY($1::text[])`,
      [claims.map((claim) => claim.identifier)],
    );
    const owners = new Map(rows.map((row) => [row.identifier, row.subject_id]));
    const taken = claims.find((claim) => (owners.get(claim.identifier) ?? claim.owner) !== claim.owner);
    return taken ? new IdentifierTakenError(taken.identifier, owners.get(taken.identifier)!) : error;
  }

  /** Runs after the rollback, so what is found is what other appends committed. */
  private async translate(error: unknown, requests: readonly AppendRequest[]): Promise<never> {
    if (!(error instanceof DatabaseError) || error.code !== UNIQUE_VIOLATION) throw error;
    if (error.constraint === 'identifiers_pkey') throw await this.taken(error, requests);
    if (error.constraint === 'events_event_id_key') {
      const ids = requests.flatMap((request) => request.events.map((event) => event.id));
      const stored = await this.findByIds(ids);
      throw new DuplicateEventError(stored.map((event) => event.id));
    }
    // Only reachable if something writes without the lock: report it as the conflict it is.
    const request = requests.find((r) => error.detail?.includes(`(${r.streamId},`)) ?? requests[0];
    if (!request) throw error;
    const { rows } = await this.pool.query<{ revision: string }>(
      `SELECT revision FROM ${this.schema}.streams WHERE stream_id = $1`,
      [request.streamId],
    );
    const actual = rows[0] ? Number(rows[0].revision) : -1;
    throw new WrongExpectedRevisionError(request.streamId, request.expectedRevision, actual);
  }
}

/** A stable 64-bit key per schema, so stores in different schemas do not serialise each other. */
function advisoryLockKey(schema: string): string {
  return createHash('sha256')
    .update(`throughline.event-store:${schema}`)
    .digest()
    .readBigInt64BE(0)
    .toString();
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: Number(row.position),
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}

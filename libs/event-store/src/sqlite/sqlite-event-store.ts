import Database from 'better-sqlite3';
import {
  FALLBACK_AUTOCHECKPOINT_PAGES,
  preparePrivateSqliteFile,
  SqliteCheckpointer,
} from '@throughline/platform';
import { IDENTIFIER_FORMS_VERSION, IDENTITY_EVENT_TYPES } from '@throughline/domain';
import { appendResults, planAppend, type AppendPlan } from '../append-plan';
import { DuplicateEventError, IdentifierTakenError } from '../errors';
import type {
  AppendRequest,
  AppendResult,
  EventMetadata,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
} from '../event-store';
import { ClaimsFromLog } from '../identifier-claims';
import { EventStore } from '../store';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS streams (
    stream_id TEXT PRIMARY KEY,
    revision INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    stream_id TEXT NOT NULL REFERENCES streams (stream_id),
    revision INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    metadata TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    UNIQUE (stream_id, revision)
  );
`;

/**
 * Made apart from SCHEMA: a store that lacks it is backfilled from its log when it is made, and
 * filled again when its claims were made under other identifier forms than today's (the version in
 * `identifier_forms`, one row).
 */
const IDENTIFIERS = `
  CREATE TABLE IF NOT EXISTS identifiers (
    identifier TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL,
    event_id TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE IF NOT EXISTS identifier_forms (version INTEGER NOT NULL);
`;

const COLUMNS = 'position, event_id, stream_id, revision, type, data, metadata, recorded_at';

/** SQLite's no-limit value for LIMIT. */
const NO_LIMIT = -1;

/**
 * A row as an array in COLUMNS order: the statements return rows raw, which spares an object per
 * row on the paths that read the whole log. recordedAt is milliseconds since the epoch: compact,
 * and sorts and compares without parsing.
 */
type EventRow = [
  position: number,
  eventId: string,
  streamId: string,
  revision: number,
  type: string,
  data: string,
  metadata: string,
  recordedAt: number,
];

/**
 * The event log in one SQLite file, for a single node. SQLite serialises writers, so positions are
 * committed in the order they are assigned and a reader can never skip a late commit.
 */
export class SqliteEventStore extends EventStore {
  readonly backend = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements;
  private readonly appendTransaction;
  private checkpointer: SqliteCheckpointer | undefined;

  /** @param path a file path (its directory is created) or `:memory:`. */
  constructor(private readonly path: string) {
    super();
    if (path !== ':memory:') preparePrivateSqliteFile(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // An acknowledged append must survive power loss, not only a process crash.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    // Another process (the CLI, a worker) may hold the write lock briefly; wait rather than fail.
    this.db.pragma('busy_timeout = 5000');
    // A checkpointer thread copies the log into the file (see SqliteCheckpointer), from the first append.
    this.db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    this.db.exec(SCHEMA);
    this.createIdentifiers();

    this.statements = {
      streamRevision: this.db
        .prepare<[string], number>('SELECT revision FROM streams WHERE stream_id = ?')
        .pluck(),
      upsertStream: this.db.prepare<[string, number]>(
        `INSERT INTO streams (stream_id, revision) VALUES (?, ?)
         ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision`,
      ),
      insertEvent: this.db.prepare<[string, string, number, string, string, string, number]>(
        `INSERT INTO events (event_id, stream_id, revision, type, data, metadata, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      readForwards: this.eventRows<[string, number, number]>(
        `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
      ),
      readBackwards: this.eventRows<[string, number, number]>(
        `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
      ),
      readAll: this.eventRows<[number, number]>(
        `SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
      ),
      // The types travel as a JSON array, as the ids of findByIds do.
      readAllOfTypes: this.eventRows<[number, string, number]>(
        `SELECT ${COLUMNS} FROM events
         WHERE position > ? AND type IN (SELECT value FROM json_each(?))
         ORDER BY position LIMIT ?`,
      ),
      // One statement for any number of ids: the ids travel as a JSON array.
      findByIds: this.eventRows<[string, string | null, string | null]>(
        `SELECT ${COLUMNS} FROM events
         WHERE event_id IN (SELECT value FROM json_each(?)) AND (? IS NULL OR stream_id = ?)
         ORDER BY position`,
      ),
      headPosition: this.db.prepare<[], number>('SELECT COALESCE(MAX(position), 0) FROM events').pluck(),
      // A claim its owner already holds writes nothing; any other claim of a held identifier breaks
      // the primary key, and the append rolls back.
      claim: this.db.prepare<[string, string, string, string, string]>(
        `INSERT INTO identifiers (identifier, subject_id, event_id)
         SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM identifiers WHERE identifier = ? AND subject_id = ?)`,
      ),
      release: this.db.prepare<[string, string]>(
        'DELETE FROM identifiers WHERE identifier = ? AND subject_id = ?',
      ),
      owners: this.db
        .prepare<[string], [string, string]>(
          'SELECT identifier, subject_id FROM identifiers WHERE identifier IN (SELECT value FROM json_each(?))',
        )
        .raw(),
    };

    this.appendTransaction = this.db.transaction((requests: readonly AppendRequest[]) => {
      const plan = planAppend(requests, (streamId) => this.statements.streamRevision.get(streamId) ?? -1);
      return this.write(plan);
    });
  }

  /**
   * Creates the claims table of a store made before it existed, or empties one whose claims were
   * made under other identifier forms, and fills it from the log's registrations and links read by
   * today's forms, under the write lock: no append can claim an identifier meanwhile.
   */
  private createIdentifiers(): void {
    const create = this.db.transaction(() => {
      const tables = this.db
        .prepare<[], string>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('identifiers', 'identifier_forms')",
        )
        .pluck()
        .all();
      const forms =
        tables.length === 2
          ? this.db.prepare<[], number | null>('SELECT MAX(version) FROM identifier_forms').pluck().get()
          : undefined;
      if (forms === IDENTIFIER_FORMS_VERSION) return;
      this.db.exec(IDENTIFIERS);
      this.db.exec('DELETE FROM identifiers; DELETE FROM identifier_forms;');
      this.db
        .prepare<[number]>('INSERT INTO identifier_forms (version) VALUES (?)')
        .run(IDENTIFIER_FORMS_VERSION);
      const claims = new ClaimsFromLog();
      const page = this.db
        .prepare<[number, string], EventRow>(
          `SELECT ${COLUMNS} FROM events
           WHERE position > ? AND type IN (SELECT value FROM json_each(?)) ORDER BY position LIMIT 5000`,
        )
        .raw();
      const types = JSON.stringify(IDENTITY_EVENT_TYPES);
      for (let after = 0; ;) {
        const rows = page.all(after, types);
        for (const row of rows) claims.add(toRecordedEvent(row));
        if (rows.length < 5000) break;
        after = rows[rows.length - 1]![0];
      }
      const insert = this.db.prepare<[string, string, string]>(
        'INSERT INTO identifiers (identifier, subject_id, event_id) VALUES (?, ?, ?)',
      );
      for (const claim of claims.all) insert.run(claim.identifier, claim.owner, claim.eventId);
    });
    create.immediate();
  }

  /** A statement returning event rows raw (see EventRow). */
  private eventRows<Params extends unknown[]>(sql: string): Database.Statement<Params, EventRow> {
    return this.db.prepare<Params, EventRow>(sql).raw();
  }

  static async open(path: string): Promise<SqliteEventStore> {
    return new SqliteEventStore(path);
  }

  async appendMany(requests: readonly AppendRequest[]): Promise<AppendResult[]> {
    let results: AppendResult[];
    try {
      // IMMEDIATE takes the write lock up front, so two processes cannot both read a revision and
      // then deadlock upgrading to write.
      results = this.appendTransaction.immediate(requests);
      if (!this.checkpointer && this.path !== ':memory:')
        this.checkpointer = new SqliteCheckpointer(this.path);
    } catch (error) {
      throw this.translate(error, requests);
    }
    this.notifyAppended();
    return results;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.maxCount ?? NO_LIMIT;
    const rows =
      options.direction === 'backwards'
        ? this.statements.readBackwards.all(streamId, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
        : this.statements.readForwards.all(streamId, options.fromRevision ?? 0, limit);
    return rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? 0;
    const limit = options.maxCount ?? NO_LIMIT;
    const rows = options.types
      ? this.statements.readAllOfTypes.all(after, JSON.stringify(options.types), limit)
      : this.statements.readAll.all(after, limit);
    return rows.map(toRecordedEvent);
  }

  async findByIds(ids: readonly string[], streamId?: string): Promise<RecordedEvent[]> {
    if (ids.length === 0) return [];
    const stream = streamId ?? null;
    return this.statements.findByIds.all(JSON.stringify(ids), stream, stream).map(toRecordedEvent);
  }

  override findByIdsInStreams(idsByStream: ReadonlyMap<string, readonly string[]>): Promise<RecordedEvent[]> {
    return this.findInOneLookup(idsByStream);
  }

  async streamRevision(streamId: string): Promise<number> {
    return this.statements.streamRevision.get(streamId) ?? -1;
  }

  async headPosition(): Promise<number> {
    return this.statements.headPosition.get() ?? 0;
  }

  async close(): Promise<void> {
    await this.checkpointer?.close();
    this.checkpointer = undefined;
    if (this.db.open) this.db.close();
  }

  private write(plan: AppendPlan): AppendResult[] {
    const recordedAt = Date.now();
    for (const { identifier, owner } of plan.releases) this.statements.release.run(identifier, owner);
    for (const { identifier, owner, eventId } of plan.claims) {
      this.statements.claim.run(identifier, owner, eventId, identifier, owner);
    }
    // Stream rows go first: events reference them.
    for (const [streamId, revision] of plan.streamRevisions) {
      this.statements.upsertStream.run(streamId, revision);
    }
    const positions = new Map<string, number>();
    for (const { streamId, revision, event } of plan.events) {
      const { lastInsertRowid } = this.statements.insertEvent.run(
        event.id,
        streamId,
        revision,
        event.type,
        JSON.stringify(event.data ?? null),
        JSON.stringify(event.metadata),
        recordedAt,
      );
      positions.set(event.id, Number(lastInsertRowid));
    }
    return appendResults(plan, (id) => positions.get(id)!);
  }

  /** Names the duplicate ids or the taken identifier after the rollback, as other appends stored them. */
  private translate(error: unknown, requests: readonly AppendRequest[]): unknown {
    if (isUniqueViolationOf(error, 'identifiers.identifier')) {
      const claims = requests.flatMap((request) => request.claims ?? []);
      const owners = new Map(this.statements.owners.all(JSON.stringify(claims.map((c) => c.identifier))));
      const taken = claims.find((claim) => (owners.get(claim.identifier) ?? claim.owner) !== claim.owner);
      return taken ? new IdentifierTakenError(taken.identifier, owners.get(taken.identifier)!) : error;
    }
    if (!isUniqueViolationOf(error, 'events.event_id')) return error;
    const ids = requests.flatMap((request) => request.events.map((event) => event.id));
    const stored = this.statements.findByIds.all(JSON.stringify(ids), null, null);
    return new DuplicateEventError(stored.map(([, eventId]) => eventId));
  }
}

/**
 * Matched by shape, not by class: the native addon keeps the error class of the first module
 * instance (and realm) that loaded it, so `instanceof` fails where the module is loaded twice, as
 * in a test runner that isolates files.
 */
function isUniqueViolationOf(error: unknown, column: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') &&
    typeof message === 'string' &&
    message.includes(column)
  );
}

/**
 * An event as read from the file. The time it was recorded stays the row's milliseconds until
 * asked for: few readers ask, and a Date made for every event a rebuild reads is garbage at once.
 */
class StoredEvent implements RecordedEvent {
  constructor(
    readonly id: string,
    readonly type: string,
    readonly streamId: string,
    readonly revision: number,
    readonly position: number,
    readonly data: unknown,
    readonly metadata: EventMetadata,
    private readonly recordedMs: number,
  ) {}

  get recordedAt(): Date {
    return new Date(this.recordedMs);
  }
}

/** Indexed rather than destructured: this runs for every event a rebuild reads. */
function toRecordedEvent(row: EventRow): RecordedEvent {
  return new StoredEvent(
    row[1],
    row[4],
    row[2],
    row[3],
    row[0],
    JSON.parse(row[5]) as unknown,
    JSON.parse(row[6]) as EventMetadata,
    row[7],
  );
}

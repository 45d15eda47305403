import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type EventData,
  type JSONType,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { assertExpectedRevision, assertUniqueIdsWithin, planClaims } from '../append-plan';
import { DuplicateEventError, IdentifierTakenError, WrongExpectedRevisionError } from '../errors';
import type {
  AppendRequest,
  AppendResult,
  EventMetadata,
  EventToAppend,
  ExpectedRevision,
  IdentifierClaim,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
} from '../event-store';
import { EventStore } from '../store';

const ALL_PAGE_SIZE = 1000;
const FIND_PAGE_SIZE = 500;
/** The stream that reserves an identifier for its owner; kept out of global reads. */
const RESERVATION_PREFIX = 'identifier-';
const RESERVATION_TYPE = 'IdentifierReserved';

/**
 * The event log in EventStoreDB (22.6 or later, which reports positions on stream reads).
 *
 * Differences the contract allows, each covered by a capability flag in the contract suite:
 * - appendMany applies its requests one after the other: EventStoreDB has no transaction across
 *   streams, so a conflict in a later request leaves the earlier ones stored.
 * - Event ids are unique per stream, not across the log, and must be UUIDs. EventStoreDB answers a
 *   repeated id with a silent idempotent success, so the target stream is scanned for the ids first.
 * - findByIds needs the stream to search.
 * - The global position is the commit position in the transaction log: strictly increasing but
 *   not dense. Appends over gRPC are implicitly committed, so every event has a commit position of
 *   its own (equal to its prepare position) and `after` can be turned back into a read position.
 *   System events ($-prefixed streams and types) are left out of readAll.
 * - Identifier claims are reservation streams, one per identifier, created with expected revision
 *   `no_stream` before the requests are appended: not atomic with them, so a refused or interrupted
 *   append may leave its reservations held. Its owner may claim them again (a retry of the same
 *   registration names the same subject); anyone else is refused. See decision 0016.
 */
export class EventStoreDbEventStore extends EventStore {
  readonly backend = 'eventstoredb' as const;

  private constructor(private readonly client: EventStoreDBClient) {
    super();
  }

  static async connect(connectionString: string): Promise<EventStoreDbEventStore> {
    return new EventStoreDbEventStore(EventStoreDBClient.connectionString(connectionString));
  }

  async appendMany(requests: readonly AppendRequest[]): Promise<AppendResult[]> {
    assertUniqueIdsWithin(requests);
    for (const claim of planClaims(requests)) await this.reserve(claim);
    const results: AppendResult[] = [];
    try {
      for (const request of requests) results.push(await this.appendOne(request));
    } finally {
      // Earlier requests may be stored even when a later one fails.
      if (results.length > 0) this.notifyAppended();
    }
    return results;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (options.maxCount === 0) return [];
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision === undefined ? undefined : BigInt(options.fromRevision);
    const resolved = await this.readStreamRaw(streamId, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: from ?? (backwards ? END : START),
      ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    });
    return resolved.map(toRecordedEvent);
  }

  async streamRevision(streamId: string): Promise<number> {
    const [last] = await this.readStreamRaw(streamId, {
      direction: BACKWARDS,
      fromRevision: END,
      maxCount: 1,
    });
    return last?.event ? Number(last.event.revision) : -1;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    const types = options.types ? new Set(options.types) : undefined;
    const found: RecordedEvent[] = [];
    let after = options.after ?? 0;
    let from: ReadPosition = after > 0 ? { commit: BigInt(after), prepare: BigInt(after) } : START;
    while (found.length < maxCount) {
      // One more than needed: reading from a position includes the event at that position.
      const pageSize = Math.min(maxCount - found.length + 1, ALL_PAGE_SIZE);
      const page: AllStreamResolvedEvent[] = await collect(
        this.client.readAll({ fromPosition: from, maxCount: pageSize }),
      );
      for (const resolved of page) {
        const event = resolved.event;
        if (!event || Number(event.position.commit) <= after || isSystem(event)) continue;
        if (types && !types.has(event.type)) continue;
        if (found.length < maxCount) found.push(toRecordedEvent(resolved));
      }
      const last = page[page.length - 1]?.event;
      if (page.length < pageSize || !last) break;
      from = last.position;
      after = Math.max(after, Number(last.position.commit));
    }
    return found;
  }

  /** Scans `streamId` from its end; EventStoreDB keeps no index from event id to stream. */
  async findByIds(ids: readonly string[], streamId?: string): Promise<RecordedEvent[]> {
    if (streamId === undefined) {
      throw new Error('EventStoreDbEventStore.findByIds needs the stream id to search');
    }
    const wanted = new Set(ids);
    const found: RecordedEvent[] = [];
    let from: bigint | typeof END = END;
    while (wanted.size > 0) {
      const page = await this.readStreamRaw(streamId, {
        direction: BACKWARDS,
        fromRevision: from,
        maxCount: FIND_PAGE_SIZE,
      });
      for (const resolved of page) {
        if (resolved.event && wanted.delete(resolved.event.id)) found.push(toRecordedEvent(resolved));
      }
      const last = page[page.length - 1]?.event;
      if (page.length < FIND_PAGE_SIZE || !last || last.revision === 0n) break;
      from = last.revision - 1n;
    }
    return found.sort((a, b) => a.position - b.position);
  }

  async headPosition(): Promise<number> {
    let from: ReadPosition = END;
    for (;;) {
      const page: AllStreamResolvedEvent[] = await collect(
        this.client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: ALL_PAGE_SIZE }),
      );
      const newest = page.find((resolved) => resolved.event && !isSystem(resolved.event));
      if (newest?.event) return Number(newest.event.position.commit);
      const last = page[page.length - 1]?.event;
      if (page.length < ALL_PAGE_SIZE || !last) return 0;
      from = last.position;
    }
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  private async appendOne(request: AppendRequest): Promise<AppendResult> {
    const { streamId, events } = request;
    if (events.length === 0) {
      const actual = await this.currentRevision(streamId);
      assertExpectedRevision(streamId, request.expectedRevision, actual);
      return { streamId, nextExpectedRevision: actual, events: [] };
    }
    const stored = await this.findByIds(
      events.map((event) => event.id),
      streamId,
    );
    if (stored.length > 0) throw new DuplicateEventError(stored.map((event) => event.id));

    let next: bigint;
    try {
      const result = await this.client.appendToStream(streamId, events.map(toEventData), {
        expectedRevision: toExpectedRevision(request.expectedRevision),
      });
      // Without throwOnAppendFailure the client reports a conflict as a result, with a wrong revision.
      if (!result.success) throw await this.conflict(request);
      next = result.nextExpectedRevision;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) throw await this.conflict(request);
      throw error;
    }

    // The append result carries one position for the whole write; each event's comes from a read.
    const first = next - BigInt(events.length - 1);
    const written = await this.readStreamRaw(streamId, { fromRevision: first, maxCount: events.length });
    return {
      streamId,
      nextExpectedRevision: Number(next),
      events: written.map(toRecordedEvent).map(({ id, revision, position }) => ({ id, revision, position })),
    };
  }

  /** Creates the identifier's reservation stream, or finds it is already its owner's. */
  private async reserve(claim: IdentifierClaim): Promise<void> {
    const streamId = `${RESERVATION_PREFIX}${claim.identifier}`;
    const reservation: EventData = {
      id: randomUUID(),
      contentType: 'application/json',
      type: RESERVATION_TYPE,
      data: { owner: claim.owner, eventId: claim.eventId },
      metadata: {},
    };
    try {
      const result = await this.client.appendToStream(streamId, [reservation], {
        expectedRevision: NO_STREAM,
      });
      if (result.success) return;
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
    const [first] = await this.readStreamRaw(streamId, {
      direction: FORWARDS,
      fromRevision: START,
      maxCount: 1,
    });
    const owner = (first?.event?.data as { owner?: unknown } | undefined)?.owner;
    if (owner !== claim.owner) throw new IdentifierTakenError(claim.identifier, String(owner));
  }

  private async conflict(request: AppendRequest): Promise<WrongExpectedRevisionError> {
    const actual = await this.currentRevision(request.streamId);
    return new WrongExpectedRevisionError(request.streamId, request.expectedRevision, actual);
  }

  private async currentRevision(streamId: string): Promise<number> {
    const [last] = await this.readStreamRaw(streamId, {
      direction: BACKWARDS,
      fromRevision: END,
      maxCount: 1,
    });
    return last?.event ? Number(last.event.revision) : -1;
  }

  private async readStreamRaw(
    streamId: string,
    options: Parameters<EventStoreDBClient['readStream']>[1],
  ): Promise<ResolvedEvent[]> {
    try {
      return await collect(this.client.readStream(streamId, options));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }
}

async function collect<E>(read: AsyncIterable<E>): Promise<E[]> {
  const items: E[] = [];
  for await (const item of read) items.push(item);
  return items;
}

function toExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return expected < 0 ? NO_STREAM : BigInt(expected);
  }
}

function toEventData(event: EventToAppend): EventData {
  return {
    id: event.id,
    contentType: 'application/json',
    type: event.type,
    data: (event.data ?? null) as JSONType,
    metadata: event.metadata as JSONType,
  };
}

/** Left out of global reads: EventStoreDB's own events, and the identifier reservations. */
function isSystem(event: { streamId: string; type: string }): boolean {
  return (
    event.streamId.startsWith('$') ||
    event.type.startsWith('$') ||
    event.streamId.startsWith(RESERVATION_PREFIX)
  );
}

function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent {
  const event = resolved.event;
  if (!event) throw new Error('EventStoreDB returned a link to a deleted event');
  const commit = event.position?.commit ?? resolved.commitPosition;
  if (commit === undefined) {
    throw new Error('EventStoreDB did not report event positions: version 22.6 or later is required');
  }
  return {
    id: event.id,
    type: event.type,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: Number(commit),
    data: event.data,
    metadata: isMetadata(event.metadata) ? event.metadata : {},
    recordedAt: event.created,
  };
}

function isMetadata(value: unknown): value is EventMetadata {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type EventData,
  type JSONType,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { IdentifierTakenError, WrongExpectedRevisionError } from '../errors';
import type {
  AppendRequest,
  AppendResult,
  EventMetadata,
  EventToAppend,
  IdentifierClaim,
  IdentifierRelease,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
} from '../event-store';
import { EventStore } from '../store';
import { planStreamWrites, type StreamTail, type StreamWrite } from './stream-writes';

const ALL_PAGE_SIZE = 1000;
const FIND_PAGE_SIZE = 500;
/** Writes of one request lost to other writers before it is refused as a conflict. */
const WRITE_ATTEMPTS = 5;
/** The stream that reserves an identifier for its owner; kept out of global reads. */
const RESERVATION_PREFIX = 'identifier-';
const RESERVATION_TYPE = 'IdentifierReserved';
const RELEASE_TYPE = 'IdentifierReleased';

/**
 * The event log in KurrentDB (formerly EventStoreDB; 22.6 or later, which reports positions on
 * stream reads).
 *
 * What is atomic here and what is not (decision 0020):
 * - One request (one stream) is atomic: KurrentDB writes a stream's events all or none.
 * - A call across streams is not: KurrentDB has no transaction across streams, so appendMany writes
 *   the streams one after the other. Every stream is read and every request checked (expected
 *   revision, ids already stored) before the first write, so a call refused for a reason known then
 *   stores nothing. A call cut short after that (the connection or the process lost between two
 *   writes, or a conflict with a writer that reached a later stream in between) keeps the streams
 *   already written: readers see them (a reader of the log, a projection, may see part of a batch,
 *   and keeps it if the batch is never sent again) and the caller gets an error, not a result.
 * - Sending the call again completes it and stores nothing twice: the events already written are
 *   found in their streams by id (ids are deterministic, decision 0002) and refused as duplicates,
 *   or left out by a caller that looks first, as ingestion does; and each write names the exact
 *   revision it read, for which KurrentDB guarantees idempotence, so two copies of a retry racing
 *   for a stream store its events once (`any` would be best effort only).
 *
 * Other differences the contract allows, each covered by a capability flag in the contract suite:
 * - Event ids are unique per stream, not across the log, and must be UUIDs. The stream is scanned
 *   for the call's ids before writing, since an id found anywhere in it must be refused.
 * - findByIds needs the stream to search.
 * - The global position is the commit position in the transaction log: strictly increasing but
 *   not dense. Appends over gRPC are implicitly committed, so every event has a commit position of
 *   its own (equal to its prepare position) and `after` can be turned back into a read position.
 *   System events ($-prefixed streams and types) are left out of readAll.
 * - Identifier claims are reservation streams, one per identifier, created with expected revision
 *   `no_stream` after the checks and before the first write: not atomic with the writes, so an
 *   interrupted append may leave its reservations held. Its owner may claim them again (a retry of
 *   the same registration names the same subject); anyone else is refused. See decision 0016.
 *   A release (an unlink, an unmerge) appends a release to the reservation stream once the events
 *   are written, so a claim is held by the last reservation after the last release. An append
 *   interrupted between the two leaves the identifier held by its old owner until an operator
 *   appends the release.
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
    const tails = await this.readTails(requests);
    const { writes, claims, releases } = planStreamWrites(requests, tails);
    const released = new Set(releases.map((release) => release.identifier));
    // A claim of an identifier the same call releases is made once the release is.
    const now = claims.filter((claim) => !released.has(claim.identifier));
    for (const claim of now) await this.reserve(claim);
    const results: AppendResult[] = [];
    try {
      for (const [index, write] of writes.entries()) results.push(await this.write(requests[index]!, write));
    } finally {
      // Earlier streams stay written when a later one fails.
      if (results.some((result) => result.events.length > 0)) this.notifyAppended();
    }
    for (const release of releases) await this.release(release);
    for (const claim of claims) if (!now.includes(claim)) await this.reserve(claim);
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

  /** Scans `streamId` from its end; KurrentDB keeps no index from event id to stream. */
  async findByIds(ids: readonly string[], streamId?: string): Promise<RecordedEvent[]> {
    if (streamId === undefined) {
      throw new Error('EventStoreDbEventStore.findByIds needs the stream id to search');
    }
    const { found } = await this.scan(streamId, ids);
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

  /**
   * Appends one request at the revision it was planned at. Should another writer have reached the
   * stream since it was read, the stream is read again and the request planned afresh against it:
   * refused if its expected revision no longer holds or its events are there now, written at the new
   * revision otherwise (`any`, `stream_exists`).
   */
  private async write(request: AppendRequest, planned: StreamWrite): Promise<AppendResult> {
    const { streamId, events } = request;
    if (events.length === 0) {
      return { streamId, nextExpectedRevision: planned.nextExpectedRevision, events: [] };
    }
    let write = planned;
    let next = await this.tryWrite(streamId, events, write.afterRevision);
    for (let attempt = 1; next === undefined; attempt += 1) {
      const tails = await this.readTails([request]);
      if (attempt >= WRITE_ATTEMPTS) {
        const actual = tails.get(streamId)?.revision ?? -1;
        throw new WrongExpectedRevisionError(streamId, request.expectedRevision, actual);
      }
      write = planStreamWrites([{ ...request, claims: [] }], tails).writes[0]!;
      next = await this.tryWrite(streamId, events, write.afterRevision);
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

  /** The stream's new revision, or undefined when its last event was not at `afterRevision`. */
  private async tryWrite(
    streamId: string,
    events: readonly EventToAppend[],
    afterRevision: number,
  ): Promise<bigint | undefined> {
    try {
      const result = await this.client.appendToStream(streamId, events.map(toEventData), {
        expectedRevision: afterRevision < 0 ? NO_STREAM : BigInt(afterRevision),
      });
      // Without throwOnAppendFailure the client reports a conflict as a result.
      return result.success ? result.nextExpectedRevision : undefined;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return undefined;
      throw error;
    }
  }

  /** Each stream of the call: its revision, and which of the call's ids it holds. */
  private async readTails(requests: readonly AppendRequest[]): Promise<Map<string, StreamTail>> {
    const idsByStream = new Map<string, string[]>();
    for (const request of requests) {
      const ids = idsByStream.get(request.streamId) ?? [];
      ids.push(...request.events.map((event) => event.id));
      idsByStream.set(request.streamId, ids);
    }
    const tails = await Promise.all(
      [...idsByStream].map(async ([streamId, ids]) => {
        const { revision, found } = await this.scan(streamId, ids);
        return [streamId, { revision, storedIds: new Set(found.map((event) => event.id)) }] as const;
      }),
    );
    return new Map(tails);
  }

  /**
   * Reads `streamId` backwards from its end until every id is found or the stream's start is
   * reached: the stream's revision, and the events it holds under those ids.
   */
  private async scan(
    streamId: string,
    ids: readonly string[],
  ): Promise<{ readonly revision: number; readonly found: RecordedEvent[] }> {
    const wanted = new Set(ids);
    const found: RecordedEvent[] = [];
    let revision: number | undefined;
    let from: bigint | typeof END = END;
    for (;;) {
      const page = await this.readStreamRaw(streamId, {
        direction: BACKWARDS,
        fromRevision: from,
        // With no id to look for, the last event alone gives the revision.
        maxCount: wanted.size === 0 ? 1 : FIND_PAGE_SIZE,
      });
      revision ??= page[0]?.event ? Number(page[0].event.revision) : -1;
      for (const resolved of page) {
        if (resolved.event && wanted.delete(resolved.event.id)) found.push(toRecordedEvent(resolved));
      }
      const last = page[page.length - 1]?.event;
      if (wanted.size === 0 || page.length < FIND_PAGE_SIZE || !last || last.revision === 0n) break;
      from = last.revision - 1n;
    }
    return { revision, found };
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
    const [last] = await this.readStreamRaw(streamId, {
      direction: BACKWARDS,
      fromRevision: END,
      maxCount: 1,
    });
    if (last?.event?.type === RELEASE_TYPE) {
      // Released: the next reservation goes right after the release, or loses to one that did.
      try {
        const result = await this.client.appendToStream(streamId, [reservation], {
          expectedRevision: last.event.revision,
        });
        if (result.success) return;
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
      }
      return this.reserve(claim);
    }
    const owner = (last?.event?.data as { owner?: unknown } | undefined)?.owner;
    if (owner !== claim.owner) throw new IdentifierTakenError(claim.identifier, String(owner));
  }

  /** Gives up the owner's reservation of an identifier; a reservation held by anyone else is left alone. */
  private async release(release: IdentifierRelease): Promise<void> {
    const streamId = `${RESERVATION_PREFIX}${release.identifier}`;
    const [last] = await this.readStreamRaw(streamId, {
      direction: BACKWARDS,
      fromRevision: END,
      maxCount: 1,
    });
    const owner = (last?.event?.data as { owner?: unknown } | undefined)?.owner;
    if (!last?.event || last.event.type !== RESERVATION_TYPE || owner !== release.owner) return;
    try {
      await this.client.appendToStream(
        streamId,
        [
          {
            id: randomUUID(),
            contentType: 'application/json',
            type: RELEASE_TYPE,
            data: { owner: release.owner },
            metadata: {},
          },
        ],
        { expectedRevision: last.event.revision },
      );
    } catch (error) {
      // Claimed again meanwhile by its owner: the release is moot.
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
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

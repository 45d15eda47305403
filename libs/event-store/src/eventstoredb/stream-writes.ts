import { planAppend } from '../append-plan';
import { DuplicateEventError } from '../errors';
import type { AppendRequest, EventToAppend, IdentifierClaim, IdentifierRelease } from '../event-store';

/** What the adapter read of one stream just before writing to it. */
export interface StreamTail {
  /** The revision of the stream's last event, -1 when it does not exist. */
  readonly revision: number;
  /** The ids of the call that the stream already holds. */
  readonly storedIds: ReadonlySet<string>;
}

/** One request as KurrentDB is asked to append it: at the exact revision its stream was read at. */
export interface StreamWrite {
  readonly streamId: string;
  /** The revision the stream's last event must have for the write to land; -1: the stream must not exist. */
  readonly afterRevision: number;
  readonly events: readonly EventToAppend[];
  /** The revision of the stream's last event once the write has landed. */
  readonly nextExpectedRevision: number;
}

export interface StreamWritePlan {
  readonly writes: readonly StreamWrite[];
  /** Every claim of the call, each identifier once. */
  readonly claims: readonly IdentifierClaim[];
  /** Every release of the call. */
  readonly releases: readonly IdentifierRelease[];
}

/**
 * Plans a call against what its streams hold, before any of them is written: refuses the whole call
 * if an expected revision does not hold (WrongExpectedRevisionError) or an id is already in its
 * stream (DuplicateEventError, naming every such id), so that a refusal stores nothing; and gives
 * each request the exact revision to append at. KurrentDB guarantees idempotence only for an exact
 * expected revision: a write that finds the same event ids already at that place succeeds without
 * storing them again, and one that finds anything else there fails, never appending past an event
 * it has not checked. So `any` and `stream_exists` are turned into the revision read.
 *
 * @param tails what each stream of the call held when read; a stream left out counts as empty.
 */
export function planStreamWrites(
  requests: readonly AppendRequest[],
  tails: ReadonlyMap<string, StreamTail>,
): StreamWritePlan {
  const tailOf = (streamId: string): StreamTail => tails.get(streamId) ?? EMPTY;
  const plan = planAppend(requests, (streamId) => tailOf(streamId).revision);
  const stored = requests.flatMap((request) => {
    const held = tailOf(request.streamId).storedIds;
    return request.events.filter((event) => held.has(event.id)).map((event) => event.id);
  });
  if (stored.length > 0) throw new DuplicateEventError(stored);
  return {
    writes: plan.requests.map((planned, index) => ({
      streamId: planned.streamId,
      afterRevision: planned.nextExpectedRevision - planned.events.length,
      events: requests[index]!.events,
      nextExpectedRevision: planned.nextExpectedRevision,
    })),
    claims: plan.claims,
    releases: plan.releases,
  };
}

const EMPTY: StreamTail = { revision: -1, storedIds: new Set() };

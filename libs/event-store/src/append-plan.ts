import { DuplicateEventError, IdentifierTakenError, WrongExpectedRevisionError } from './errors';
import type {
  AppendRequest,
  AppendResult,
  EventToAppend,
  ExpectedRevision,
  IdentifierClaim,
  IdentifierRelease,
} from './event-store';

/** One event with the stream revision it will take, in the order the positions must be assigned. */
export interface PlannedEvent {
  readonly streamId: string;
  readonly revision: number;
  readonly event: EventToAppend;
}

export interface PlannedRequest {
  readonly streamId: string;
  readonly nextExpectedRevision: number;
  readonly events: readonly PlannedEvent[];
}

export interface AppendPlan {
  /** Every new event, in request order then event order. */
  readonly events: readonly PlannedEvent[];
  /** The last revision of every stream that receives events. */
  readonly streamRevisions: ReadonlyMap<string, number>;
  readonly requests: readonly PlannedRequest[];
  /** Every claim of the call, each identifier once. */
  readonly claims: readonly IdentifierClaim[];
  /** Every release of the call, written before its claims. */
  readonly releases: readonly IdentifierRelease[];
}

/** Refuses ids repeated inside one call before any backend sees them, so no backend has to roll back. */
export function assertUniqueIdsWithin(requests: readonly AppendRequest[]): void {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const request of requests) {
    for (const event of request.events) {
      if (seen.has(event.id)) repeated.add(event.id);
      seen.add(event.id);
    }
  }
  if (repeated.size > 0) throw new DuplicateEventError([...repeated]);
}

/**
 * The claims of a call, each identifier once; two owners claiming one identifier in the same call
 * are refused here, so a backend only has to compare claims with what it stores.
 */
export function planClaims(requests: readonly AppendRequest[]): IdentifierClaim[] {
  const claims = new Map<string, IdentifierClaim>();
  for (const request of requests) {
    for (const claim of request.claims ?? []) {
      const earlier = claims.get(claim.identifier);
      if (earlier && earlier.owner !== claim.owner)
        throw new IdentifierTakenError(claim.identifier, earlier.owner);
      if (!earlier) claims.set(claim.identifier, claim);
    }
  }
  return [...claims.values()];
}

/** @param actual the stream's current revision, -1 when it does not exist. */
export function assertExpectedRevision(streamId: string, expected: ExpectedRevision, actual: number): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual === -1) ||
    (expected === 'stream_exists' && actual >= 0) ||
    expected === actual;
  if (!ok) throw new WrongExpectedRevisionError(streamId, expected, actual);
}

/**
 * Checks every request against the current revisions and numbers the new events. A stream named by
 * two requests of one call sees the first request's events when the second is checked.
 */
export function planAppend(
  requests: readonly AppendRequest[],
  currentRevision: (streamId: string) => number,
): AppendPlan {
  assertUniqueIdsWithin(requests);
  const claims = planClaims(requests);
  const known = new Map<string, number>();
  const streamRevisions = new Map<string, number>();
  const events: PlannedEvent[] = [];
  const planned = requests.map((request): PlannedRequest => {
    let revision = known.get(request.streamId) ?? currentRevision(request.streamId);
    assertExpectedRevision(request.streamId, request.expectedRevision, revision);
    const requestEvents = request.events.map((event): PlannedEvent => {
      revision += 1;
      return { streamId: request.streamId, revision, event };
    });
    events.push(...requestEvents);
    known.set(request.streamId, revision);
    if (requestEvents.length > 0) streamRevisions.set(request.streamId, revision);
    return { streamId: request.streamId, nextExpectedRevision: revision, events: requestEvents };
  });
  const releases = requests.flatMap((request) => request.releases ?? []);
  return { events, streamRevisions, requests: planned, claims, releases };
}

/** Builds the per-request results once the backend has assigned a position to every planned event. */
export function appendResults(plan: AppendPlan, positionOf: (eventId: string) => number): AppendResult[] {
  return plan.requests.map((request) => ({
    streamId: request.streamId,
    nextExpectedRevision: request.nextExpectedRevision,
    events: request.events.map(({ event, revision }) => ({
      id: event.id,
      revision,
      position: positionOf(event.id),
    })),
  }));
}

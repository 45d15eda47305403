import { Injectable, Optional } from '@nestjs/common';
import type { Counter } from 'prom-client';
import {
  amends,
  keysErasedBy,
  CATALOGUE,
  type DataCategory,
  type EventMeta,
  type EventType,
  formatIdentifier,
  IDENTITY_EVENT_TYPES,
  identifierUnlinkedBy,
  isEventType,
  type IssuingAgencies,
  type LinkedIdentifier,
  mergeClaimOf,
  recordMergeOf,
  type RecordMerges,
  type SubjectIdentifier,
  subjectIdOfStream,
  subjectStream,
  validateEventData,
} from '@throughline/domain';
import {
  DuplicateEventError,
  EventStore,
  type EventToAppend,
  type IdentifierClaim,
  type IdentifierRelease,
  IdentifierTakenError,
  type RecordedEvent,
} from '@throughline/event-store';
import { Metrics, Mutex } from '@throughline/platform';
import {
  type EventIssue,
  type IncomingEvent,
  type Publisher,
  validateCloudEvent,
} from '../../domain/cloud-event';
import { partnershipIdFor, storedEventId } from '../../domain/event-id';
import { IdentifierIssuers } from '../../identifier-issuers';
import { IdentityIndex } from '../../identity-index';
import { SubjectCeiling, SubjectCeilingError } from './subject-ceiling';

export interface IngestResult {
  readonly id: string;
  readonly subjectId: string;
  readonly stream: string;
  readonly revision: number;
  readonly position: number;
  readonly duplicate: boolean;
}

export interface IngestPublisher extends Publisher {
  /** The system or user id behind the credential. */
  readonly id: string;
}

/** The batch was refused as a whole; nothing was stored. */
export class IngestRejectedError extends Error {
  readonly status: 403 | 409 | 422;
  constructor(readonly issues: readonly EventIssue[]) {
    super(`${issues.length} event issue(s)`);
    this.name = 'IngestRejectedError';
    // Authority problems outrank conflicts, which outrank content problems.
    this.status = issues.some((i) => i.status === 403)
      ? 403
      : issues.some((i) => i.status === 409)
        ? 409
        : 422;
  }
}

interface Lookups {
  caughtUp: boolean;
}

interface Planned {
  /** The event's place in the batch. */
  readonly index: number;
  readonly event: IncomingEvent;
  readonly storedId: string;
  readonly subjectId: string;
  readonly category: DataCategory;
  /** Identifiers this event links to its subject (registrations and links), claimed with its append. */
  readonly identifiers: readonly LinkedIdentifier[];
  /** Claims beside its identifiers: a merge claims the record it merges (`mergeClaimOf`). */
  readonly claims: readonly string[];
  /** What its subject gives up: an unlinked identifier, or the claim of a record parted again. */
  readonly releases: readonly string[];
  /** A redaction: the stored events whose data it destroys (decision 0035). */
  readonly destroyDataOf?: readonly string[];
}

/**
 * The one ingestion use case, shared by HTTP and Kafka: validate the whole batch, resolve subjects,
 * drop what was already stored (idempotency on source + id) and append the rest per subject stream.
 * Appends are serialized in-process so a batch is planned against the appends before it; between
 * processes, the log refuses a second owner for an identifier (the claims of the append) and a
 * second copy of an event id, and the batch is planned again against what the other process stored.
 */
@Injectable()
export class IngestEventsService {
  private readonly mutex = new Mutex();

  private readonly ingested: Counter<'agency' | 'outcome'> | undefined;
  private readonly refused: Counter<'agency' | 'status' | 'constraint'> | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly identity: IdentityIndex,
    private readonly ceiling: SubjectCeiling,
    private readonly issuers: IdentifierIssuers,
    @Optional() metrics?: Metrics,
  ) {
    this.ingested = metrics?.counter(
      'throughline_events_ingested_total',
      'Events accepted from agency systems (HTTP and Kafka), by publishing agency and outcome (stored, duplicate)',
      ['agency', 'outcome'],
    );
    this.refused = metrics?.counter(
      'throughline_ingest_refusals_total',
      'Issues that refused a batch, by publishing agency, status and the rule broken (constraint)',
      ['agency', 'status', 'constraint'],
    );
  }

  /** Resolves once every append accepted so far has finished. */
  drain(): Promise<void> {
    return this.mutex.run(async () => undefined);
  }

  /** Validates without storing: every issue of every event, or the parsed events. */
  validate(raw: readonly unknown[], publisher: Publisher, issuers: IssuingAgencies): IncomingEvent[] {
    const validated = raw.map((event, index) => validateCloudEvent(event, index, publisher, issuers));
    const issues = validated.flatMap((result) => result.issues);
    if (issues.length > 0) throw new IngestRejectedError(issues);
    return validated.map((result) => result.event!);
  }

  async ingest(
    raw: readonly unknown[],
    publisher: IngestPublisher,
    requestId?: string,
  ): Promise<IngestResult[]> {
    try {
      const results = await this.ingestBatch(raw, publisher, requestId);
      for (const result of results)
        this.ingested?.inc({ agency: publisher.agency, outcome: result.duplicate ? 'duplicate' : 'stored' });
      return results;
    } catch (error) {
      const { agency } = publisher;
      if (error instanceof IngestRejectedError)
        for (const issue of error.issues)
          this.refused?.inc({ agency, status: String(issue.status), constraint: issue.constraint });
      else if (error instanceof SubjectCeilingError)
        this.refused?.inc({ agency, status: '429', constraint: 'subjectCeiling' });
      throw error;
    }
  }

  private async ingestBatch(
    raw: readonly unknown[],
    publisher: IngestPublisher,
    requestId?: string,
  ): Promise<IngestResult[]> {
    const events = this.validate(raw, publisher, await this.issuers.current());
    return this.mutex.run(async () => {
      try {
        return await this.storeBatch(events, publisher, requestId, false);
      } catch (error) {
        // Another process stored one of these ids, or linked one of these identifiers, between our
        // lookups and our append: look again, so the answer is the one a batch after it would get.
        if (error instanceof IdentifierTakenError) await this.identity.catchUp();
        else if (!(error instanceof DuplicateEventError)) throw error;
        return this.storeBatch(events, publisher, requestId, true);
      }
    });
  }

  private async storeBatch(
    events: readonly IncomingEvent[],
    publisher: IngestPublisher,
    requestId: string | undefined,
    lastTry: boolean,
  ): Promise<IngestResult[]> {
    const storedIds = events.map((event) => storedEventId(event.source, event.id));
    const lookups: Lookups = { caughtUp: false };
    const existing = await this.findExisting(events, storedIds, lookups);
    const plan = await this.plan(events, storedIds, existing, publisher, lookups);

    const byStream = new Map<string, EventToAppend[]>();
    const claims = new Map<string, IdentifierClaim[]>();
    const releases = new Map<string, IdentifierRelease[]>();
    for (const planned of plan) {
      const stream = subjectStream(planned.subjectId);
      const meta: EventMeta = {
        agency: publisher.agency,
        source: planned.event.source,
        ceId: planned.event.id,
        time: planned.event.time,
        subjectRef: planned.event.subject,
        publishedBy: publisher.id,
        category: planned.category,
        ...(requestId ? { requestId } : {}),
      };
      const list = byStream.get(stream) ?? [];
      list.push({
        id: planned.storedId,
        type: planned.event.type,
        data: planned.event.data,
        metadata: { ...meta },
        ...(planned.event.type === 'iom.record.erased.v1'
          ? { destroyKeys: keysErasedBy(publisher.agency, planned.event.data) }
          : {}),
        ...(planned.destroyDataOf ? { destroyDataOf: planned.destroyDataOf } : {}),
      });
      byStream.set(stream, list);
      const claimed = [
        ...planned.identifiers.map(({ identifier }) => formatIdentifier(identifier)),
        ...planned.claims,
      ];
      if (claimed.length > 0) {
        const streamClaims = claims.get(stream) ?? [];
        for (const identifier of claimed)
          streamClaims.push({ identifier, owner: planned.subjectId, eventId: planned.storedId });
        claims.set(stream, streamClaims);
      }
      if (planned.releases.length > 0) {
        const streamReleases = releases.get(stream) ?? [];
        for (const identifier of planned.releases)
          streamReleases.push({ identifier, owner: planned.subjectId });
        releases.set(stream, streamReleases);
      }
    }
    await this.ceiling.check(byStream, storedIds);
    const appended = new Map<string, IngestResult>();
    if (byStream.size > 0) {
      const results = await this.store
        .appendMany(
          [...byStream].map(([streamId, toAppend]) => ({
            streamId,
            expectedRevision: 'any' as const,
            events: toAppend,
            claims: claims.get(streamId) ?? [],
            releases: releases.get(streamId) ?? [],
          })),
        )
        .catch((error: unknown) => {
          if (lastTry && error instanceof IdentifierTakenError) throw takenRefusal(error, plan);
          throw error;
        });
      this.ceiling.appended(results);
      for (const result of results) {
        const subjectId = subjectIdOfStream(result.streamId)!;
        for (const event of result.events) {
          appended.set(event.id, {
            id: '',
            subjectId,
            stream: result.streamId,
            revision: event.revision,
            position: event.position,
            duplicate: false,
          });
        }
      }
      for (const planned of plan)
        if (IDENTITY_EVENT_TYPES.includes(planned.event.type))
          this.identity.change(planned.subjectId, {
            type: planned.event.type,
            data: planned.event.data,
            metadata: { agency: publisher.agency, subjectRef: planned.event.subject },
          });
    }

    const answered = new Set<string>();
    return events.map((event, index) => {
      const storedId = storedIds[index]!;
      const original = existing.get(storedId);
      if (original) return { ...resultOf(original, event.id), duplicate: true };
      const fresh = appended.get(storedId)!;
      const duplicate = answered.has(storedId);
      answered.add(storedId);
      return { ...fresh, id: event.id, duplicate };
    });
  }

  /**
   * The events of the batch already stored, wherever they were stored: a resubmission may name
   * another subject than the original did (another of the person's identifiers, a case variant of
   * one, or a mistake), and is still the same event. EventStoreDB can only search by stream, and
   * keeps ids per stream, so there each id is looked up in the stream it would belong to now.
   */
  private async findExisting(
    events: readonly IncomingEvent[],
    storedIds: readonly string[],
    lookups: Lookups,
  ): Promise<Map<string, RecordedEvent>> {
    if (this.store.backend !== 'eventstoredb') {
      const found = await this.store.findByIds(storedIds);
      return new Map(found.map((event) => [event.id, event]));
    }
    if (events.some((event) => this.lookup(event) === undefined)) await this.catchUp(lookups);
    const idsByStream = new Map<string, string[]>();
    for (const [index, event] of events.entries()) {
      const storedId = storedIds[index]!;
      const subjectId =
        this.lookup(event) ??
        (CATALOGUE[event.type].registersSubject ? partnershipIdFor(storedId) : undefined);
      if (!subjectId) continue;
      const stream = subjectStream(subjectId);
      const ids = idsByStream.get(stream);
      if (ids) ids.push(storedId);
      else idsByStream.set(stream, [storedId]);
    }
    const found = await this.store.findByIdsInStreams(idsByStream);
    return new Map(found.map((event) => [event.id, event]));
  }

  /** The subject an event names, as far as the identity index knows. */
  private lookup(event: IncomingEvent): string | undefined {
    const ref = event.subjectRef;
    if (ref.kind === 'identifier') return this.identity.resolve(ref.identifier);
    return this.identity.hasSubject(ref.id) ? ref.id : undefined;
  }

  /** Catches the identity index up from the log, once per batch: another process may have added to it. */
  private async catchUp(lookups: Lookups): Promise<void> {
    if (lookups.caughtUp) return;
    await this.identity.catchUp();
    lookups.caughtUp = true;
  }

  /** Resolves from the index; on a miss, catches the index up from the log once per batch. */
  private async resolve(event: IncomingEvent, lookups: Lookups): Promise<string | undefined> {
    const found = this.lookup(event);
    if (found) return found;
    await this.catchUp(lookups);
    return this.lookup(event);
  }

  /** Assigns each new event its subject, enforcing identity rules; refuses the batch on any issue. */
  private async plan(
    events: readonly IncomingEvent[],
    storedIds: readonly string[],
    existing: ReadonlyMap<string, RecordedEvent>,
    publisher: IngestPublisher,
    lookups: Lookups,
  ): Promise<Planned[]> {
    const issues: EventIssue[] = [];
    const planned: Planned[] = [];
    const seen = new Set<string>();
    const batchLinks = new Map<string, string>();
    const batchSubjects = new Set<string>();
    const resolveInBatch = async (event: IncomingEvent): Promise<string | undefined> => {
      const ref = event.subjectRef;
      if (ref.kind === 'partnership-id')
        return batchSubjects.has(ref.id) ? ref.id : this.resolve(event, lookups);
      return batchLinks.get(formatIdentifier(ref.identifier)) ?? (await this.resolve(event, lookups));
    };
    // Merges earlier in the batch count for those after them, on a copy of the index's.
    let merges: RecordMerges | undefined;
    const conflictingOwner = (identifier: SubjectIdentifier, subjectId: string): string | undefined => {
      const owner = batchLinks.get(formatIdentifier(identifier)) ?? this.identity.resolve(identifier);
      return owner && owner !== subjectId ? owner : undefined;
    };

    for (const [index, event] of events.entries()) {
      const storedId = storedIds[index]!;
      if (existing.has(storedId) || seen.has(storedId)) continue;
      seen.add(storedId);
      let subjectId: string | undefined;
      const identifiers = event.linked;
      let category = CATALOGUE[event.type].category;

      if (event.type === 'iom.subject.registered.v1') {
        const already = await resolveInBatch(event);
        if (already) {
          issues.push({
            index,
            field: 'subject',
            constraint: 'alreadyRegistered',
            message: `subject ${event.subject} is already registered as ${already}`,
            status: 409,
          });
          continue;
        }
        const ref = event.subjectRef;
        subjectId = ref.kind === 'partnership-id' ? ref.id : partnershipIdFor(storedId);
      } else {
        subjectId = await resolveInBatch(event);
        if (!subjectId) {
          issues.push({
            index,
            field: 'subject',
            constraint: 'knownSubject',
            message: `subject ${event.subject} is not known to the partnership; register it first with iom.subject.registered.v1`,
            status: 422,
          });
          continue;
        }
      }

      for (const { identifier, field } of identifiers) {
        const owner = conflictingOwner(identifier, subjectId);
        if (owner) issues.push(identifierOwnerIssue(index, field, formatIdentifier(identifier), owner));
      }
      if (category === 'of-target') {
        const earlier = planned.find(
          (p) =>
            p.subjectId === subjectId &&
            p.event.id === event.data.targetEventId &&
            publisher.sources.includes(p.event.source),
        );
        const target = earlier
          ? { category: earlier.category, type: earlier.event.type }
          : await this.findTarget(event, subjectId, publisher);
        if (!target) {
          issues.push({
            index,
            field: 'data.targetEventId',
            constraint: 'ownTarget',
            message:
              'targetEventId must name an event your agency published from one of its sources about this subject',
            status: 422,
          });
          continue;
        }
        category = target.category;
        if (event.type === 'iom.record.corrected.v1' && CATALOGUE[target.type].category === 'of-target') {
          // A fix to a correction is a new correction of the original; nothing else reads one.
          issues.push({
            index,
            field: 'data.targetEventId',
            constraint: 'originalTarget',
            message: 'a correction names the original event, not another correction or a redaction',
            status: 422,
          });
          continue;
        }
        if (event.type === 'iom.record.corrected.v1') {
          const replacementIssues = replacementIssuesOf(index, target.type, event.data.replacement);
          if (replacementIssues.length > 0) {
            issues.push(...replacementIssues);
            continue;
          }
        }
      }
      const merge = recordMergeOf(event.type, event.data);
      if (merge) merges ??= this.identity.merges.copy();
      const change = this.identityChange(
        index,
        event,
        subjectId,
        batchLinks,
        publisher.agency,
        merges ?? this.identity.merges,
      );
      if ('issue' in change) {
        issues.push(change.issue);
        continue;
      }
      for (const { identifier } of identifiers) batchLinks.set(formatIdentifier(identifier), subjectId);
      // Released, an identifier names nobody for the rest of the batch.
      for (const released of change.releases) batchLinks.set(released, '');
      merges?.apply(event.type, event.data, subjectId);
      batchSubjects.add(subjectId);
      const destroyDataOf =
        event.type === 'iom.record.redacted.v1'
          ? await this.redactedData(event, subjectId, publisher, planned)
          : undefined;
      planned.push({
        index,
        event,
        storedId,
        subjectId,
        category,
        identifiers,
        ...change,
        ...(destroyDataOf ? { destroyDataOf } : {}),
      });
    }
    if (issues.length > 0) throw new IngestRejectedError(issues);
    return planned;
  }

  /**
   * What an unlink, merge or unmerge claims and releases, or why it cannot be stored: an unlink
   * takes an identifier its subject holds; a merge puts together two records that each stand
   * alone (neither merged into another, the one merged holding no others); an unmerge parts a
   * record merged into its subject. The log's claims decide between processes (decision 0016).
   */
  private identityChange(
    index: number,
    event: IncomingEvent,
    subjectId: string,
    batchLinks: ReadonlyMap<string, string>,
    agency: string,
    merges: RecordMerges,
  ):
    | { readonly claims: readonly string[]; readonly releases: readonly string[] }
    | { readonly issue: EventIssue } {
    const conflict = (field: string, constraint: string, message: string, status: 409 | 422 = 409) => ({
      issue: { index, field, constraint, message, status },
    });
    const unlinked = identifierUnlinkedBy(event.type, event.data, agency);
    if (unlinked) {
      const formatted = formatIdentifier(unlinked);
      const owner = batchLinks.has(formatted) ? batchLinks.get(formatted) : this.identity.resolve(unlinked);
      if (owner !== subjectId)
        return conflict(
          'data.value',
          'linkedIdentifier',
          `${formatted} is not linked to subject ${subjectId}`,
        );
      return { claims: [], releases: [formatted] };
    }
    const merge = recordMergeOf(event.type, event.data);
    if (!merge) return { claims: [], releases: [] };
    const field = 'data.mergedSubjectId';
    if (merge.kind === 'unmerge') {
      if (merges.mergedInto(merge.merged) !== subjectId)
        return conflict(field, 'mergedRecord', `subject ${merge.merged} is not merged into ${subjectId}`);
      return { claims: [], releases: [mergeClaimOf(merge.merged)] };
    }
    if (merge.merged === subjectId)
      return conflict(field, 'otherRecord', 'a record cannot be merged into itself', 422);
    if (!this.identity.hasSubject(merge.merged))
      return conflict(field, 'knownSubject', `subject ${merge.merged} is not known to the partnership`, 422);
    const survivor = merges.mergedInto(subjectId);
    if (survivor)
      return conflict(
        'subject',
        'standsAlone',
        `subject ${subjectId} is merged into ${survivor}: merge into that record`,
      );
    const into = merges.mergedInto(merge.merged);
    if (into) return conflict(field, 'standsAlone', `subject ${merge.merged} is already merged into ${into}`);
    if (merges.mergedIn(merge.merged).length > 0)
      return conflict(
        field,
        'standsAlone',
        `subject ${merge.merged} holds records merged into it: merge this subject into ${merge.merged} instead`,
      );
    return { claims: [mergeClaimOf(merge.merged)], releases: [] };
  }

  /**
   * What a redaction destroys: the data of its target and of every correction of it (whose
   * replacement holds the target's data), stored or earlier in the batch, found by the same rule
   * the timeline withdraws them by (`amends`).
   */
  private async redactedData(
    event: IncomingEvent,
    subjectId: string,
    publisher: IngestPublisher,
    planned: readonly Planned[],
  ): Promise<string[]> {
    const { targetEventId, targetSource } = event.data as { targetEventId: string; targetSource?: string };
    const stored = await this.store.readStream(subjectStream(subjectId));
    const held: { id: string; type: string; data: unknown; meta: EventMeta }[] = [
      ...stored.map((one) => ({ ...one, meta: one.metadata as unknown as EventMeta })),
      ...planned
        .filter((earlier) => earlier.subjectId === subjectId)
        .map((earlier) => ({
          id: earlier.storedId,
          type: earlier.event.type,
          data: earlier.event.data,
          meta: {
            agency: publisher.agency,
            source: earlier.event.source,
            ceId: earlier.event.id,
          } as EventMeta,
        })),
    ];
    const redaction = { meta: { agency: publisher.agency } as EventMeta };
    const target = held.find((one) => amends(one, redaction, targetEventId, targetSource));
    if (!target) return [];
    const corrections = held.filter((one) => {
      if (one.type !== 'iom.record.corrected.v1') return false;
      const data = one.data as { targetEventId?: unknown; targetSource?: unknown };
      return (
        typeof data.targetEventId === 'string' &&
        amends(
          target,
          one,
          data.targetEventId,
          typeof data.targetSource === 'string' ? data.targetSource : undefined,
        )
      );
    });
    return [target.id, ...corrections.map((one) => one.id)];
  }

  /** The stored event a correction or redaction targets: published by this agency about this subject. */
  private async findTarget(
    event: IncomingEvent,
    subjectId: string,
    publisher: IngestPublisher,
  ): Promise<{ readonly category: DataCategory; readonly type: EventType } | undefined> {
    const targetCeId = event.data.targetEventId;
    if (typeof targetCeId !== 'string') return undefined;
    const candidates = publisher.sources.map((source) => storedEventId(source, targetCeId));
    const found = await this.store.findByIds(candidates, subjectStream(subjectId));
    const target = found.find(
      (stored) => (stored.metadata as unknown as EventMeta).agency === publisher.agency,
    );
    // Only catalogue events are targets; anything else in the log is not this agency's to correct.
    if (!target || !isEventType(target.type)) return undefined;
    return { category: (target.metadata as unknown as EventMeta).category, type: target.type };
  }
}

const identifierOwnerIssue = (
  index: number,
  field: string,
  identifier: string,
  owner: string,
): EventIssue => ({
  index,
  field,
  constraint: 'identifierOwner',
  message: `${identifier} already belongs to subject ${owner}`,
  status: 409,
});

/**
 * The log refused an identifier the batch links, though the batch was planned against the index
 * caught up: another process linked it since, or (EventStoreDB) an earlier append claimed it and
 * stopped short of storing its event. Refused as the plan refuses a known owner.
 */
function takenRefusal(
  error: IdentifierTakenError,
  plan: readonly Planned[],
): IngestRejectedError | IdentifierTakenError {
  for (const planned of plan) {
    const linked = planned.identifiers.find(
      ({ identifier }) => formatIdentifier(identifier) === error.identifier,
    );
    if (linked) {
      return new IngestRejectedError([
        identifierOwnerIssue(planned.index, linked.field, error.identifier, error.owner),
      ]);
    }
    if (planned.claims.includes(error.identifier)) {
      return new IngestRejectedError([
        {
          index: planned.index,
          field: 'data.mergedSubjectId',
          constraint: 'standsAlone',
          message: `the record is already merged into subject ${error.owner}`,
          status: 409,
        },
      ]);
    }
  }
  return error;
}

/**
 * A correction's replacement is the target's data as it should have been, so it is held to the
 * target type's schema, as the target was: the views and the board read it in its place.
 */
const replacementIssuesOf = (index: number, targetType: EventType, replacement: unknown): EventIssue[] =>
  validateEventData(targetType, replacement).map((dataIssue) => ({
    index,
    field: dataIssue.path ? `data.replacement.${dataIssue.path}` : 'data.replacement',
    constraint: dataIssue.constraint,
    message: dataIssue.message,
    status: 422,
  }));

const resultOf = (event: RecordedEvent, ceId: string): Omit<IngestResult, 'duplicate'> => ({
  id: ceId,
  subjectId: subjectIdOfStream(event.streamId) ?? '',
  stream: event.streamId,
  revision: event.revision,
  position: event.position,
});

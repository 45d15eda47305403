import { Inject, Injectable } from '@nestjs/common';
import { subjectIdOfStream } from '@throughline/domain';
import { type AppendResult, EventStore, type EventToAppend } from '@throughline/event-store';
import { THROUGHLINE_CONFIG, type ThroughlineConfig } from '@throughline/platform';
import { ceilingEdge, ceilingWaitMs } from '../../domain/subject-ceiling';

/** A stream revision learnt in this process is trusted this long before it is looked up again. */
const REVISION_TRUSTED_MS = 10_000;
/** Streams whose revision is remembered; past this the memory is dropped and looked up afresh. */
const MAX_REMEMBERED = 100_000;

export interface CeilingRefusal {
  readonly subjectId: string;
  /** Events of this batch for the subject. */
  readonly events: number;
  readonly retryAfterMs: number;
}

/** The batch would take a subject past its ceiling; nothing was stored. */
export class SubjectCeilingError extends Error {
  constructor(
    readonly ceiling: number,
    readonly refusals: readonly CeilingRefusal[],
    /** Positions in the batch of the events for those subjects. */
    readonly indexes: readonly number[],
  ) {
    super(`${refusals.length} subject(s) at the ceiling of ${ceiling} events a day`);
    this.name = 'SubjectCeilingError';
  }

  get retryAfterMs(): number {
    return Math.max(...this.refusals.map((refusal) => refusal.retryAfterMs));
  }
}

/**
 * The per-subject ceiling: at most SUBJECT_EVENTS_PER_DAY events on one subject's stream in any
 * rolling day, whoever publishes them, so no flood can make one subject too large to read. The
 * count is the log's own: a stream shorter than the ceiling cannot be over it, and a longer one is
 * judged by when its edge event was recorded, one event read. So it holds across restarts and
 * between processes, and costs nothing for the nearly every stream that is short.
 */
@Injectable()
export class SubjectCeiling {
  private readonly ceiling: number;
  private readonly revisions = new Map<string, { readonly revision: number; readonly at: number }>();

  constructor(
    private readonly store: EventStore,
    @Inject(THROUGHLINE_CONFIG) config: ThroughlineConfig,
  ) {
    this.ceiling = config.limits.subjectEventsPerDay;
  }

  /** Refuses the batch (SubjectCeilingError) if any stream would pass the ceiling. */
  async check(
    byStream: ReadonlyMap<string, readonly EventToAppend[]>,
    storedIds: readonly string[],
    now = Date.now(),
  ): Promise<void> {
    const refused: CeilingRefusal[] = [];
    const refusedIds = new Set<string>();
    const verdicts = [...byStream].map(async ([streamId, events]) => {
      const wait = await this.waitFor(streamId, events.length, now);
      if (wait === 0) return;
      refused.push({
        subjectId: subjectIdOfStream(streamId) ?? streamId,
        events: events.length,
        retryAfterMs: wait,
      });
      for (const event of events) refusedIds.add(event.id);
    });
    await Promise.all(verdicts);
    if (refused.length === 0) return;
    const indexes = storedIds.flatMap((id, index) => (refusedIds.has(id) ? [index] : []));
    refused.sort((a, b) => a.subjectId.localeCompare(b.subjectId));
    throw new SubjectCeilingError(this.ceiling, refused, indexes);
  }

  /** Remembers the revisions an append left its streams at. */
  appended(results: readonly AppendResult[], now = Date.now()): void {
    if (this.revisions.size > MAX_REMEMBERED) this.revisions.clear();
    for (const result of results)
      this.revisions.set(result.streamId, { revision: result.nextExpectedRevision, at: now });
  }

  private async waitFor(streamId: string, incoming: number, now: number): Promise<number> {
    if (incoming > this.ceiling) return ceilingWaitMs(undefined, incoming, this.ceiling, now);
    const remembered = this.revisions.get(streamId);
    const trusted = remembered && now - remembered.at < REVISION_TRUSTED_MS ? remembered.revision : undefined;
    // Another process may have appended since: a stream near its ceiling is looked up afresh.
    if (trusted !== undefined && ceilingEdge(trusted, incoming, this.ceiling) === undefined) return 0;
    const revision = await this.store.streamRevision(streamId);
    this.revisions.set(streamId, { revision, at: now });
    const edge = ceilingEdge(revision, incoming, this.ceiling);
    if (edge === undefined) return 0;
    const [event] = await this.store.readStream(streamId, { fromRevision: edge, maxCount: 1 });
    return ceilingWaitMs(event?.recordedAt.getTime(), incoming, this.ceiling, now);
  }
}

import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { type PublishedEvent, subjectStream } from '@throughline/domain';
import type { EventStore } from '@throughline/event-store';
import { toPublishedEvent } from '@throughline/projections';
import type { Agreement } from '@throughline/sharing';
import {
  refoldSubjectDoc,
  settleViews,
  type StoredSubjectDoc,
  type SubjectDoc,
  type TimelineEntry,
  timelineOf,
} from '../domain/subject-view';

/** A subject whose document cannot be made whole: folding its stream throws. */
export class UnfoldableSubject extends Error {
  constructor(
    readonly subjectId: string,
    readonly reason: unknown,
  ) {
    super(
      `Subject ${subjectId} cannot be folded from its stream: ${reason instanceof Error ? reason.message : String(reason)}`,
    );
  }
}

const linesUp = (stored: StoredSubjectDoc, timeline: readonly TimelineEntry[]): boolean =>
  Object.values(stored.views).every((cuts) => cuts.length === timeline.length);

/**
 * Events read from a subject's stream at a time. A page is read and parsed in a few milliseconds,
 * and other work (health checks, other readers) runs between pages, so a subject of a hundred
 * thousand events is loaded without holding the thread for the whole of it.
 */
export const STREAM_PAGE = 1_000;

/**
 * Reads the stream's events from revision `first` to `last` a page at a time, folding each page
 * into `timeline` as soon as it is read, or collecting it into `published`. The thread is let go
 * between pages, since a correction looks through the timeline for the entry it rewrites and
 * costs more than a read.
 */
async function foldPages(
  events: EventStore,
  stream: string,
  first: number,
  last: number,
  into: { readonly timeline: TimelineEntry[] } | { readonly published: PublishedEvent[] },
): Promise<void> {
  for (let revision = first; revision <= last; revision += STREAM_PAGE) {
    if (revision > first) await yieldToLoop();
    const maxCount = Math.min(STREAM_PAGE, last - revision + 1);
    const page = await events.readStream(stream, { fromRevision: revision, maxCount });
    const typed: PublishedEvent[] = [];
    for (const event of page) {
      const one = toPublishedEvent(event);
      // The recorded time goes with the entry, so a backdated event can show when it was recorded.
      if (one) typed.push(Object.assign(one, { recordedAt: event.recordedAt.toISOString() }));
    }
    if ('timeline' in into) timelineOf(typed, into.timeline);
    else for (const one of typed) into.published.push(one);
    if (page.length < maxCount) break;
  }
}

/**
 * A stored subject document made whole: its timeline folded from the subject's stream up to the
 * revision the document was written at, so later appends never show through an older document.
 *
 * Given an earlier version of the same subject already made whole, only the events after it are
 * read, and folded into a copy of its timeline: the fold is deterministic, so that is the timeline
 * a fold from the start would give, and a subject read while it is written to is not read again
 * from the start for every version.
 *
 * A stored document whose cuts do not line up with its stream (written by a fold that went wrong)
 * is folded again from the stream, under `agreement`, rather than refused: one bad document must
 * not stop a list or the board. If that fold throws too, the subject is UnfoldableSubject.
 */
export async function loadSubjectDoc(
  events: EventStore,
  stored: StoredSubjectDoc,
  agreement: () => Agreement | null | Promise<Agreement | null>,
  previous?: SubjectDoc,
): Promise<SubjectDoc> {
  const from =
    previous && previous.subjectId === stored.subjectId && previous.revision <= stored.revision
      ? previous
      : undefined;
  const stream = subjectStream(stored.subjectId);
  // The earlier timeline is served as it is to whoever holds it, so the fold goes onto a copy.
  const timeline = from ? [...from.timeline] : [];
  try {
    await foldPages(events, stream, (from?.revision ?? -1) + 1, stored.revision, { timeline });
  } catch (error) {
    throw new UnfoldableSubject(stored.subjectId, error);
  }
  if (linesUp(stored, timeline)) return { ...stored, timeline };
  const published: PublishedEvent[] = [];
  try {
    await foldPages(events, stream, 0, stored.revision, { published });
  } catch (error) {
    throw new UnfoldableSubject(stored.subjectId, error);
  }
  const inForce = await agreement();
  try {
    const doc = refoldSubjectDoc(published, inForce);
    if (!doc) throw new Error('the stream holds no events');
    return settleViews(doc, inForce);
  } catch (error) {
    throw new UnfoldableSubject(stored.subjectId, error);
  }
}

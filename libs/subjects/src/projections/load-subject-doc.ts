import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { PublishedEvent } from '@throughline/domain';
import { subjectStream } from '@throughline/domain';
import type { EventStore } from '@throughline/event-store';
import { toPublishedEvent } from '@throughline/projections';
import { type StoredSubjectDoc, type SubjectDoc, timelineOf } from '../domain/subject-view';

/**
 * Events read from a subject's stream at a time. A page is read and parsed in a few milliseconds,
 * and other work (health checks, other readers) runs between pages, so a subject of a hundred
 * thousand events is loaded without holding the thread for the whole of it.
 */
export const STREAM_PAGE = 1_000;

/**
 * A stored subject document made whole: its timeline folded from the subject's stream up to the
 * revision the document was written at, so later appends never show through an older document.
 *
 * Given an earlier version of the same subject already made whole, only the events after it are
 * read, and folded into a copy of its timeline: the fold is deterministic, so that is the timeline
 * a fold from the start would give, and a subject read while it is written to is not read again
 * from the start for every version.
 */
export async function loadSubjectDoc(
  events: EventStore,
  stored: StoredSubjectDoc,
  previous?: SubjectDoc,
): Promise<SubjectDoc> {
  const from =
    previous && previous.subjectId === stored.subjectId && previous.revision <= stored.revision
      ? previous
      : undefined;
  const stream = subjectStream(stored.subjectId);
  // The earlier timeline is served as it is to whoever holds it, so the fold goes onto a copy.
  const timeline = from ? [...from.timeline] : [];
  // Each page is folded as soon as it is read, so the thread is let go between the folds too: a
  // correction looks through the timeline for the entry it rewrites, and costs more than a read.
  const first = (from?.revision ?? -1) + 1;
  for (let revision = first; revision <= stored.revision; revision += STREAM_PAGE) {
    if (revision > first) await yieldToLoop();
    const maxCount = Math.min(STREAM_PAGE, stored.revision - revision + 1);
    const page = await events.readStream(stream, { fromRevision: revision, maxCount });
    const published: PublishedEvent[] = [];
    for (const event of page) {
      const typed = toPublishedEvent(event);
      if (typed) published.push(typed);
    }
    timelineOf(published, timeline);
    if (page.length < maxCount) break;
  }
  for (const [agency, cuts] of Object.entries(stored.views)) {
    if (cuts.length !== timeline.length)
      throw new Error(
        `Subject ${stored.subjectId}: ${agency}'s view has ${cuts.length} entries but the stream folds to ${timeline.length}; rebuild the subject views`,
      );
  }
  return { ...stored, timeline };
}

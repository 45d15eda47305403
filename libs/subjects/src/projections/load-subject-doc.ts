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
 * A stored subject document made whole: its timeline folded from the subject's stream up to the
 * revision the document was written at, so later appends never show through an older document.
 *
 * A stored document whose cuts do not line up with its stream (written by a fold that went wrong)
 * is folded again from the stream, under `agreement`, rather than refused: one bad document must
 * not stop a list or the board. If that fold throws too, the subject is UnfoldableSubject.
 */
export async function loadSubjectDoc(
  events: EventStore,
  stored: StoredSubjectDoc,
  agreement: () => Agreement | null | Promise<Agreement | null>,
): Promise<SubjectDoc> {
  const recorded = await events.readStream(subjectStream(stored.subjectId), {
    maxCount: stored.revision + 1,
  });
  const published: PublishedEvent[] = recorded.flatMap((event) => toPublishedEvent(event) ?? []);
  let timeline: TimelineEntry[];
  try {
    timeline = timelineOf(published);
    if (linesUp(stored, timeline)) return { ...stored, timeline };
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

import { subjectStream } from '@throughline/domain';
import type { EventStore } from '@throughline/event-store';
import { toPublishedEvent } from '@throughline/projections';
import { type StoredSubjectDoc, type SubjectDoc, timelineOf } from '../domain/subject-view';

/**
 * A stored subject document made whole: its timeline folded from the subject's stream up to the
 * revision the document was written at, so later appends never show through an older document.
 */
export async function loadSubjectDoc(events: EventStore, stored: StoredSubjectDoc): Promise<SubjectDoc> {
  const recorded = await events.readStream(subjectStream(stored.subjectId), {
    maxCount: stored.revision + 1,
  });
  const timeline = timelineOf(recorded.flatMap((event) => toPublishedEvent(event) ?? []));
  for (const [agency, cuts] of Object.entries(stored.views)) {
    if (cuts.length !== timeline.length)
      throw new Error(
        `Subject ${stored.subjectId}: ${agency}'s view has ${cuts.length} entries but the stream folds to ${timeline.length}; rebuild the subject views`,
      );
  }
  return { ...stored, timeline };
}

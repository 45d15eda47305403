import { PARTNERSHIP_STREAM, type PublishedEvent, subjectStream } from '@throughline/domain';
import type { EventStore, RecordedEvent } from '@throughline/event-store';
import { FoldFailure, type Projection } from '@throughline/projections';
import { type Agreement, agreementOf } from '@throughline/sharing';
import {
  evolveSubjectDoc,
  type FoldedSubjectDoc,
  refoldSubjectDoc,
  SubjectFoldError,
  type StoredSubjectDoc,
  type SubjectDoc,
  settleViews,
  staleViews,
  storedSubjectDoc,
} from '../domain/subject-view';
import { loadSubjectDoc } from './load-subject-doc';

export const SUBJECT_VIEWS = 'subject-views';

/**
 * One document per subject: the corrected timeline, the sharing state and each agency's cut under
 * the agreement in force at that point of the log. The agreement is partnership-wide state carried
 * through the log in order, so a rebuild reproduces exactly what the live run computed. The
 * timeline is not stored: it is the subject's stream, read back when a document is loaded.
 */
export class SubjectViewsProjection implements Projection<FoldedSubjectDoc, StoredSubjectDoc> {
  readonly name = SUBJECT_VIEWS;
  private agreement: Agreement | null = null;

  keys(event: { subjectId: string }): readonly string[] {
    return [event.subjectId];
  }

  evolve(doc: FoldedSubjectDoc | null, event: Parameters<typeof evolveSubjectDoc>[1]): FoldedSubjectDoc {
    return evolveSubjectDoc(doc, event, this.agreement);
  }

  observe(event: RecordedEvent): boolean {
    const agreement = agreementOf(event);
    if (!agreement) return false;
    this.agreement = agreement;
    return true;
  }

  settle(doc: FoldedSubjectDoc): SubjectDoc {
    return settleViews(doc, this.agreement);
  }

  stored(doc: FoldedSubjectDoc): StoredSubjectDoc {
    return storedSubjectDoc(this.settle(doc));
  }

  load(stored: StoredSubjectDoc, _key: string, events: EventStore): Promise<SubjectDoc> {
    return loadSubjectDoc(events, stored, () => this.agreement);
  }

  keyStream(subjectId: string): string {
    return subjectStream(subjectId);
  }

  refold(_subjectId: string, events: readonly PublishedEvent[]): FoldedSubjectDoc | null {
    try {
      return refoldSubjectDoc(events, this.agreement);
    } catch (error) {
      if (error instanceof SubjectFoldError) throw new FoldFailure(error.event, error.reason);
      throw error;
    }
  }

  refresh(doc: FoldedSubjectDoc): FoldedSubjectDoc {
    return staleViews(doc);
  }

  async prepare(events: EventStore, position: number): Promise<void> {
    const loads = await events.readStream(PARTNERSHIP_STREAM, { direction: 'backwards' });
    const inForce = loads.find((event) => event.position <= position && agreementOf(event));
    this.agreement = inForce ? agreementOf(inForce)! : null;
  }
}

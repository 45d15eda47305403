import { PARTNERSHIP_STREAM } from '@throughline/domain';
import type { EventStore, RecordedEvent } from '@throughline/event-store';
import type { Projection } from '@throughline/projections';
import { type Agreement, agreementOf } from '@throughline/sharing';
import { evolveSubjectDoc, recomputeViews, type SubjectDoc } from '../domain/subject-view';

export const SUBJECT_VIEWS = 'subject-views';

/**
 * One document per subject: the corrected timeline, the sharing state and each agency's cut under
 * the agreement in force at that point of the log. The agreement is partnership-wide state carried
 * through the log in order, so a rebuild reproduces exactly what the live run computed.
 */
export class SubjectViewsProjection implements Projection<SubjectDoc> {
  readonly name = SUBJECT_VIEWS;
  private agreement: Agreement | null = null;

  keys(event: { subjectId: string }): readonly string[] {
    return [event.subjectId];
  }

  evolve(doc: SubjectDoc | null, event: Parameters<typeof evolveSubjectDoc>[1]): SubjectDoc {
    return evolveSubjectDoc(doc, event, this.agreement);
  }

  observe(event: RecordedEvent): boolean {
    const agreement = agreementOf(event);
    if (!agreement) return false;
    this.agreement = agreement;
    return true;
  }

  refresh(doc: SubjectDoc): SubjectDoc {
    return recomputeViews(doc, this.agreement);
  }

  async prepare(events: EventStore, position: number): Promise<void> {
    const loads = await events.readStream(PARTNERSHIP_STREAM, { direction: 'backwards' });
    const inForce = loads.find((event) => event.position <= position && agreementOf(event));
    this.agreement = inForce ? agreementOf(inForce)! : null;
  }
}

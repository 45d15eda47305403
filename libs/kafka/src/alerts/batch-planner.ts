import type { Logger } from '@nestjs/common';
import { isAlerting } from '@throughline/domain';
import { ERASED_METADATA, type RecordedEvent } from '@throughline/event-store';
import { type ReadModelStore, toPublishedEvent } from '@throughline/projections';
import type { AgreementService } from '@throughline/sharing';
import { CASELOADS, SUBJECT_VIEWS, subjectSharingOf } from '@throughline/subjects';
import { delay } from '../delay';
import { type Alert, planAlerts } from './alert';

/** One batch's alerts, decided once, stored with the checkpoint `to` before any is sent. */
export interface RelayPlan {
  /** The checkpoint the batch starts after. */
  readonly from: number;
  /** The position of the batch's last event. */
  readonly to: number;
  readonly alerts: readonly PlannedAlert[];
}

export interface PlannedAlert {
  readonly alert: Alert;
  /** The log position of the event it tells of, for the disclosure record. */
  readonly position: number;
}

/** What the relay reads of each subject to plan its alerts: the reading the inbox makes too. */
export const alertSubjects = subjectSharingOf;

/** The relay was stopped while a batch waited for subject-views. */
export class RelayStopped extends Error {}

/** The alerts of a batch of the log, as the subject-views projection and the agreement stand. */
export class BatchPlanner {
  constructor(
    private readonly readModels: ReadModelStore,
    private readonly agreements: AgreementService,
    private readonly logger: Logger,
  ) {}

  /** Waits until subject-views has applied the batch's alerting events (unless `halting`). */
  async plan(batch: readonly RecordedEvent[], halting: AbortSignal): Promise<PlannedAlert[]> {
    // An event erased before its alerts were planned raises none: there is nothing left to tell.
    const alerting = batch.filter(
      (recorded) => isAlerting(recorded.type) && recorded.metadata[ERASED_METADATA] !== true,
    );
    if (alerting.length === 0) return [];
    await this.viewsReached(alerting[alerting.length - 1]!.position, halting);
    const events = alerting.flatMap((entry) => {
      const event = toPublishedEvent(entry);
      return event ? [{ event, recordedAt: entry.recordedAt }] : [];
    });
    const subjects = await alertSubjects(
      this.readModels,
      events.map(({ event }) => event.subjectId),
    );
    const agreement = await this.agreements.current();
    const now = new Date();
    return events.flatMap(({ event, recordedAt }) => {
      const subject = subjects.get(event.subjectId);
      if (!subject) return [];
      try {
        return planAlerts({ event, recordedAt, subject, agreement, now }).map((alert) => ({
          alert,
          position: event.position,
        }));
      } catch (error) {
        // Data no check foresaw would throw on every retry: this event goes without its alerts
        // rather than hold back every agency's.
        const reason = error instanceof Error ? error.message : String(error);
        this.logger.error(
          `No alerts for event ${event.id} (${event.type}, position ${event.position}): ${reason}`,
        );
        return [];
      }
    });
  }

  /**
   * The recipients come from the subject-views documents and the caseloads, so both must include
   * this event.
   */
  private async viewsReached(position: number, halting: AbortSignal): Promise<void> {
    for (const projection of [SUBJECT_VIEWS, CASELOADS]) {
      let waitedMs = 0;
      while ((await this.readModels.checkpoint(projection)) < position) {
        if (!(await delay(25, halting))) throw new RelayStopped('relay stopped');
        waitedMs += 25;
        if (waitedMs % 30_000 === 0)
          this.logger.warn(`Waiting ${waitedMs / 1000} s for ${projection} to reach position ${position}`);
      }
    }
  }
}

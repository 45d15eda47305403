import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { BREAK_GLASS_CLAIMS, type BreakGlassClaim } from '@throughline/audit';
import type { Principal } from '@throughline/auth';
import { type EventMeta, subjectStream } from '@throughline/domain';
import { EventStore, type RecordedEvent, WrongExpectedRevisionError } from '@throughline/event-store';
import { ReadModelStore } from '@throughline/projections';
import { AgreementService } from '../../agreement/agreement.service';
import {
  decideReview,
  type ReviewerGround,
  type ReviewOutcome,
  reviewerRefusal,
} from '../../domain/break-glass';
import { type RefusalContext, BreakGlassRefusals } from '../break-glass/break-glass-refusals';
import { PLATFORM_SOURCE } from '../break-glass/break-glass.command';

export class ReviewBreakGlassCommand {
  constructor(
    readonly principal: Principal,
    readonly claimEventId: string,
    readonly outcome: unknown,
    readonly note: unknown,
    readonly requestId?: string,
  ) {}
}

export interface BreakGlassReviewed {
  readonly eventId: string;
  readonly claimEventId: string;
  readonly outcome: ReviewOutcome;
  readonly ground: ReviewerGround;
  readonly position: number;
}

const claimIn = (history: readonly RecordedEvent[], claimEventId: string) => {
  const event = history.find((e) => e.id === claimEventId && e.type === 'iom.break-glass.claimed.v1');
  if (!event) return null;
  const data = event.data as { user: string; agency: string };
  return { eventId: event.id, user: data.user, agency: data.agency };
};

/**
 * The IG review of a break-glass claim, for the API and the IG console alike: decideReview decides,
 * the review is appended as `iom.break-glass.reviewed.v1`, and a refusal is recorded in the audit log.
 */
@CommandHandler(ReviewBreakGlassCommand)
export class ReviewBreakGlassHandler implements ICommandHandler<ReviewBreakGlassCommand, BreakGlassReviewed> {
  constructor(
    private readonly events: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly agreements: AgreementService,
    private readonly refusals: BreakGlassRefusals,
  ) {}

  async execute(command: ReviewBreakGlassCommand): Promise<BreakGlassReviewed> {
    const { principal, claimEventId } = command;
    const agreement = await this.agreements.current();
    const context: RefusalContext = {
      principal,
      action: 'audit.break-glass-review',
      subjectId: null,
      agreementVersion: agreement?.version ?? null,
      requestId: command.requestId,
    };
    // Someone who reviews no claims learns nothing of this one, not even whether it exists.
    const notReviewer = reviewerRefusal(principal, agreement);
    if (notReviewer) throw await this.refusals.refuse(context, notReviewer);

    // The projection finds the claim's subject; the log, not the projection, says who claimed and
    // whether a review exists (the projection may lag), and the append expects the stream as read,
    // so two reviewers racing cannot both record one.
    const listed = await this.readModels.get<BreakGlassClaim>(BREAK_GLASS_CLAIMS, claimEventId);
    const stream = listed ? subjectStream(listed.subjectId) : null;
    const id = randomUUID();
    for (let attempt = 0; ; attempt += 1) {
      const history = stream ? await this.events.readStream(stream) : [];
      const decision = decideReview({
        reviewer: principal,
        agreement,
        claim: claimIn(history, claimEventId),
        alreadyReviewed: history.some(
          (event) =>
            event.type === 'iom.break-glass.reviewed.v1' &&
            (event.data as { claimEventId?: string }).claimEventId === claimEventId,
        ),
        outcome: command.outcome,
        note: command.note,
      });
      if (decision.refused) {
        throw await this.refusals.refuse({ ...context, subjectId: listed?.subjectId ?? null }, decision);
      }
      const { refused: _refused, ground, ...data } = decision;
      const meta: EventMeta = {
        agency: principal.agency,
        source: PLATFORM_SOURCE,
        ceId: id,
        time: new Date().toISOString(),
        subjectRef: listed!.subjectId,
        publishedBy: principal.id,
        category: 'safeguarding',
        ...(command.requestId ? { requestId: command.requestId } : {}),
      };
      try {
        const appended = await this.events.append(
          stream!,
          [{ id, type: 'iom.break-glass.reviewed.v1', data, metadata: { ...meta } }],
          history.at(-1)!.revision,
        );
        const position = appended.events[0]?.position ?? 0;
        return { eventId: id, claimEventId, outcome: data.outcome, ground, position };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= 3) throw error;
      }
    }
  }
}

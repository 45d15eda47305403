import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Principal } from '@throughline/auth';
import { type EventMeta, subjectStream } from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { AgreementService } from '../../agreement/agreement.service';
import { decideClaim } from '../../domain/break-glass';
import { BreakGlassRefusals } from './break-glass-refusals';
import type { BreakGlassRequest } from './break-glass.dto';

export class ClaimBreakGlassCommand {
  constructor(
    readonly principal: Principal,
    readonly subjectId: string,
    readonly request: BreakGlassRequest,
    readonly requestId?: string,
  ) {}
}

export interface BreakGlassGranted {
  readonly eventId: string;
  readonly subjectId: string;
  readonly categories: readonly string[];
  readonly expiresAt: string;
}

export const PLATFORM_SOURCE = 'urn:throughline:platform';

/**
 * Records a break-glass claim as an event on the subject's stream; it takes effect on the next
 * read. decideClaim decides; a refusal is recorded in the audit log before it is answered.
 */
@CommandHandler(ClaimBreakGlassCommand)
export class ClaimBreakGlassHandler implements ICommandHandler<ClaimBreakGlassCommand, BreakGlassGranted> {
  constructor(
    private readonly events: EventStore,
    private readonly agreements: AgreementService,
    private readonly refusals: BreakGlassRefusals,
  ) {}

  async execute({
    principal,
    subjectId,
    request,
    requestId,
  }: ClaimBreakGlassCommand): Promise<BreakGlassGranted> {
    const agreement = await this.agreements.current();
    const stream = subjectStream(subjectId);
    const [last] = await this.events.readStream(stream, { direction: 'backwards', maxCount: 1 });
    const now = new Date();
    const decision = decideClaim({
      claimant: principal,
      agreement,
      subjectKnown: last !== undefined,
      justification: request.justification,
      categories: request.categories,
      minutes: request.minutes,
      now,
    });
    if (decision.refused) {
      throw await this.refusals.refuse(
        {
          principal,
          action: 'subject.break-glass',
          subjectId,
          agreementVersion: agreement?.version ?? null,
          requestId,
        },
        decision,
      );
    }
    const eventId = randomUUID();
    const meta: EventMeta = {
      agency: principal.agency,
      source: PLATFORM_SOURCE,
      ceId: eventId,
      time: now.toISOString(),
      subjectRef: subjectId,
      publishedBy: principal.id,
      category: 'safeguarding',
      ...(requestId ? { requestId } : {}),
    };
    const { refused: _refused, ...data } = decision;
    await this.events.append(
      stream,
      [{ id: eventId, type: 'iom.break-glass.claimed.v1', data, metadata: { ...meta } }],
      'stream_exists',
    );
    return { eventId, subjectId, categories: data.categories, expiresAt: data.expiresAt };
  }
}

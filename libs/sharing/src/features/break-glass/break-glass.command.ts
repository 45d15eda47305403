import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Principal } from '@throughline/auth';
import { type EventMeta, subjectStream } from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { ProblemException } from '@throughline/platform';
import { AgreementService } from '../../agreement/agreement.service';
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

/** Records a break-glass claim as an event on the subject's stream; it takes effect on the next read. */
@CommandHandler(ClaimBreakGlassCommand)
export class ClaimBreakGlassHandler implements ICommandHandler<ClaimBreakGlassCommand, BreakGlassGranted> {
  constructor(
    private readonly events: EventStore,
    private readonly agreements: AgreementService,
  ) {}

  async execute({
    principal,
    subjectId,
    request,
    requestId,
  }: ClaimBreakGlassCommand): Promise<BreakGlassGranted> {
    const agreement = await this.agreements.current();
    if (principal.kind !== 'person' || !agreement?.breakGlass.roles.includes(principal.role)) {
      throw new ProblemException(
        403,
        'break-glass-not-allowed',
        'Break-glass not allowed',
        `Role "${principal.role}" may not claim emergency access under the agreement`,
      );
    }
    if (request.minutes > agreement.breakGlass.maxMinutes) {
      throw new ProblemException(
        422,
        'invalid-break-glass',
        'Invalid break-glass claim',
        `minutes must be at most ${agreement.breakGlass.maxMinutes}`,
        {
          errors: [
            {
              field: 'minutes',
              constraint: 'max',
              message: `at most ${agreement.breakGlass.maxMinutes} minutes`,
            },
          ],
        },
      );
    }
    const stream = subjectStream(subjectId);
    const [last] = await this.events.readStream(stream, { direction: 'backwards', maxCount: 1 });
    if (!last)
      throw new ProblemException(
        404,
        'subject-not-found',
        'Subject not found',
        'No subject with this id is visible to your agency',
      );
    const now = new Date();
    const expiresAt = new Date(now.getTime() + request.minutes * 60_000).toISOString();
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
    const data = {
      user: principal.id,
      agency: principal.agency,
      categories: request.categories,
      expiresAt,
      justification: request.justification,
    };
    await this.events.append(
      stream,
      [{ id: eventId, type: 'iom.break-glass.claimed.v1', data, metadata: { ...meta } }],
      'stream_exists',
    );
    return { eventId, subjectId, categories: request.categories, expiresAt };
  }
}

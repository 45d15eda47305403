import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit.service';
import { BREAK_GLASS_CLAIMS, type BreakGlassClaim } from '../../projections/break-glass-claims.projection';
import type { Principal } from '@throughline/auth';
import { type EventMeta, subjectStream } from '@throughline/domain';
import { EventStore, WrongExpectedRevisionError } from '@throughline/event-store';
import { ProblemException } from '@throughline/platform';
import { ReadModelStore } from '@throughline/projections';

export interface ClaimUnderReview extends BreakGlassClaim {
  /** What the claim disclosed: each read that relied on it. */
  readonly seen: readonly {
    disclosureId: string;
    at: string;
    action: string;
    categories: readonly string[];
    fields: Readonly<Record<string, readonly string[]>>;
  }[];
}

export type ReviewOutcome = 'approved' | 'flagged';

/** The IG lead's break-glass review: the queue with what each claim disclosed, and the review itself. */
@Injectable()
export class BreakGlassReviewService {
  constructor(
    private readonly readModels: ReadModelStore,
    private readonly audit: AuditService,
    private readonly events: EventStore,
  ) {}

  async queue(status: 'awaiting-review' | 'approved' | 'flagged' | 'all'): Promise<ClaimUnderReview[]> {
    const claims = (await this.readModels.list<BreakGlassClaim>(BREAK_GLASS_CLAIMS)).filter(
      (claim) => status === 'all' || claim.status === status,
    );
    const reviewed: ClaimUnderReview[] = [];
    for (const claim of claims.sort((a, b) => b.claimedAt.localeCompare(a.claimedAt))) {
      const records = await this.audit.store.query({
        subjectId: claim.subjectId,
        user: claim.user,
        from: claim.claimedAt,
        limit: 500,
      });
      const seen = records.flatMap((record) =>
        record.content.subjects
          .filter((subject) => subject.grounds.some((ground) => ground.reliedOn === claim.eventId))
          .map((subject) => ({
            disclosureId: record.content.id,
            at: record.content.at,
            action: record.content.action,
            categories: subject.grounds
              .filter((ground) => ground.reliedOn === claim.eventId)
              .flatMap((ground) => ground.categories),
            fields: subject.fields,
          })),
      );
      reviewed.push({ ...claim, seen });
    }
    return reviewed;
  }

  /** Reviewed claims, newest review first; the queue's history needs no reads behind it. */
  async reviewed(limit: number): Promise<ClaimUnderReview[]> {
    const claims = await this.readModels.list<BreakGlassClaim>(BREAK_GLASS_CLAIMS);
    return claims
      .filter((claim) => claim.status !== 'awaiting-review')
      .sort((a, b) => (b.review?.at ?? '').localeCompare(a.review?.at ?? ''))
      .slice(0, limit)
      .map((claim) => ({ ...claim, seen: [] }));
  }

  async review(
    principal: Principal,
    eventId: string,
    outcome: unknown,
    note: unknown,
  ): Promise<{ eventId: string; claimEventId: string; outcome: ReviewOutcome; position: number }> {
    if (outcome !== 'approved' && outcome !== 'flagged') {
      throw new ProblemException(
        422,
        'invalid-review',
        'Invalid review',
        'outcome must be approved or flagged',
        {
          errors: [{ field: 'outcome', constraint: 'isIn', message: 'approved or flagged' }],
        },
      );
    }
    if (note !== undefined && (typeof note !== 'string' || note.length < 1 || note.length > 2000)) {
      throw new ProblemException(422, 'invalid-review', 'Invalid review', 'note must be 1-2000 characters');
    }
    const claim = await this.readModels.get<BreakGlassClaim>(BREAK_GLASS_CLAIMS, eventId);
    if (!claim)
      throw new ProblemException(
        404,
        'claim-not-found',
        'Claim not found',
        `No break-glass claim ${eventId}`,
      );
    const stream = subjectStream(claim.subjectId);
    const id = randomUUID();
    const meta: EventMeta = {
      agency: principal.agency,
      source: 'urn:throughline:platform',
      ceId: id,
      time: new Date().toISOString(),
      subjectRef: claim.subjectId,
      publishedBy: principal.id,
      category: 'safeguarding',
    };
    const data = {
      claimEventId: eventId,
      outcome,
      reviewer: principal.id,
      ...(typeof note === 'string' ? { note } : {}),
    };
    // The log, not the projection, decides whether a review exists (the projection may lag), and
    // the append expects the stream as read, so two reviewers racing cannot both record one.
    let position = 0;
    for (let attempt = 0; ; attempt += 1) {
      const history = await this.events.readStream(stream);
      const reviewed = history.some(
        (event) =>
          event.type === 'iom.break-glass.reviewed.v1' &&
          (event.data as { claimEventId?: string }).claimEventId === eventId,
      );
      if (reviewed) {
        throw new ProblemException(
          409,
          'already-reviewed',
          'Already reviewed',
          'The claim was already reviewed',
        );
      }
      try {
        const appended = await this.events.append(
          stream,
          [{ id, type: 'iom.break-glass.reviewed.v1', data, metadata: { ...meta } }],
          history.at(-1)!.revision,
        );
        position = appended.events[0]?.position ?? 0;
        break;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= 3) throw error;
      }
    }
    return { eventId: id, claimEventId: eventId, outcome, position };
  }
}

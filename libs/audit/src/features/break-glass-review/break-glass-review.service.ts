import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit.service';
import { BREAK_GLASS_CLAIMS, type BreakGlassClaim } from '../../projections/break-glass-claims.projection';
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

/**
 * The IG lead's break-glass queue, with what each claim disclosed. The review itself is decided
 * with the agreement's break-glass terms, by the sharing context's review use case.
 */
@Injectable()
export class BreakGlassReviewService {
  constructor(
    private readonly readModels: ReadModelStore,
    private readonly audit: AuditService,
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
}

import type { PublishedEvent } from '@throughline/domain';
import type { Projection } from '@throughline/projections';

export const BREAK_GLASS_CLAIMS = 'break-glass-claims';

export interface BreakGlassClaim {
  readonly eventId: string;
  readonly subjectId: string;
  readonly user: string;
  readonly agency: string;
  readonly categories: readonly string[];
  readonly claimedAt: string;
  readonly expiresAt: string;
  readonly justification: string;
  readonly status: 'awaiting-review' | 'approved' | 'flagged';
  readonly review: { readonly reviewer: string; readonly at: string; readonly note?: string } | null;
}

/** Every break-glass claim and its review, keyed by the claim's event id, for the IG lead's queue. */
export const breakGlassClaimsProjection: Projection<BreakGlassClaim> = {
  name: BREAK_GLASS_CLAIMS,
  keys: (event: PublishedEvent) =>
    event.type === 'iom.break-glass.claimed.v1'
      ? [event.id]
      : event.type === 'iom.break-glass.reviewed.v1'
        ? [event.data.claimEventId]
        : [],
  evolve: (claim, event) => {
    if (event.type === 'iom.break-glass.claimed.v1') {
      return {
        eventId: event.id,
        subjectId: event.subjectId,
        user: event.data.user,
        agency: event.data.agency,
        categories: event.data.categories,
        claimedAt: event.meta.time,
        expiresAt: event.data.expiresAt,
        justification: event.data.justification,
        status: 'awaiting-review',
        review: null,
      };
    }
    if (event.type === 'iom.break-glass.reviewed.v1' && claim) {
      const { outcome, reviewer, note } = event.data;
      return {
        ...claim,
        status: outcome,
        review: { reviewer, at: event.meta.time, ...(note ? { note } : {}) },
      };
    }
    return claim;
  },
};

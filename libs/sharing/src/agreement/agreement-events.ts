import { DEFAULT_ISSUING_AGENCIES, DEFAULT_TIME_ZONE } from '@throughline/domain';
import type { RecordedEvent } from '@throughline/event-store';
import type { Agreement } from '../domain/agreement';

/** Partnership-level events live on their own stream, never on a subject's. */
export const AGREEMENT_LOADED = 'partnership.agreement-loaded.v1';

export interface AgreementLoadedData {
  readonly agreement: Agreement;
  readonly loadedBy: string;
  readonly file?: string;
}

/** An agreement as stored by a load from before some of today's sections existed. */
type StoredAgreement = Omit<Agreement, 'roles' | 'breakGlass' | 'identifiers' | 'timeZone' | 'wideList'> & {
  readonly roles?: Agreement['roles'];
  readonly timeZone?: string;
  readonly wideList?: Agreement['wideList'];
  readonly identifiers?: Agreement['identifiers'];
  readonly breakGlass: Omit<Agreement['breakGlass'], 'partnershipReviewers'> & {
    readonly partnershipReviewers?: Agreement['breakGlass']['partnershipReviewers'];
  };
};

/**
 * The agreement a load event carries. One loaded before the agreement named partnership reviewers
 * reads as naming none: a claim from it is reviewed by its own agency's IG lead only. One loaded
 * before it had a role section reads with `roles: null`, which the role rule reads as the rules
 * that stood then (see `decideRoleAccess`). One loaded before it named identifier issuers reads
 * with the default issuers, the rule the platform shipped with them; one from before it named a time
 * zone or a wide list, in Europe/London with no wide list (the caseload for everyone).
 */
export function agreementOf(event: Pick<RecordedEvent, 'type' | 'data'>): Agreement | undefined {
  if (event.type !== AGREEMENT_LOADED) return undefined;
  const { agreement } = event.data as { readonly agreement: StoredAgreement };
  // The same object while nothing is filled in: caches keyed by the agreement keep their entries.
  if (
    agreement.roles !== undefined &&
    agreement.breakGlass.partnershipReviewers &&
    agreement.identifiers !== undefined &&
    agreement.timeZone !== undefined &&
    agreement.wideList !== undefined
  )
    return agreement as Agreement;
  return {
    ...agreement,
    roles: agreement.roles ?? null,
    identifiers: agreement.identifiers ?? DEFAULT_ISSUING_AGENCIES,
    timeZone: agreement.timeZone ?? DEFAULT_TIME_ZONE,
    wideList: agreement.wideList ?? [],
    breakGlass: {
      ...agreement.breakGlass,
      partnershipReviewers: agreement.breakGlass.partnershipReviewers ?? [],
    },
  };
}

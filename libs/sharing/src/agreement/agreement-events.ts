import type { RecordedEvent } from '@throughline/event-store';
import type { Agreement } from '../domain/agreement';

/** Partnership-level events live on their own stream, never on a subject's. */
export const AGREEMENT_LOADED = 'partnership.agreement-loaded.v1';

export interface AgreementLoadedData {
  readonly agreement: Agreement;
  readonly loadedBy: string;
  readonly file?: string;
}

/**
 * The agreement a load event carries. One loaded before the agreement named partnership reviewers
 * reads as naming none: a claim from it is reviewed by its own agency's IG lead only.
 */
export function agreementOf(event: Pick<RecordedEvent, 'type' | 'data'>): Agreement | undefined {
  if (event.type !== AGREEMENT_LOADED) return undefined;
  const { agreement } = event.data as AgreementLoadedData;
  if (agreement.breakGlass.partnershipReviewers) return agreement;
  return { ...agreement, breakGlass: { ...agreement.breakGlass, partnershipReviewers: [] } };
}

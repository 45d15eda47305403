import type { RecordedEvent } from '@throughline/event-store';
import type { Agreement } from '../domain/agreement';

/** Partnership-level events live on their own stream, never on a subject's. */
export const AGREEMENT_LOADED = 'partnership.agreement-loaded.v1';

export interface AgreementLoadedData {
  readonly agreement: Agreement;
  readonly loadedBy: string;
  readonly file?: string;
}

export const agreementOf = (event: Pick<RecordedEvent, 'type' | 'data'>): Agreement | undefined =>
  event.type === AGREEMENT_LOADED ? (event.data as AgreementLoadedData).agreement : undefined;

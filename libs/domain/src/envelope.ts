import type { DataCategory } from './categories';
import type { CatalogueEvent } from './catalogue';

/** What the platform records beside each event's data: who published it, when, and about whom. */
export interface EventMeta {
  /** The publishing agency, taken from the credential, never from the body. */
  readonly agency: string;
  readonly source: string;
  /** The CloudEvents `id` as the agency sent it; unique per source. */
  readonly ceId: string;
  /** When it happened (CloudEvents `time`). */
  readonly time: string;
  /** The subject as the agency named it (partnership id or scheme:value). */
  readonly subjectRef: string;
  readonly publishedBy: string;
  /** The data category; corrections and redactions take their target's. */
  readonly category: DataCategory;
  readonly requestId?: string;
}

/** A catalogue event as stored in the log and handed to projections. */
export type PublishedEvent = CatalogueEvent & {
  readonly id: string;
  readonly subjectId: string;
  readonly position: number;
  readonly revision: number;
  readonly meta: EventMeta;
};

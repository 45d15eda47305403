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

/**
 * The CloudEvents envelope's rules, shared by the ingestion check and the published JSON Schemas
 * so the two cannot drift apart. `time` is an instant (see instants).
 */
export const ENVELOPE_RULES = {
  /** The attributes CloudEvents defines that a JSON event of the catalogue may carry. */
  coreAttributes: [
    'specversion',
    'id',
    'source',
    'type',
    'subject',
    'time',
    'data',
    'datacontenttype',
    'dataschema',
  ],
  idMaxLength: 200,
  sourceMaxLength: 256,
  typeMaxLength: 100,
  subjectMaxLength: 100,
  /** `source` and `dataschema`: a URI with a scheme, e.g. `urn:throughline:police:custody`. */
  uriPattern: /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/,
  /** CloudEvents extension attribute names: lower-case letters and digits. */
  extensionNamePattern: /^[a-z0-9]{1,20}$/,
  dataContentTypePattern: /^application\/json\b/,
} as const;

/** An extension attribute's value: the CloudEvents types a JSON event carries (string, integer, boolean). */
export const isExtensionValue = (value: unknown): boolean =>
  typeof value === 'string' || typeof value === 'boolean' || Number.isInteger(value);

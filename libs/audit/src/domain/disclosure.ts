/** How one subject's data was disclosed in a read, on what basis, and what of it. */
export interface SubjectDisclosure {
  readonly subjectId: string;
  /** Each basis relied on: the rule, clause, legal basis and the consent/concern/claim event. */
  readonly grounds: readonly {
    readonly rule: string;
    readonly basis: string;
    readonly clause: string | null;
    readonly legalBasis: string;
    readonly reliedOn: string | null;
    readonly categories: readonly string[];
  }[];
  /** Category to the data fields disclosed of it. */
  readonly fields: Readonly<Record<string, readonly string[]>>;
  /**
   * The log positions of the events disclosed, each naming one stored event (as a timeline item's
   * `position` does). Numbers rather than event ids keep a record of a long history small.
   */
  readonly positions: readonly number[];
}

export type DisclosureAction =
  | 'subject.view'
  | 'subject.timeline'
  | 'subject.list'
  | 'subject.break-glass'
  | 'audit.break-glass-review'
  | 'audit.subject-search'
  /** The IG lead's records management: the review queue, retain decisions, restrictions and lifts. */
  | 'records.review'
  | 'records.restriction'
  /** The partnership admin's list of records that may be one person. */
  | 'identity.possible-duplicates'
  | 'tasking.board'
  | 'tasking.deselections'
  /** A tasking meeting's agenda (the board's flags for its cohort) and its minutes. */
  | 'tasking.agenda'
  | 'tasking.minutes'
  /** A decision or action the chair recorded in a tasking meeting, as an event about the person. */
  | 'tasking.decision'
  | 'alert'
  /** A person's inbox: a page of notifications, one opened (or marked read), one pushed live. */
  | 'inbox.list'
  | 'inbox.read'
  | 'inbox.push'
  | 'audit.export'
  | 'subject.access-export'
  /** The IG lead's audit tools other than the export: the register, receipts, verification. */
  | 'audit.tools'
  | 'platform.status'
  | 'events.ingest'
  /** A refused request to a route no use case above names. */
  | 'request';

/**
 * The content of one audit record. Pseudonymised by construction: subjects by partnership id,
 * people by user id, data by category and field name; never names or free text from events.
 */
export interface DisclosureContent {
  readonly id: string;
  readonly at: string;
  readonly requestId: string | null;
  readonly principal: {
    readonly kind: string;
    readonly user: string;
    readonly agency: string;
    readonly role: string;
  };
  readonly action: DisclosureAction;
  /**
   * `decided`: a records decision (retain, restrict, lift) or a tasking meeting's decision the
   * platform recorded as an event.
   */
  readonly outcome: 'disclosed' | 'refused' | 'decided';
  readonly purpose: string | null;
  readonly agreementVersion: string | null;
  readonly subjects: readonly SubjectDisclosure[];
  /**
   * A search for a person: what it searched by (`familyName`, `dateOfBirth`, `pnc`, ...), never the
   * values, which would put a name in the log; the subjects it found are in `subjects`.
   */
  readonly search?: { readonly by: readonly string[] };
  /** Why a refused attempt was refused. */
  readonly refusal: {
    readonly status: number;
    readonly reason: string;
    readonly subjectId: string | null;
    /** The rule that refused, and the agreement clause behind it, where a decision names them. */
    readonly rule?: string;
    readonly clause?: string | null;
    /** The route refused, as `METHOD /path/:param`: its pattern, never the values sent. */
    readonly route?: string;
  } | null;
}

/** The columns and index rows a store keeps beside the content so the register can be filtered. */
export interface IndexedColumns {
  readonly id: string;
  readonly at: string;
  readonly agency: string;
  readonly user: string;
  readonly purpose: string | null;
  readonly outcome: string;
  readonly action: string;
  /** The subject ids indexed for this record, sorted. */
  readonly subjects: readonly string[];
}

/** A record as chained: its place in the log, its content hash and the chain hash through it. */
export interface AuditRecord {
  readonly seq: number;
  readonly content: DisclosureContent;
  readonly contentHash: string;
  readonly prevHash: string;
  readonly hash: string;
  /** Present when read for verification: what the store's filter columns say of this record. */
  readonly indexed?: IndexedColumns;
  /** Present when the store keeps the content as canonical JSON text: the exact bytes hashed. */
  readonly canonical?: string;
}

/** What the filter columns must say of a record's content. */
export const indexedColumnsOf = (content: DisclosureContent): IndexedColumns => ({
  id: content.id,
  at: content.at,
  agency: content.principal.agency,
  user: content.principal.user,
  purpose: content.purpose,
  outcome: content.outcome,
  action: content.action,
  subjects: [
    ...new Set([
      ...content.subjects.map((s) => s.subjectId),
      ...(content.refusal?.subjectId ? [content.refusal.subjectId] : []),
    ]),
  ].sort(),
});

/** A signed statement that the chain through `seq` ends in `hash`. */
export interface AuditCheckpoint {
  readonly seq: number;
  readonly hash: string;
  readonly at: string;
  readonly keyId: string;
  /** Ed25519 over the canonical JSON of {seq, hash, at, keyId}, base64url. */
  readonly signature: string;
}

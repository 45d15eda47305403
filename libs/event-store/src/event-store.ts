/**
 * The event log contract. Three backends implement it (SQLite, PostgreSQL, EventStoreDB) and one
 * contract suite (`testing/event-store.contract.ts`) proves they behave alike.
 *
 * Revisions are 0-based per stream. Global positions are strictly increasing integers; a reader
 * passes the last position it processed (0 before the first event) and gets what follows.
 */

/** `any`, `no_stream`, `stream_exists`, or the exact revision of the stream's last event. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export type EventMetadata = Readonly<Record<string, unknown>>;

export interface EventToAppend {
  /** Globally unique; a second append of the same id is refused with DuplicateEventError. */
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  /**
   * Erasure: the data keys of the stream's subject to destroy before this event is written, which
   * then records the erasure and is stored in the clear. Only an encrypting store
   * (EncryptingEventStore) acts on it; it names the keys destroyed in `metadata.destroyedKeys`.
   */
  readonly destroyKeys?: KeysToDestroy;
  /**
   * Redaction: the ids of events of the same stream whose data is destroyed before this event is
   * written, by destroying the keys that sealed it; the other events those keys sealed are kept,
   * sealed again under a new key (decision 0035). Only an encrypting store acts on it; it names the
   * keys destroyed in `metadata.destroyedKeys`. The event itself is stored as any other.
   */
  readonly destroyDataOf?: readonly string[];
}

export interface RecordedEvent {
  readonly id: string;
  readonly type: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  readonly recordedAt: Date;
}

export interface AppendedEvent {
  readonly id: string;
  readonly revision: number;
  readonly position: number;
}

export interface AppendResult {
  readonly streamId: string;
  /** The revision of the stream's last event after the append. */
  readonly nextExpectedRevision: number;
  readonly events: readonly AppendedEvent[];
}

/**
 * An identifier given to one owner for good, written with the append that gives it. A second claim
 * of it by the same owner is a no-op; by another owner it refuses the whole append with
 * IdentifierTakenError.
 */
export interface IdentifierClaim {
  /** The identifier as compared: `scheme:value` as the identity index formats it. */
  readonly identifier: string;
  /** The subject's partnership id. */
  readonly owner: string;
  /** The stored id of the event of the append that links it. */
  readonly eventId: string;
}

/**
 * An identifier its owner gives up, written with the append that unlinks it (or parts a merged
 * record): afterwards another owner may claim it. A release by anyone but the owner writes nothing.
 * Releases are written before the claims of the same call.
 */
export interface IdentifierRelease {
  readonly identifier: string;
  readonly owner: string;
}

export interface AppendRequest {
  readonly streamId: string;
  readonly expectedRevision: ExpectedRevision;
  readonly events: readonly EventToAppend[];
  readonly claims?: readonly IdentifierClaim[];
  readonly releases?: readonly IdentifierRelease[];
}

export interface KeysToDestroy {
  readonly agency: string;
  readonly categories?: readonly string[];
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive. Forwards defaults to 0, backwards to the end of the stream. */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events with a greater position are returned. 0 reads from the start. */
  readonly after?: number;
  /** Counts only the events returned: a page shorter than this ends at the head of the log. */
  readonly maxCount?: number;
  /**
   * Only events of these types. The others are passed over in the store, so a reader that needs
   * few kinds of event out of a long stretch of the log does not receive and unpack all of it.
   */
  readonly types?: readonly string[];
}

export type EventStoreBackend = 'sqlite' | 'postgres' | 'eventstoredb';

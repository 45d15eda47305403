import type { SealedData } from './data-cipher';

/**
 * Data keys kept apart from the log, one per subject, publishing agency and data category. The log
 * holds only ciphertext and key ids; destroying a key makes what it sealed unreadable for good,
 * which is how the log, append-only, still forgets (crypto-shredding, decisions 0026 and 0030).
 *
 * Two implementations (a SQLite file beside events.db, a table in PostgreSQL) share one contract
 * suite; a KMS could be a third.
 */
export interface DataKeyScope {
  /** The stream the key seals: one subject. */
  readonly subject: string;
  /** The publishing agency whose data it seals. */
  readonly agency: string;
  readonly category: string;
}

export interface DataKey {
  readonly id: string;
  readonly key: Buffer;
}

/** The keys destroyed since a mark, and the mark to ask from next time. */
export interface Erasures {
  readonly mark: number;
  readonly ids: readonly string[];
}

/** An event's data sealed again by a redaction, under a new key: kept in the key store, not the log. */
export interface Resealed {
  readonly eventId: string;
  readonly sealed: SealedData;
}

export interface SubjectKeyStore {
  /**
   * The live key of each scope, in order, given out (all in one write) where there is none. Two
   * processes giving one at once end with the same key: the store's unique constraint on the live
   * key of a scope decides (as claims do, 0016). A key given out was made durable ahead of use (a
   * process keeps a reserve of them), so no event is written under a key that a crash could lose;
   * the write that gives it to a scope does not wait for the disk (decision 0030).
   */
  getOrCreate(scopes: readonly DataKeyScope[]): Promise<DataKey[]>;
  /** The keys of these ids, in one read; a destroyed (or unknown) id is absent from the map. */
  getMany(ids: readonly string[]): Promise<Map<string, Buffer>>;
  /**
   * Destroys the live keys of the subject's data from `agency`, of the listed categories or all of
   * them, and the keys named in `alsoIds` (the keys the subject's events of that data were sealed
   * under: a key whose giving to the scope a crash lost is still found by them). Returns the ids
   * destroyed. A later getOrCreate of the scope gives a new key.
   */
  destroy(
    subject: string,
    agency: string,
    categories?: readonly string[],
    alsoIds?: readonly string[],
  ): Promise<string[]>;
  /**
   * The ids of the keys destroyed after `mark` (by any process) and the store's latest mark; with
   * no mark, only the latest mark. What a process holds is checked against this before it is used.
   */
  erasedSince(mark: number | undefined): Promise<Erasures>;
  /**
   * A redaction (decision 0035): destroys the keys `ids`, and so everything they sealed, and in the
   * same durable commit keeps what `reseal` gives: the data of the events they sealed that stay,
   * sealed again under the new key it is handed (made ahead, as every key, and held by no scope).
   * What was kept for an event before, under a key destroyed now, goes. Returns the ids destroyed.
   */
  redact(ids: readonly string[], reseal: (key: DataKey) => readonly Resealed[]): Promise<string[]>;
  /** What redactions kept of these events' data, sealed again, by event id. */
  resealedOf(eventIds: readonly string[]): Promise<Map<string, SealedData>>;
  close(): Promise<void>;
}

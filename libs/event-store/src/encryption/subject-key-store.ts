/**
 * Data keys kept apart from the log, one per subject, publishing agency and data category. The log
 * holds only ciphertext and key ids; destroying a key makes what it sealed unreadable for good,
 * which is how the log, append-only, still forgets (crypto-shredding, decision 0026).
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

export interface SubjectKeyStore {
  /**
   * The live key of each scope, in order, made (all in one write) where there is none. Two processes
   * making one at once get the same key: the store's unique constraint on the live key of a scope
   * decides (as claims do, 0016). A key is durable before it is returned, so no event is written
   * under a key that a crash could lose.
   */
  getOrCreate(scopes: readonly DataKeyScope[]): Promise<DataKey[]>;
  /** The key of this id; undefined when it was destroyed (or never made). */
  get(id: string): Promise<Buffer | undefined>;
  /**
   * Destroys the live keys of the subject's data from `agency`: of the listed categories, or all of
   * them. Returns the ids destroyed. A later getOrCreate of the scope makes a new key.
   */
  destroy(subject: string, agency: string, categories?: readonly string[]): Promise<string[]>;
  close(): Promise<void>;
}

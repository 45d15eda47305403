import { heapUnderPressure } from '@throughline/platform';
import type { Fence, ProjectionLease } from './lease';

/**
 * A document held back because folding it threw (see `QuarantineBook`): the event it could not
 * fold, the error, and when. Its document is removed in the same transaction, so a stored document
 * is never one whose fold failed.
 */
export interface Quarantined {
  readonly key: string;
  readonly eventId: string;
  readonly position: number;
  readonly type: string;
  readonly error: string;
  readonly at: string;
}

/** Quarantine changes written with a commit: a record holds a key back, null lets it go. */
export type QuarantineChanges = ReadonlyMap<string, Quarantined | null>;

/**
 * Where projections keep their documents and checkpoints. A projection's documents and its
 * checkpoint are always written in one transaction, so a crash never leaves them apart.
 */
export abstract class ReadModelStore {
  /** Parsed documents by projection and key, with the log position that last wrote them. */
  private readonly cache = new Map<string, Map<string, { version: number; doc: unknown }>>();

  /** The last log position applied to the projection, 0 when it has never run. */
  abstract checkpoint(projection: string): Promise<number>;
  abstract get<T>(projection: string, key: string): Promise<T | undefined>;
  abstract getMany<T>(projection: string, keys: readonly string[]): Promise<Map<string, T>>;
  /** Every document whose key starts with the prefix, in key order. */
  abstract list<T>(projection: string, keyPrefix?: string): Promise<T[]>;
  /** Every [key, document] of the projection, in key order. */
  abstract entries<T>(projection: string): Promise<[string, T][]>;
  /**
   * Writes the changed documents (null deletes), the quarantine changes and the checkpoint,
   * atomically. With a fence, only if the checkpoint is still `fence.from` and the lease's token
   * still `fence.token`; otherwise nothing is written and it throws `StaleProjectionWriteError`.
   * A rebuild, which runs alone, commits without one.
   */
  abstract commit(
    projection: string,
    changes: ReadonlyMap<string, unknown>,
    position: number,
    quarantine?: QuarantineChanges,
    fence?: Fence,
  ): Promise<void>;
  /**
   * Takes the projection's lease for `owner` until `now + ttlMs` if it is free, expired or
   * already `owner`'s, with a token one above the last; undefined when another holds it.
   */
  abstract acquireLease(
    projection: string,
    owner: string,
    now: number,
    ttlMs: number,
  ): Promise<ProjectionLease | undefined>;
  /** Extends the lease to `now + ttlMs` if `owner` still holds it with `token`; false otherwise. */
  abstract renewLease(
    projection: string,
    owner: string,
    token: number,
    now: number,
    ttlMs: number,
  ): Promise<boolean>;
  /** Lets the lease go at once (keeping its token), if `owner` still holds it with `token`. */
  abstract releaseLease(projection: string, owner: string, token: number): Promise<void>;
  /** The projection's lease as the store has it, expired or not; undefined before the first. */
  abstract lease(projection: string): Promise<ProjectionLease | undefined>;
  /** The projection's quarantined keys (or the one asked for), in key order. */
  abstract quarantined(projection: string, key?: string): Promise<Quarantined[]>;
  /** The log position that last wrote each document (all of the projection's, or one). */
  abstract versions(projection: string, key?: string): Promise<Map<string, number>>;

  /**
   * Reads for serving: documents are parsed once and reused until a commit rewrites them, so a
   * read parses only what changed. The objects are shared between readers and must not be mutated.
   * With the heap under pressure, every cached document is let go first.
   */
  async current<T>(projection: string, key: string): Promise<T | undefined> {
    this.releaseUnderPressure();
    const version = (await this.versions(projection, key)).get(key);
    if (version === undefined) return undefined;
    const cached = this.cacheOf(projection).get(key);
    if (cached?.version === version) return cached.doc as T;
    const doc = await this.get<T>(projection, key);
    if (doc !== undefined) this.cacheOf(projection).set(key, { version, doc });
    return doc;
  }

  /** Every document of the projection for serving, in key order; see `current`. */
  async currentAll<T>(projection: string): Promise<T[]> {
    this.releaseUnderPressure();
    const versions = await this.versions(projection);
    const cache = this.cacheOf(projection);
    for (const key of cache.keys()) if (!versions.has(key)) cache.delete(key);
    const stale = [...versions]
      .filter(([key, version]) => cache.get(key)?.version !== version)
      .map(([key]) => key);
    const fresh = stale.length > 0 ? await this.getMany<T>(projection, stale) : new Map<string, T>();
    for (const [key, doc] of fresh) cache.set(key, { version: versions.get(key)!, doc });
    return [...versions.keys()].sort().flatMap((key) => (cache.has(key) ? [cache.get(key)!.doc as T] : []));
  }

  private releaseUnderPressure(): void {
    if (heapUnderPressure()) this.cache.clear();
  }

  private cacheOf(projection: string): Map<string, { version: number; doc: unknown }> {
    let cache = this.cache.get(projection);
    if (!cache) this.cache.set(projection, (cache = new Map<string, { version: number; doc: unknown }>()));
    return cache;
  }

  /** Forgets the projection's documents, quarantine and checkpoint, for a rebuild. */
  abstract reset(projection: string): Promise<void>;
  abstract close(): Promise<void>;
}

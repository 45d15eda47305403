/** A rate with the burst it allows: `perSecond` tokens refill each second, up to `burst` held. */
export interface Rate {
  readonly perSecond: number;
  readonly burst: number;
}

/** Milliseconds on a clock that only moves forwards; injected so tests need no sleeps. */
export type Clock = () => number;

export const monotonicClock: Clock = () => performance.now();

/**
 * A token bucket: it starts full, refills continuously at the rate and holds at most the burst.
 * A charge either takes all its tokens or none, so a refused request costs its caller nothing.
 */
export class TokenBucket {
  private tokens: number;
  private updated: number;

  constructor(
    private readonly rate: Rate,
    private readonly clock: Clock = monotonicClock,
  ) {
    this.tokens = rate.burst;
    this.updated = clock();
  }

  /**
   * Takes `cost` tokens and answers 0, or takes nothing and answers how many milliseconds until
   * the bucket holds `cost`. A cost above the burst is measured against a full bucket: it would
   * never fit otherwise, and the burst is a smoothing allowance, not a size limit.
   */
  take(cost: number): number {
    const needed = Math.min(cost, this.rate.burst);
    this.refill();
    if (this.tokens >= needed) {
      this.tokens -= cost;
      return 0;
    }
    return waitMs(needed - this.tokens, this.rate.perSecond);
  }

  /** What `take(cost)` would answer, taking nothing. */
  peek(cost: number): number {
    const needed = Math.min(cost, this.rate.burst);
    this.refill();
    return this.tokens >= needed ? 0 : waitMs(needed - this.tokens, this.rate.perSecond);
  }

  /**
   * Takes `cost` tokens whatever the bucket holds, going into debt, and answers how long the taker
   * should wait before the debt is repaid: for a consumer that cannot refuse what it has fetched.
   */
  takeOrOwe(cost: number): number {
    this.refill();
    this.tokens -= cost;
    return this.tokens >= 0 ? 0 : waitMs(-this.tokens, this.rate.perSecond);
  }

  /** True once the bucket is full again: it then says nothing a fresh one would not. */
  get idle(): boolean {
    this.refill();
    return this.tokens >= this.rate.burst;
  }

  private refill(): void {
    const now = this.clock();
    const elapsed = Math.max(0, now - this.updated);
    this.updated = now;
    this.tokens = Math.min(this.rate.burst, this.tokens + (elapsed * this.rate.perSecond) / 1000);
  }
}

/** Whole milliseconds until `missing` tokens refill; the nudge keeps float dust from adding one. */
const waitMs = (missing: number, perSecond: number): number =>
  Math.max(1, Math.ceil((missing * 1000) / perSecond - 1e-9));

/**
 * One token bucket per key (a credential, an agency topic). Buckets that have refilled are
 * forgotten as new keys arrive, so a stream of distinct keys cannot grow the map without bound.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    readonly rate: Rate,
    private readonly clock: Clock = monotonicClock,
    private readonly maxKeys = 10_000,
  ) {}

  /** See TokenBucket.take: 0 when allowed, else the milliseconds to wait. */
  take(key: string, cost = 1): number {
    return this.bucket(key).take(cost);
  }

  /** See TokenBucket.peek; a key without a bucket would get a full one, so 0. */
  peek(key: string, cost = 1): number {
    return this.buckets.get(key)?.peek(cost) ?? 0;
  }

  /** See TokenBucket.takeOrOwe. */
  takeOrOwe(key: string, cost: number): number {
    return this.bucket(key).takeOrOwe(cost);
  }

  get size(): number {
    return this.buckets.size;
  }

  private bucket(key: string): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.forgetIdle();
      bucket = new TokenBucket(this.rate, this.clock);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private forgetIdle(): void {
    for (const [key, bucket] of this.buckets) if (bucket.idle) this.buckets.delete(key);
    // Every bucket still busy: drop the oldest rather than grow; its key starts afresh, full.
    while (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
  }
}

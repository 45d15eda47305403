import { RateLimiter, TokenBucket } from './rate-limit';

/** A clock that moves only when told to. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('TokenBucket', () => {
  it('allows a full burst at once, then refuses with the wait until one token refills', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ perSecond: 10, burst: 5 }, clock.now);
    for (let i = 0; i < 5; i++) expect(bucket.take(1)).toBe(0);
    expect(bucket.take(1)).toBe(100);
    clock.advance(99);
    expect(bucket.take(1)).toBe(1);
    clock.advance(1);
    expect(bucket.take(1)).toBe(0);
  });

  it('refills at the rate and never beyond the burst', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ perSecond: 2, burst: 4 }, clock.now);
    expect(bucket.take(4)).toBe(0);
    clock.advance(60_000);
    expect(bucket.take(4)).toBe(0);
    expect(bucket.take(1)).toBe(500);
  });

  it('takes a charge whole or not at all', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ perSecond: 100, burst: 1000 }, clock.now);
    expect(bucket.take(700)).toBe(0);
    expect(bucket.take(500)).toBe(2_000);
    // The refused charge took nothing: 300 are still there.
    expect(bucket.take(300)).toBe(0);
  });

  it('lets a charge larger than the burst through a full bucket, leaving the bucket in debt', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ perSecond: 100, burst: 500 }, clock.now);
    expect(bucket.take(1000)).toBe(0);
    // 500 owed: five seconds until a single event fits again.
    expect(bucket.take(1)).toBe(5_010);
    clock.advance(5_010);
    expect(bucket.take(1)).toBe(0);
  });

  it('owes what it cannot pay and says how long the debt takes to repay', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ perSecond: 1000, burst: 1000 }, clock.now);
    expect(bucket.takeOrOwe(800)).toBe(0);
    expect(bucket.takeOrOwe(1200)).toBe(1_000);
    clock.advance(1_000);
    expect(bucket.takeOrOwe(0)).toBe(0);
  });

  it('peeks without taking', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ perSecond: 10, burst: 2 }, clock.now);
    expect(bucket.peek(2)).toBe(0);
    expect(bucket.take(2)).toBe(0);
    expect(bucket.peek(1)).toBe(100);
    clock.advance(100);
    expect(bucket.peek(1)).toBe(0);
    expect(bucket.take(1)).toBe(0);
  });

  it('does not refill when the clock stands still or goes back', () => {
    let time = 5_000;
    const bucket = new TokenBucket({ perSecond: 1, burst: 1 }, () => time);
    expect(bucket.take(1)).toBe(0);
    time = 4_000;
    expect(bucket.take(1)).toBe(1_000);
  });
});

describe('RateLimiter', () => {
  it('keeps one bucket per key', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ perSecond: 1, burst: 2 }, clock.now);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1_000);
    expect(limiter.take('b')).toBe(0);
  });

  it('forgets refilled buckets rather than grow past its bound', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ perSecond: 10, burst: 10 }, clock.now, 3);
    limiter.take('a', 10);
    limiter.take('b', 1);
    limiter.take('c', 1);
    clock.advance(200);
    limiter.take('d');
    // b and c had refilled and were forgotten; a was still owed and is kept.
    expect(limiter.size).toBe(2);
    expect(limiter.take('a', 10)).toBeGreaterThan(0);
  });
});

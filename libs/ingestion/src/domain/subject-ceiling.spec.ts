import { CEILING_PERIOD_MS, ceilingEdge, ceilingWaitMs } from './subject-ceiling';

describe('the per-subject ceiling', () => {
  it('reads nothing while the stream and the batch together stay within the ceiling', () => {
    expect(ceilingEdge(-1, 10, 10)).toBeUndefined();
    expect(ceilingEdge(5, 4, 10)).toBeUndefined();
  });

  it('names the newest event that would still lie in the period if the batch were taken', () => {
    // Revisions 0..9 held, ceiling 10, one more: revision 0 must be older than a day.
    expect(ceilingEdge(9, 1, 10)).toBe(0);
    expect(ceilingEdge(99, 3, 10)).toBe(92);
  });

  it('waits until the edge event leaves the period, and not at all once it has', () => {
    const now = 10 * CEILING_PERIOD_MS;
    expect(ceilingWaitMs(now - 1_000, 1, 10, now)).toBe(CEILING_PERIOD_MS - 1_000);
    expect(ceilingWaitMs(now - CEILING_PERIOD_MS, 1, 10, now)).toBe(0);
    expect(ceilingWaitMs(undefined, 1, 10, now)).toBe(0);
  });

  it('never takes a batch larger than the ceiling', () => {
    expect(ceilingWaitMs(undefined, 11, 10, 0)).toBe(CEILING_PERIOD_MS);
  });
});

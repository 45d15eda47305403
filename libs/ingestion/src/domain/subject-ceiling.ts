/** The rolling period the per-subject ceiling counts over. */
export const CEILING_PERIOD_MS = 24 * 3600_000;

/**
 * The revision whose recording time decides whether a stream at `revision` may take `incoming`
 * more events: the `ceiling - incoming + 1`th newest event. If it was recorded within the period,
 * the period would hold more than `ceiling` events after the append. Undefined when the stream is
 * too short for that to be possible, so nothing need be read.
 */
export function ceilingEdge(revision: number, incoming: number, ceiling: number): number | undefined {
  const edge = revision - (ceiling - incoming);
  return edge < 0 ? undefined : edge;
}

/**
 * How long until a stream may take the batch: 0 now, else the milliseconds until the edge event
 * leaves the period. A batch larger than the ceiling never fits, and is told to wait a whole period.
 */
export function ceilingWaitMs(
  edgeRecordedAt: number | undefined,
  incoming: number,
  ceiling: number,
  now: number,
): number {
  if (incoming > ceiling) return CEILING_PERIOD_MS;
  if (edgeRecordedAt === undefined) return 0;
  return Math.max(0, edgeRecordedAt + CEILING_PERIOD_MS - now);
}

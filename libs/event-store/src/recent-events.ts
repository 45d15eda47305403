import type { RecordedEvent } from './event-store';

/**
 * The events a store's subscriptions read last, kept as one unbroken stretch of the log: every
 * event after `after`, up to the last one held, and at most `limit` of them. Subscriptions that
 * keep about the same pace (the projections of one process) read the same stretch one after
 * another: the later ones take what is held and read from the log only what lies beyond it. The
 * log grows only at its end, so a stretch once read stays exactly what it was.
 */
export class RecentEvents {
  private after = 0;
  private events: RecordedEvent[] = [];

  constructor(private readonly limit: number) {}

  /**
   * The events held after `position`, at most `maxCount` (none when the stretch ends there), or
   * undefined when the stretch does not reach back to `position`.
   */
  take(position: number, maxCount: number): RecordedEvent[] | undefined {
    if (position < this.after || position > this.end) return undefined;
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.events[middle]!.position <= position) low = middle + 1;
      else high = middle;
    }
    return this.events.slice(low, low + maxCount);
  }

  /** Keeps `events`, just read from the log after `position`. */
  add(position: number, events: readonly RecordedEvent[]): void {
    if (events.length === 0) return;
    if (position !== this.end) {
      this.after = position;
      this.events = [];
    }
    // A loop, not a spread: a page as large as a caller asks for is not an argument list.
    for (const event of events) this.events.push(event);
    const excess = this.events.length - this.limit;
    if (excess > 0) {
      this.after = this.events[excess - 1]!.position;
      this.events = this.events.slice(excess);
    }
  }

  /** Drops everything held: what was read may no longer be what the log would give (an erasure). */
  clear(): void {
    this.after = 0;
    this.events = [];
  }

  /** The position of the last event held (or where the stretch starts, when it holds none). */
  private get end(): number {
    return this.events.length === 0 ? this.after : this.events[this.events.length - 1]!.position;
  }
}

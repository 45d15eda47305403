import type { RecordedEvent } from '@throughline/event-store';
import type { QuarantineChanges, Quarantined } from '../store/read-model-store';

/** Error messages are kept this long at most: enough to find the fault, not a dump of the data. */
const MAX_ERROR_LENGTH = 500;

export const errorMessage = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_LENGTH);

/** The event a fold stopped at: what a quarantine record names. */
export type FoldedEvent = Pick<RecordedEvent, 'id' | 'position' | 'type'>;

/** Thrown by a projection's `refold` to name the event it could not fold. */
export class FoldFailure extends Error {
  constructor(
    readonly event: FoldedEvent,
    readonly reason: unknown,
  ) {
    super(errorMessage(reason));
  }
}

/**
 * A projection's quarantined keys as its runner holds them: those committed, and the changes the
 * batch being folded makes, which are written with that batch's documents and checkpoint. A key
 * is quarantined when folding an event into its document throws: that document alone is held
 * back, and every other key goes on.
 */
export class QuarantineBook {
  private readonly held = new Map<string, Quarantined>();
  private readonly pending = new Map<string, Quarantined | null>();
  private heldSinceOpened = 0;

  constructor(
    records: Iterable<Quarantined> = [],
    private readonly clock: () => Date = () => new Date(),
  ) {
    for (const record of records) this.held.set(record.key, record);
  }

  /** Keys quarantined as things stand, the batch being folded included. */
  has(key: string): boolean {
    if (this.pending.size > 0) {
      const change = this.pending.get(key);
      if (change !== undefined) return change !== null;
    }
    return this.held.has(key);
  }

  keys(): string[] {
    const keys = new Set(this.held.keys());
    for (const [key, change] of this.pending) {
      if (change) keys.add(key);
      else keys.delete(key);
    }
    return [...keys];
  }

  /** How many times a key was newly quarantined since the book was opened: a counter. */
  get quarantines(): number {
    return this.heldSinceOpened;
  }

  hold(key: string, event: FoldedEvent, error: unknown): void {
    this.pending.set(key, {
      key,
      eventId: event.id,
      position: event.position,
      type: event.type,
      error: errorMessage(error),
      at: this.clock().toISOString(),
    });
  }

  release(key: string): void {
    if (this.has(key)) this.pending.set(key, null);
  }

  /** What to write with the batch's commit. */
  get changes(): QuarantineChanges {
    return this.pending;
  }

  /** The batch's changes are written: they become what is held. */
  committed(): void {
    for (const [key, change] of this.pending) {
      if (change === null) this.held.delete(key);
      else {
        if (!this.held.has(key)) this.heldSinceOpened += 1;
        this.held.set(key, change);
      }
    }
    this.pending.clear();
  }

  /** The batch's commit failed: it will be folded again from the checkpoint. */
  abandoned(): void {
    this.pending.clear();
  }
}

import { randomUUID } from 'node:crypto';
import type { EventToAppend, RecordedEvent } from '../event-store';

/** Gathers what a subscription delivers and lets a test await a condition instead of sleeping. */
export class EventCollector {
  readonly events: RecordedEvent[] = [];
  private waiters: { predicate: (events: readonly RecordedEvent[]) => boolean; resolve: () => void }[] = [];

  readonly onEvents = async (batch: readonly RecordedEvent[]): Promise<void> => {
    this.events.push(...batch);
    this.settle();
  };

  until(predicate: (events: readonly RecordedEvent[]) => boolean): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ predicate, resolve });
      this.settle();
    });
  }

  inStreams(streamIds: readonly string[]): RecordedEvent[] {
    return this.events.filter((event) => streamIds.includes(event.streamId));
  }

  private settle(): void {
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.predicate(this.events)) return true;
      waiter.resolve();
      return false;
    });
  }
}

/** A stream id no other test uses, so tests share a store without truncating it. */
export function aStreamId(): string {
  return `contract-${randomUUID()}`;
}

export function anEvent(overrides: Partial<EventToAppend> = {}): EventToAppend {
  return {
    id: randomUUID(),
    type: 'ContractEventRecorded',
    data: { value: randomUUID(), nested: { list: [1, 2, 3] } },
    metadata: { actorId: 'contract-suite' },
    ...overrides,
  };
}

export function someEvents(count: number): EventToAppend[] {
  return Array.from({ length: count }, () => anEvent());
}

export function isStrictlyIncreasing(values: readonly number[]): boolean {
  return values.every((value, i) => i === 0 || value > values[i - 1]!);
}

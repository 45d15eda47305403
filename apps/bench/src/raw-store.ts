import type { AppendRequest, EventStore, EventToAppend, RecordedEvent } from '@throughline/event-store';
import { REBUILD_PAGE } from '@throughline/projections';
import { BATCH_SIZE } from './demo-batches';

/** Events and the wall time they took, with the rate that follows. */
export interface Throughput {
  readonly events: number;
  readonly ms: number;
  readonly perSecond: number;
}

/** The round whose rate is the median (the upper middle of an even count): a figure kept over several rounds. */
export const medianRound = <Round>(rounds: readonly Round[], rate: (round: Round) => number): Round =>
  [...rounds].sort((a, b) => rate(a) - rate(b))[Math.floor(rounds.length / 2)]!;

/** The round with the median rate, of rounds timed alike. */
export const medianThroughput = (rounds: readonly Throughput[]): Throughput =>
  medianRound(rounds, (round) => round.perSecond);

export const throughput = (events: number, ms: number): Throughput => ({
  events,
  ms,
  perSecond: (events / ms) * 1000,
});

/** Page size for reading the whole log: the same page the projection rebuild uses by default. */
export const READ_PAGE = REBUILD_PAGE;

/** Pages through the whole log with `readAll`, handing each page to `onPage`; answers how many events. */
async function pageThrough(
  store: EventStore,
  onPage: (page: readonly RecordedEvent[]) => void,
): Promise<number> {
  let after = 0;
  let count = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: READ_PAGE });
    onPage(page);
    count += page.length;
    if (page.length < READ_PAGE) return count;
    after = page[page.length - 1]!.position;
  }
}

/**
 * The raw store's read rate: the whole log paged through `readAll`, which is all a rebuild must do
 * before it folds anything. Each page is let go once read, as by a reader that keeps nothing, so
 * the baseline holds no copy of the log that a rebuild timed after it would pay to collect.
 */
export async function timeReadAll(store: EventStore): Promise<Throughput> {
  const started = performance.now();
  const events = await pageThrough(store, () => undefined);
  return throughput(events, performance.now() - started);
}

/** Every event of the log, in order, read untimed: what the raw append writes again. */
export async function readWholeLog(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  await pageThrough(store, (page) => {
    for (const event of page) events.push(event);
  });
  return events;
}

/**
 * Cuts the stored log into the append calls of the raw baseline: 500 events per transaction, in log
 * order, grouped by stream as the ingestion service groups them. The events are exactly what HTTP
 * ingestion stored (same ids, data and metadata), so the only difference is the path they take.
 */
export function rawBatches(events: readonly RecordedEvent[]): AppendRequest[][] {
  const batches: AppendRequest[][] = [];
  for (let i = 0; i < events.length; i += BATCH_SIZE) {
    const byStream = new Map<string, EventToAppend[]>();
    for (const event of events.slice(i, i + BATCH_SIZE)) {
      const list = byStream.get(event.streamId) ?? [];
      list.push({ id: event.id, type: event.type, data: event.data, metadata: event.metadata });
      byStream.set(event.streamId, list);
    }
    batches.push(
      [...byStream].map(([streamId, list]) => ({ streamId, expectedRevision: 'any', events: list })),
    );
  }
  return batches;
}

/** The raw store's write rate: `appendMany` straight into an empty store, one call per batch. */
export async function timeRawAppend(
  store: EventStore,
  batches: readonly AppendRequest[][],
): Promise<Throughput> {
  let events = 0;
  const started = performance.now();
  for (const batch of batches) {
    await store.appendMany(batch);
    events += batch.reduce((sum, request) => sum + request.events.length, 0);
  }
  return throughput(events, performance.now() - started);
}

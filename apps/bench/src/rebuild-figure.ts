import type { EventStore, RecordedEvent } from '@throughline/event-store';
import { type ReadModelStore, rebuildProjection } from '@throughline/projections';
import { SubjectViewsProjection } from '@throughline/subjects';
import { READ_PAGE, type Throughput, throughput, timeReadAll } from './raw-store';
import { type Figure, fmt } from './report';

export const REBUILD_TARGET = 100_000;

/** Each side is short, so it runs a few times and the median is kept: one slow pass is noise. */
const ROUNDS = 3;

export interface RebuildRun {
  readonly rebuild: Throughput;
  readonly readAll: Throughput;
  readonly rebuildRounds: readonly number[];
  /** The log as read, for the raw append that follows. */
  readonly events: RecordedEvent[];
}

const median = (runs: readonly Throughput[]): Throughput =>
  [...runs].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(runs.length / 2)]!;

/**
 * Times a full rebuild of the subject views (what `npx throughline rebuild` runs) against the raw
 * store's `readAll` over the same log, alternating the two so that both see the same machine.
 */
export async function measureRebuild(log: EventStore, readModels: ReadModelStore): Promise<RebuildRun> {
  const reads: Throughput[] = [];
  const rebuilds: Throughput[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    // The pages read are dropped before the rebuild: holding a copy of the whole log would slow
    // its collector, and a rebuild run from the command line holds nothing of the kind.
    reads.push((await timeReadAll(log)).rate);
    const started = performance.now();
    const done = await rebuildProjection(log, readModels, new SubjectViewsProjection(), undefined, {
      pageSize: READ_PAGE,
    });
    rebuilds.push(throughput(done.events, performance.now() - started));
  }
  return {
    rebuild: median(rebuilds),
    readAll: median(reads),
    rebuildRounds: rebuilds.map((run) => run.perSecond),
    events: (await timeReadAll(log)).events,
  };
}

export function rebuildFigure(key: string, backend: string, run: RebuildRun): Figure {
  return {
    kind: 'figure',
    key,
    title: `Full projection rebuild, ${backend}`,
    issue: 2,
    result: `${fmt(run.rebuild.perSecond)} events/s`,
    baseline: `${fmt(run.readAll.perSecond)} events/s (readAll of the same log)`,
    ratio: run.rebuild.perSecond / run.readAll.perSecond,
    target: `>= ${fmt(REBUILD_TARGET)} events/s`,
    met: run.rebuild.perSecond >= REBUILD_TARGET,
    details: [
      `subject-views over ${fmt(run.rebuild.events)} events in ${fmt(run.rebuild.ms)} ms (median of ${ROUNDS}; rounds: ${run.rebuildRounds.map((r) => fmt(r)).join(', ')} events/s)`,
      `raw readAll: ${fmt(run.readAll.ms)} ms in pages of ${fmt(READ_PAGE)} (median of ${ROUNDS})`,
    ],
  };
}

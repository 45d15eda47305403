import type { StoreSite } from './backends';
import { medianThroughput, READ_PAGE, type Throughput } from './raw-store';
import { inProcessOfItsOwn } from './own-process';
import type { RebuildJob, RebuildRounds } from './rebuild-process';
import { type Figure, fmt, rateTarget } from './report';

export const REBUILD_TARGET = 100_000;

/**
 * Each side is short, so it runs a few times and the median is kept: one slow pass is noise, and
 * so is the first, which also compiles the code it runs.
 */
const ROUNDS = 7;

export interface RebuildRun {
  readonly rebuild: Throughput;
  readonly readAll: Throughput;
  readonly rebuildRounds: readonly number[];
}

/**
 * Times a full rebuild of the subject views (what `npx throughline rebuild` runs) against the raw
 * store's `readAll` over the same log, taking turns, in a process of its own (see rebuild-process).
 */
export async function measureRebuild(site: StoreSite, rounds = ROUNDS): Promise<RebuildRun> {
  const { rebuilds, reads } = await inProcessOfItsOwn<RebuildJob, RebuildRounds>('rebuild-process', {
    site,
    rounds,
  });
  return {
    rebuild: medianThroughput(rebuilds),
    readAll: medianThroughput(reads),
    rebuildRounds: rebuilds.map((run) => run.perSecond),
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
    target: rateTarget(REBUILD_TARGET, backend),
    met: run.rebuild.perSecond >= REBUILD_TARGET,
    details: [
      `subject-views over ${fmt(run.rebuild.events)} events in ${fmt(run.rebuild.ms)} ms (median of ${ROUNDS}; rounds: ${run.rebuildRounds.map((r) => fmt(r)).join(', ')} events/s)`,
      `raw readAll: ${fmt(run.readAll.ms)} ms in pages of ${fmt(READ_PAGE)} (median of ${ROUNDS})`,
      'both in a process of their own, the first round of each compiling the code it runs',
    ],
  };
}

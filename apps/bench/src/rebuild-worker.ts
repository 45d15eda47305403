import { parentPort, workerData } from 'node:worker_threads';
import { rebuildProjection } from '@throughline/projections';
import { SubjectViewsProjection } from '@throughline/subjects';
import { openLog, openReadModels, type StoreSite } from './backends';
import { READ_PAGE, type Throughput, throughput, timeReadAll } from './raw-store';

/**
 * The rebuild figure's thread: a heap of its own, holding nothing but the stores and what the
 * rebuild builds, as the process `npx throughline rebuild` starts does. The bench's own heap (the
 * demo batches it posted, the figures before) would otherwise slow the collector.
 */

export interface RebuildJob {
  readonly site: StoreSite;
  readonly rounds: number;
}

export interface RebuildRounds {
  readonly rebuilds: readonly Throughput[];
  readonly reads: readonly Throughput[];
}

async function run({ site, rounds }: RebuildJob): Promise<RebuildRounds> {
  const log = await openLog(site);
  const readModels = await openReadModels(site);
  try {
    const reads: Throughput[] = [];
    const rebuilds: Throughput[] = [];
    // Taking turns, so that both sides see the same machine.
    for (let round = 0; round < rounds; round += 1) {
      reads.push((await timeReadAll(log)).rate);
      const started = performance.now();
      const done = await rebuildProjection(log, readModels, new SubjectViewsProjection(), undefined, {
        pageSize: READ_PAGE,
      });
      rebuilds.push(throughput(done.events, performance.now() - started));
    }
    return { rebuilds, reads };
  } finally {
    await Promise.allSettled([log.close(), readModels.close()]);
  }
}

void run(workerData as RebuildJob).then((result) => parentPort!.postMessage(result));

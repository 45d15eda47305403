import { rebuildProjection } from '@throughline/projections';
import { SubjectViewsProjection } from '@throughline/subjects';
import { openLog, openReadModels, type StoreSite } from './backends';
import { READ_PAGE, type Throughput, throughput, timeReadAll } from './raw-store';

/**
 * The rebuild figure's process (see `inProcessOfItsOwn`): a heap and a machine's worth of threads
 * holding nothing but the stores and what the rebuild builds, as the process
 * `npx throughline rebuild` starts does. The bench's own process still holds the demo batches it
 * posted and whatever the figures before left to finish.
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
      reads.push(await timeReadAll(log));
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

let answered = false;
// Disconnected before answering, the bench is gone and there is no one to report to.
process.once('disconnect', () => process.exit(answered ? 0 : 1));
process.once('message', (job: RebuildJob) => {
  void run(job).then((result) =>
    process.send!(result, () => {
      answered = true;
      process.disconnect();
    }),
  );
});

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { type PublishedEvent, subjectStream } from '@throughline/domain';
import { SqliteEventStore } from '@throughline/event-store';
import { heapUnderPressure } from '@throughline/platform';
import type { Projection } from '../runtime/projection';
import { ProjectionRunner } from '../runtime/projection-runner';
import { SqliteReadModelStore } from '../store/sqlite-read-model-store';

/**
 * Runs in a thread with a small heap of its own (see memory-pressure.int-spec): what the served
 * documents and the projection runner do before the heap is under pressure, and after ballast has
 * filled it past half. Posts what it saw.
 */

/** Counts each subject's events, and how often a stored count was loaded back. */
class CountProjection implements Projection<number> {
  readonly name = 'counts';
  loads = 0;

  keys(event: PublishedEvent): readonly string[] {
    return [event.subjectId];
  }

  evolve(count: number | null): number {
    return (count ?? 0) + 1;
  }

  async load(stored: number): Promise<number> {
    this.loads += 1;
    return stored;
  }
}

export interface PressureReport {
  readonly pressureAtStart: boolean;
  readonly sameDocumentBefore: boolean;
  readonly allBefore: unknown[];
  readonly loadsBefore: number;
  readonly pressureAfterBallast: boolean;
  readonly sameDocumentAfter: boolean;
  readonly equalDocumentAfter: boolean;
  readonly allAfter: unknown[];
  readonly loadsAfter: number;
  readonly count: number | undefined;
}

async function run(dir: string): Promise<PressureReport> {
  const log = new SqliteEventStore(join(dir, 'events.db'));
  const readModels = new SqliteReadModelStore(join(dir, 'read-models.db'));
  const projection = new CountProjection();
  const runner = new ProjectionRunner(log, readModels);
  runner.register(projection);
  const subject = randomUUID();
  const apply = async (): Promise<void> => {
    const { events } = await log.append(
      subjectStream(subject),
      [
        {
          id: randomUUID(),
          type: 'iom.subject.identifier-linked.v1',
          data: { scheme: 'local', value: `L-${randomUUID()}` },
          metadata: { agency: 'police', source: 'urn:test', category: 'identity' },
        },
      ],
      'any',
    );
    await runner.waitFor(events[0]!.position);
  };
  try {
    const pressureAtStart = heapUnderPressure();
    await readModels.commit(
      'served',
      new Map([
        ['a', { n: 1 }],
        ['b', { n: 2 }],
      ]),
      1,
    );
    const first = await readModels.current('served', 'a');
    const sameDocumentBefore = (await readModels.current('served', 'a')) === first;
    const allBefore = await readModels.currentAll('served');
    await runner.start();
    await apply();
    await apply();
    const loadsBefore = projection.loads;

    // Held until the thread ends: what fills the heap past half of its limit.
    const ballast: number[][] = [];
    while (!heapUnderPressure() && ballast.length < 10_000) ballast.push(new Array<number>(100_000).fill(1));
    const pressureAfterBallast = heapUnderPressure();
    const again = await readModels.current('served', 'a');
    const allAfter = await readModels.currentAll('served');
    await apply();
    await apply();
    return {
      pressureAtStart,
      sameDocumentBefore,
      allBefore,
      loadsBefore,
      pressureAfterBallast,
      sameDocumentAfter: again === first,
      equalDocumentAfter: JSON.stringify(again) === JSON.stringify(first),
      allAfter,
      loadsAfter: projection.loads,
      count: await readModels.get<number>('counts', subject),
    };
  } finally {
    await runner.stop();
    await Promise.all([log.close(), readModels.close()]);
  }
}

void run((workerData as { dir: string }).dir).then((report) => parentPort!.postMessage(report));

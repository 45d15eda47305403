import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PublishedEvent, subjectStream } from '@throughline/domain';
import { SqliteEventStore } from '@throughline/event-store';
import { heapUnderPressure } from '@throughline/platform';
import { ProjectionRunner } from './runtime/projection-runner';
import type { Projection } from './runtime/projection';
import { SqliteReadModelStore } from './store/sqlite-read-model-store';

// The heap is made to look full or not at will; everything else is real.
jest.mock('@throughline/platform', () => ({
  ...jest.requireActual<object>('@throughline/platform'),
  heapUnderPressure: jest.fn(() => false),
}));
const underPressure = (value: boolean): void => {
  jest.mocked(heapUnderPressure).mockReturnValue(value);
};

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

const linked = () => ({
  id: randomUUID(),
  type: 'iom.subject.identifier-linked.v1',
  data: { scheme: 'local', value: `L-${randomUUID()}` },
  metadata: { agency: 'police', source: 'urn:test', category: 'identity' },
});

describe('caches under heap pressure (SQLite files)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-pressure-'));
  const log = new SqliteEventStore(join(dir, 'events.db'));
  const readModels = new SqliteReadModelStore(join(dir, 'read-models.db'));

  afterEach(() => underPressure(false));

  afterAll(async () => {
    await Promise.all([log.close(), readModels.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the same parsed documents until the heap is under pressure, then parses them again', async () => {
    const docs = new Map([
      ['a', { n: 1 }],
      ['b', { n: 2 }],
    ]);
    await readModels.commit('served', docs, 1);
    const first = await readModels.current('served', 'a');
    expect(await readModels.current('served', 'a')).toBe(first);
    const all = await readModels.currentAll('served');
    expect(await readModels.currentAll('served')).toEqual(all);

    underPressure(true);
    const again = await readModels.current('served', 'a');
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
    // Let go of as they are, every document is still served.
    expect(await readModels.currentAll('served')).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('lets the runner load a document again after a write under pressure, and count on', async () => {
    const subject = randomUUID();
    const projection = new CountProjection();
    const runner = new ProjectionRunner(log, readModels);
    runner.register(projection);
    await runner.start();
    try {
      const apply = async (): Promise<void> => {
        const { events } = await log.append(subjectStream(subject), [linked()], 'any');
        await runner.waitFor(events[0]!.position);
      };
      await apply();
      await apply();
      expect(projection.loads).toBe(0);

      underPressure(true);
      await apply();
      await apply();
      expect(projection.loads).toBe(1);
      expect(await readModels.get('counts', subject)).toBe(4);
    } finally {
      await runner.stop();
    }
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PublishedEvent } from '@throughline/domain';
import { SqliteEventStore } from '@throughline/event-store';
import { SqliteReadModelStore } from '../store/sqlite-read-model-store';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';

const counting: Projection<{ readonly n: number }> = {
  name: 'counting',
  keys: (event: PublishedEvent) => [event.subjectId],
  evolve: (doc) => ({ n: (doc?.n ?? 0) + 1 }),
};

/**
 * A runner stopped while it is taking a projection's lease lets the lease go as it stops, as it
 * does a lease it was holding: otherwise a rebuild, or another process, waits out the lease for
 * nothing after every process has stopped.
 */
describe('a runner stopped while taking a lease', () => {
  let dir: string;
  let log: SqliteEventStore;
  let readModels: SqliteReadModelStore;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'throughline-stop-while-taking-'));
    log = new SqliteEventStore(join(dir, 'events.db'));
    readModels = new SqliteReadModelStore(join(dir, 'read-models.db'));
  });
  afterAll(async () => {
    await log.close();
    await readModels.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('releases the lease it took once stopping had begun', async () => {
    let letGo: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (letGo = resolve));
    const taking = Object.create(readModels) as SqliteReadModelStore;
    // The lease is taken in the store at once, and the answer comes back only after the stop began.
    taking.acquireLease = async (...args: Parameters<SqliteReadModelStore['acquireLease']>) => {
      const lease = await readModels.acquireLease(...args);
      await gate;
      return lease;
    };
    const runner = new ProjectionRunner(log, taking, { leaseMs: 60_000 });
    runner.register(counting);
    const started = runner.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = runner.stop();
    letGo();
    await Promise.all([started.catch(() => undefined), stopped]);

    const other = new ProjectionRunner(log, readModels, { leaseMs: 60_000 });
    await expect(other.holdingLease('counting', async () => 'rebuilt')).resolves.toBe('rebuilt');
  });
});

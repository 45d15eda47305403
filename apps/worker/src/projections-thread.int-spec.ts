import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore } from '@throughline/event-store';
import { BACKGROUND_NICENESS, loadConfig } from '@throughline/platform';
import { ProjectionRunner, ReadModelStore } from '@throughline/projections';
import { createWorker, type Worker } from './create-worker';

const noise = (count: number) =>
  Array.from({ length: count }, () => ({
    id: randomUUID(),
    type: 'test.noise.v1',
    data: { value: randomUUID() },
    metadata: { source: 'projections-thread-spec' },
  }));

/** The nice value of each of this process's threads, from /proc (Linux). */
const threadNiceness = (): number[] =>
  readdirSync('/proc/self/task').map((task) => {
    const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces, closed by the last ')'; nice is the 19th.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });

/** The worker without Kafka: its projections run on a thread, and its runner follows them. */
describe('projections on their own thread (SQLite files)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'throughline-projections-thread-'));
  let worker: Worker | undefined;

  afterAll(async () => {
    await worker?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('projects what this thread appends and reports its progress here', async () => {
    worker = await createWorker(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), {});
    const runner = worker.app.get(ProjectionRunner);
    const store = worker.app.get(EventStore);
    await runner.caughtUp();
    expect((await runner.status()).map((projection) => projection.status)).toEqual(
      runner.names.map(() => 'live'),
    );

    const before = await store.headPosition();
    for (let round = 0; round < 5; round += 1) {
      await store.append(`noise-${randomUUID()}`, noise(200), 'no_stream');
    }
    const head = await store.headPosition();
    expect(head).toBe(before + 1000);
    await runner.waitFor(head, 20_000);

    // This thread's runner only follows: the checkpoints were written by the projections thread.
    await expect(runner.start()).rejects.toThrow(/another thread/);
    const readModels = worker.app.get(ReadModelStore);
    for (const name of runner.names) expect(await readModels.checkpoint(name)).toBe(head);
    const statuses = await runner.status();
    expect(statuses.every((projection) => projection.position === head && projection.lag === 0)).toBe(true);
    // The thread holds each projection's lease, and this runner knows it for this process's own.
    expect(statuses.map((projection) => projection.writer)).toEqual(runner.names.map(() => 'running-here'));
  });

  (process.platform === 'linux' ? it : it.skip)(
    'runs the projections below the priority of the thread that appends (Linux)',
    () => {
      const main = getPriority();
      const lowered = threadNiceness().filter((nice) => nice === main + BACKGROUND_NICENESS);
      // The projections thread, and any thread it started (such as a checkpointer of its own).
      expect(lowered.length).toBeGreaterThanOrEqual(1);
      expect(getPriority()).toBe(main);
    },
  );

  it('stops the thread on close, and a new one resumes from the checkpoints', async () => {
    const head = await worker!.app.get(EventStore).headPosition();
    await worker!.close();
    worker = await createWorker(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), {});
    const runner = worker.app.get(ProjectionRunner);
    await runner.caughtUp();
    const statuses = await runner.status();
    expect(statuses.map(({ position, head: at, status }) => ({ position, at, status }))).toEqual(
      runner.names.map(() => ({ position: head, at: head, status: 'live' })),
    );
  });

  it('with RUN_PROJECTIONS=false runs none, and reports each position from the store', async () => {
    const head = await worker!.app.get(EventStore).headPosition();
    await worker!.close();
    worker = await createWorker(
      loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', RUN_PROJECTIONS: 'false' }),
      {},
    );
    const runner = worker.app.get(ProjectionRunner);
    expect(runner.active).toBe(false);
    // The worker that ran them stopped cleanly, letting each lease go.
    expect(
      (await runner.status()).map(({ position, lag, status, writer }) => ({ position, lag, status, writer })),
    ).toEqual(runner.names.map(() => ({ position: head, lag: 0, status: 'stopped', writer: 'lease-free' })));
  });
});

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PublishedEvent, subjectStream } from '@throughline/domain';
import { SqliteEventStore } from '@throughline/event-store';
import { SqliteReadModelStore } from '../store/sqlite-read-model-store';
import { applyBatch } from './apply-batch';
import { ProjectionRunner } from './projection-runner';
import type { Projection } from './projection';
import { rebuildProjection } from './rebuild';

interface Tally {
  readonly events: number;
  readonly lastPosition: number;
}

/** Counts each subject's events; can be told to fail at a log position, as a crash would. */
class TallyProjection implements Projection<Tally> {
  readonly name = 'tally';
  failAt: number | undefined;

  keys(event: PublishedEvent): readonly string[] {
    return [event.subjectId];
  }

  evolve(doc: Tally | null, event: PublishedEvent): Tally {
    if (event.position === this.failAt) throw new Error(`failed at ${event.position}`);
    return { events: (doc?.events ?? 0) + 1, lastPosition: event.position };
  }
}

interface Deferred {
  readonly events: number;
  readonly pending: number;
  readonly settles: number;
}

/** Counts events in `pending` and moves them into `events` only when settled. */
class DeferredTallyProjection implements Projection<Deferred> {
  readonly name = 'deferred-tally';

  keys(event: PublishedEvent): readonly string[] {
    return [event.subjectId];
  }

  evolve(doc: Deferred | null): Deferred {
    return { events: doc?.events ?? 0, pending: (doc?.pending ?? 0) + 1, settles: doc?.settles ?? 0 };
  }

  settle(doc: Deferred): Deferred {
    return { events: doc.events + doc.pending, pending: 0, settles: doc.settles + 1 };
  }
}

const SUBJECTS = Array.from({ length: 7 }, () => randomUUID());

const linked = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    id: randomUUID(),
    type: 'iom.subject.identifier-linked.v1',
    data: { scheme: 'local', value: `L-${index}` },
    metadata: { agency: 'police', source: 'urn:test', category: 'identity' },
  }));

describe('rebuildProjection (SQLite files)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-rebuild-'));
  const log = new SqliteEventStore(join(dir, 'events.db'));
  const readModels = new SqliteReadModelStore(join(dir, 'read-models.db'));

  beforeAll(async () => {
    for (let round = 0; round < 30; round += 1)
      for (const subject of SUBJECTS) await log.append(subjectStream(subject), linked(5), 'any');
  });

  afterAll(async () => {
    await Promise.all([log.close(), readModels.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const documents = async (name: string): Promise<[string, unknown][]> => readModels.entries(name);

  it('reads in pages and writes in spans, and ends where applying the log batch by batch ends', async () => {
    const head = await log.headPosition();
    const live = new TallyProjection();
    Object.defineProperty(live, 'name', { value: 'tally-live' });
    for (let after = 0; after < head;) {
      const batch = await log.readAll({ after, maxCount: 100 });
      after = await applyBatch(log, readModels, live, batch);
    }

    const progress: number[] = [];
    const done = await rebuildProjection(
      log,
      readModels,
      new TallyProjection(),
      (step) => progress.push(step.events),
      { pageSize: 120, commitEvery: 400 },
    );

    expect(done).toEqual({ position: head, head, events: head });
    expect(progress).toEqual([120, 240, 360, 480, 600, 720, 840, 960, 1050]);
    expect(await readModels.checkpoint('tally')).toBe(head);
    expect(await documents('tally')).toEqual(await documents('tally-live'));
    expect((await documents('tally')).map(([, doc]) => (doc as Tally).events)).toEqual(
      SUBJECTS.map(() => 150),
    );
  });

  it('lets go of its documents after each write, loads them again as touched and ends the same', async () => {
    const released = new TallyProjection();
    Object.defineProperty(released, 'name', { value: 'tally-released' });
    let releases = 0;
    await rebuildProjection(log, readModels, released, undefined, {
      pageSize: 120,
      commitEvery: 400,
      release: () => {
        releases += 1;
        return true;
      },
    });
    expect(releases).toBe(3);
    expect(await documents('tally-released')).toEqual(await documents('tally'));
  });

  it('settles each document once per write and folds on from the settled document', async () => {
    await rebuildProjection(log, readModels, new DeferredTallyProjection(), undefined, {
      pageSize: 120,
      commitEvery: 400,
    });
    // Written after 480, 960 and 1,050 events: every subject has events in each span.
    expect((await documents('deferred-tally')).map(([, doc]) => doc)).toEqual(
      SUBJECTS.map(() => ({ events: 150, pending: 0, settles: 3 })),
    );
  });

  it('stopped part way, keeps the last span it wrote, documents and checkpoint together', async () => {
    // The log stops answering at the page after position 600, as a crash would stop the rebuild.
    const failing = Object.create(log) as SqliteEventStore;
    failing.readAll = async (options) => {
      if ((options?.after ?? 0) >= 600) throw new Error('the log stopped answering');
      return log.readAll(options);
    };
    await expect(
      rebuildProjection(failing, readModels, new TallyProjection(), undefined, {
        pageSize: 120,
        commitEvery: 400,
      }),
    ).rejects.toThrow('the log stopped answering');

    // Spans close after 480 events (the first page past 400); the second would have closed at 960.
    const checkpoint = await readModels.checkpoint('tally');
    expect(checkpoint).toBe(480);
    const tallies = (await documents('tally')).map(([, doc]) => doc as Tally);
    expect(tallies.reduce((sum, tally) => sum + tally.events, 0)).toBe(checkpoint);
    expect(Math.max(...tallies.map((tally) => tally.lastPosition))).toBe(checkpoint);
  });

  it('quarantines the one subject whose fold throws and rebuilds every other to the end', async () => {
    const projection = new TallyProjection();
    projection.failAt = 700;
    const head = await log.headPosition();
    await expect(
      rebuildProjection(log, readModels, projection, undefined, { pageSize: 120, commitEvery: 400 }),
    ).resolves.toEqual({ position: head, head, events: head });

    const [poisoned] = await log.readAll({ after: 699, maxCount: 1 });
    const subject = poisoned!.streamId.slice('subject-'.length);
    expect(await readModels.quarantined('tally')).toEqual([
      expect.objectContaining({ key: subject, eventId: poisoned!.id, position: 700, error: 'failed at 700' }),
    ]);
    expect(await readModels.checkpoint('tally')).toBe(head);
    const tallies = new Map(await documents('tally'));
    expect(tallies.has(subject)).toBe(false);
    expect([...tallies.values()].map((doc) => (doc as Tally).events)).toEqual(
      SUBJECTS.filter((id) => id !== subject).map(() => 150),
    );
  });

  it('is refused while a runner holds the lease, and fences its writes by the lease it then holds', async () => {
    const named = (): TallyProjection => {
      const projection = new TallyProjection();
      Object.defineProperty(projection, 'name', { value: 'tally-leased' });
      return projection;
    };
    const running = new ProjectionRunner(log, readModels, { leaseMs: 60_000 });
    running.register(named());
    const rebuilding = new ProjectionRunner(log, readModels, { leaseMs: 60_000 });
    rebuilding.register(named());
    await running.start();
    await expect(rebuilding.holdingLease('tally-leased', async () => undefined)).rejects.toThrow(
      `Projection tally-leased is advanced by ${running.owner}`,
    );
    await running.stop();

    const head = await log.headPosition();
    const done = await rebuilding.holdingLease('tally-leased', async (token) => {
      // While it rebuilds, no runner can take the projection.
      await expect(
        readModels.acquireLease('tally-leased', running.owner, Date.now(), 60_000),
      ).resolves.toBeUndefined();
      return rebuildProjection(log, readModels, named(), undefined, {
        pageSize: 120,
        commitEvery: 400,
        token,
      });
    });
    expect(done).toEqual({ position: head, head, events: head });
    expect(await documents('tally-leased')).toEqual(await documents('tally-live'));
    // Released when done: a runner takes it at once.
    await expect(
      readModels.acquireLease('tally-leased', running.owner, Date.now(), 60_000),
    ).resolves.toMatchObject({
      owner: running.owner,
    });
  });
});

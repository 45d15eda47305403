import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PublishedEvent, subjectStream } from '@throughline/domain';
import { type EventStore, PostgresEventStore, SqliteEventStore } from '@throughline/event-store';
import { Client } from 'pg';
import { PostgresReadModelStore } from '../store/postgres-read-model-store';
import type { ReadModelStore } from '../store/read-model-store';
import { SqliteReadModelStore } from '../store/sqlite-read-model-store';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { rebuildProjection } from './rebuild';

const LEASE_MS = 1_500;

/** Every position folded into a subject, so an event applied twice or skipped shows. */
class PositionsProjection implements Projection<{ readonly positions: number[] }> {
  constructor(readonly name: string) {}

  keys(event: PublishedEvent): readonly string[] {
    return [event.subjectId];
  }

  evolve(
    doc: { readonly positions: number[] } | null,
    event: PublishedEvent,
  ): { readonly positions: number[] } {
    return { positions: [...(doc?.positions ?? []), event.position] };
  }
}

const linked = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    id: randomUUID(),
    type: 'iom.subject.identifier-linked.v1',
    data: { scheme: 'local', value: `L-${index}` },
    metadata: { agency: 'police', source: 'urn:test', category: 'identity' },
  }));

async function until(what: string, holds: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await holds())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Process {
  readonly log: EventStore;
  readonly readModels: ReadModelStore;
}

interface Backend {
  readonly name: string;
  open(): Promise<Process>;
  cleanUp(): Promise<void>;
}

const sqlite = (): Backend => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-two-runners-'));
  return {
    name: 'one SQLite file',
    open: async () => ({
      log: new SqliteEventStore(join(dir, 'events.db')),
      readModels: new SqliteReadModelStore(join(dir, 'read-models.db')),
    }),
    cleanUp: async () => rmSync(dir, { recursive: true, force: true }),
  };
};

const postgres = (): Backend => {
  const connectionString = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `two_${randomBytes(6).toString('hex')}`;
  return {
    name: 'PostgreSQL',
    open: async () => ({
      log: await PostgresEventStore.open({ connectionString, schema }),
      readModels: await PostgresReadModelStore.open(connectionString, schema),
    }),
    cleanUp: async () => {
      const client = new Client({ connectionString });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
};

describe.each([sqlite, postgres])('two runners (%#)', (backendOf) => {
  const backend = backendOf();
  const name = `positions-${randomUUID().slice(0, 8)}`;
  const subjects = Array.from({ length: 12 }, () => randomUUID());
  let writer: Process;
  let one: Process;
  let two: Process;
  let runners: [ProjectionRunner, ProjectionRunner];
  const others: { process: Process; runner: ProjectionRunner }[] = [];
  /** Every position a runner reported having committed, in the order reported. */
  const advances: { owner: string; position: number }[] = [];

  const append = async (rounds: number): Promise<void> => {
    for (let round = 0; round < rounds; round += 1) {
      for (const subject of subjects) await writer.log.append(subjectStream(subject), linked(3), 'any');
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  const caughtUp = async (store: ReadModelStore): Promise<boolean> =>
    (await store.checkpoint(name)) === (await writer.log.headPosition());

  const rebuilt = async (): Promise<[string, unknown][]> => {
    const again = `${name}-rebuilt-${randomUUID().slice(0, 8)}`;
    await rebuildProjection(writer.log, writer.readModels, new PositionsProjection(again));
    return writer.readModels.entries(again);
  };

  beforeAll(async () => {
    writer = await backend.open();
    one = await backend.open();
    two = await backend.open();
    runners = [runnerOn(one), runnerOn(two)];
  });

  const runnerOn = (process: Process, now?: () => number): ProjectionRunner => {
    const runner = new ProjectionRunner(process.log, process.readModels, { leaseMs: LEASE_MS, now });
    runner.register(new PositionsProjection(name));
    let last = 0;
    runner.onProgress((progress) => {
      if (progress.position <= last) return;
      last = progress.position;
      advances.push({ owner: runner.owner, position: progress.position });
    });
    return runner;
  };

  afterAll(async () => {
    await Promise.all([...runners, ...others.map((other) => other.runner)].map((runner) => runner.stop()));
    for (const process of [writer, one, two, ...others.map((other) => other.process)]) {
      await process.log.close();
      await process.readModels.close().catch(() => undefined);
    }
    await backend.cleanUp();
  });

  it(`on ${backend.name}: one advances at a time, and the documents are what a rebuild makes`, async () => {
    await append(5);
    await Promise.all([runners[0].start(), append(25), runners[1].start()]);
    await until('the projection to reach the head', () => caughtUp(writer.readModels));

    const owners = new Set(advances.map((advance) => advance.owner));
    expect(owners.size).toBe(1);
    const positions = advances.map((advance) => advance.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(new Set(positions).size).toBe(positions.length);
    expect(await writer.readModels.entries(name)).toEqual(await rebuilt());

    // The standby is ready too: the store it serves from has reached the head it started at.
    await Promise.all(runners.map((runner) => runner.caughtUp()));
    expect(runners.map((runner) => runner.allCaughtUpOnce)).toEqual([true, true]);
    const [holder] = owners;
    const statuses = await Promise.all(runners.map((runner) => runner.status()));
    expect(statuses.map(([status]) => [status?.writer, status?.owner, status?.lag])).toEqual(
      runners.map((runner) => [runner.owner === holder ? 'running-here' : 'running-elsewhere', holder, 0]),
    );
    // A process that does not run projections (RUN_PROJECTIONS=false) reads the same from the store.
    const [idle] = await runnerOn(writer).status();
    expect(idle).toMatchObject({
      position: await writer.log.headPosition(),
      lag: 0,
      status: 'stopped',
      writer: 'running-elsewhere',
      owner: holder,
    });
  });

  it(`on ${backend.name}: when the holder is cut off from the store, the other takes over within the lease`, async () => {
    const lease = await writer.readModels.lease(name);
    const holderIndex = runners.findIndex((runner) => runner.owner === lease?.owner);
    const [holder, standby] = holderIndex === 0 ? [one, runners[1]] : [two, runners[0]];
    const cutOff = Date.now();
    await holder.readModels.close();
    await append(10);

    await until(
      'the standby to take the lease and reach the head',
      async () =>
        (await writer.readModels.lease(name))?.owner === standby.owner && (await caughtUp(writer.readModels)),
    );
    expect(Date.now() - cutOff).toBeLessThan(LEASE_MS + LEASE_MS / 3 + 1_000);
    expect((await writer.readModels.lease(name))?.token).toBeGreaterThan(lease!.token);

    const positions = advances.map((advance) => advance.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(await writer.readModels.entries(name)).toEqual(await rebuilt());
    const [status] = await standby.status();
    expect(status).toMatchObject({ writer: 'running-here', owner: standby.owner, lag: 0 });
  });

  it(`on ${backend.name}: a holder whose lease was taken while it was paused writes nothing more`, async () => {
    const before = (await writer.readModels.lease(name))!;
    const paused = runners.find((runner) => runner.owner === before.owner)!;
    // A runner whose clock is an hour ahead sees the lease as long expired, as a holder paused
    // past its expiry would leave it to everyone else.
    const process = await backend.open();
    const ahead = runnerOn(process, () => Date.now() + 3_600_000);
    others.push({ process, runner: ahead });
    await ahead.start();
    const takenAt = advances.length;
    await append(10);

    await until('the new holder to reach the head', () => caughtUp(writer.readModels));
    expect((await writer.readModels.lease(name))?.owner).toBe(ahead.owner);
    expect(advances.slice(takenAt).map((advance) => advance.owner)).toEqual(
      advances.slice(takenAt).map(() => ahead.owner),
    );
    expect(await writer.readModels.entries(name)).toEqual(await rebuilt());
    const [status] = await paused.status();
    expect(status).toMatchObject({ writer: 'running-elsewhere', owner: ahead.owner });
  });
});

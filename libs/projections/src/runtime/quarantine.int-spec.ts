import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type PublishedEvent, subjectStream } from '@throughline/domain';
import { SqliteEventStore } from '@throughline/event-store';
import { PostgresReadModelStore } from '../store/postgres-read-model-store';
import { SqliteReadModelStore } from '../store/sqlite-read-model-store';
import { applyBatch } from './apply-batch';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { QuarantineBook } from './quarantine';

interface Tally {
  readonly events: number;
  readonly lastPosition: number;
}

/**
 * Counts each subject's events. Data marked `poison` throws, as a fold bug would, until `fixed`;
 * `unloadable` and `unsettleable` make loading or settling that subject's document throw.
 */
class TallyProjection implements Projection<Tally> {
  readonly name: string;
  fixed = false;
  readonly unloadable = new Set<string>();
  readonly unsettleable = new Set<string>();

  constructor(name = `tally-${randomUUID().slice(0, 8)}`) {
    this.name = name;
  }

  keys(event: PublishedEvent): readonly string[] {
    return [event.subjectId];
  }

  evolve(doc: Tally | null, event: PublishedEvent): Tally {
    if ((event.data as { poison?: boolean }).poison && !this.fixed)
      throw new RangeError('Invalid time value');
    return { events: (doc?.events ?? 0) + 1, lastPosition: event.position };
  }

  settle(doc: Tally): Tally {
    return doc;
  }

  async load(stored: Tally, key: string): Promise<Tally> {
    if (this.unloadable.has(key)) throw new Error(`${key} does not line up with its stream`);
    return stored;
  }

  keyStream(key: string): string {
    return subjectStream(key);
  }
}

/** A tally that keeps its subject, and whose settle throws for the subjects named. */
class UnsettleableTally extends TallyProjection {
  override evolve(doc: Tally | null, event: PublishedEvent): Tally & { subject: string } {
    return { ...super.evolve(doc, event), subject: event.subjectId };
  }

  override settle(doc: Tally & { subject?: string }): Tally {
    if (doc.subject && this.unsettleable.has(doc.subject)) throw new Error(`cannot settle ${doc.subject}`);
    return doc;
  }
}

/** A tally whose keys cannot be worked out for events marked `unkeyable`. */
class UnkeyableTally extends TallyProjection {
  override keys(event: PublishedEvent): readonly string[] {
    if ((event.data as { unkeyable?: boolean }).unkeyable) throw new TypeError('no key in this event');
    return super.keys(event);
  }
}

const linked = (data: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  type: 'iom.subject.identifier-linked.v1',
  data: { scheme: 'local', value: `L-${randomUUID().slice(0, 6)}`, ...data },
  metadata: { agency: 'police', source: 'urn:test', category: 'identity' },
});

describe('quarantine of a document whose fold throws (SQLite files)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-quarantine-'));
  const log = new SqliteEventStore(join(dir, 'events.db'));
  let readModels = new SqliteReadModelStore(join(dir, 'read-models.db'));
  const [A, B, C] = [randomUUID(), randomUUID(), randomUUID()] as const;

  afterAll(async () => {
    await Promise.all([log.close(), readModels.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const append = async (subject: string, data?: Record<string, unknown>) =>
    (await log.append(subjectStream(subject), [linked(data)], 'any')).events[0]!;
  const everything = async () => log.readAll({ after: 0 });
  const tallies = async (name: string) => new Map(await readModels.entries<Tally>(name));

  it('holds back the subject alone, durably with the checkpoint, and folds every other', async () => {
    for (const subject of [A, B, C]) await append(subject);
    const poison = await append(A, { poison: true });
    for (const subject of [A, B, C]) await append(subject);
    const projection = new TallyProjection('tally');
    const book = new QuarantineBook();

    const position = await applyBatch(log, readModels, projection, await everything(), new Map(), book);

    expect(position).toBe(await log.headPosition());
    expect(await readModels.checkpoint('tally')).toBe(position);
    const docs = await tallies('tally');
    expect(docs.has(A)).toBe(false);
    expect(docs.get(B)).toEqual({ events: 2, lastPosition: expect.any(Number) });
    expect(docs.get(C)?.events).toBe(2);
    expect(book.quarantines).toBe(1);

    // Written with the checkpoint: a store opened again on the file holds the same.
    await readModels.close();
    readModels = new SqliteReadModelStore(join(dir, 'read-models.db'));
    expect(await readModels.quarantined('tally')).toEqual([
      {
        key: A,
        eventId: poison.id,
        position: poison.position,
        type: 'iom.subject.identifier-linked.v1',
        error: 'Invalid time value',
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
    expect(await readModels.quarantined('tally', B)).toEqual([]);
  });

  it("skips the subject's later events while its fold still throws, and lets it out once a second fold succeeds", async () => {
    const projection = new TallyProjection('tally');
    const book = new QuarantineBook(await readModels.quarantined('tally'));
    const cache = new Map<string, unknown>();
    const from = await readModels.checkpoint('tally');

    await append(A);
    await append(B);
    await applyBatch(log, readModels, projection, await log.readAll({ after: from }), cache, book);
    expect((await tallies('tally')).has(A)).toBe(false);
    expect((await readModels.quarantined('tally')).map((held) => held.key)).toEqual([A]);
    expect((await tallies('tally')).get(B)?.events).toBe(3);

    // The fault is repaired (here, the fold no longer throws): the next event on A folds it all again.
    projection.fixed = true;
    const after = await readModels.checkpoint('tally');
    await append(A);
    await applyBatch(log, readModels, projection, await log.readAll({ after }), cache, book);
    expect(await readModels.quarantined('tally')).toEqual([]);
    expect((await tallies('tally')).get(A)).toEqual({
      events: (await log.readStream(subjectStream(A))).length,
      lastPosition: await log.headPosition(),
    });
    expect(book.has(A)).toBe(false);
  });

  it('folds a stored document that will not load again from its stream, without quarantine', async () => {
    const projection = new TallyProjection('tally');
    projection.fixed = true;
    projection.unloadable.add(B);
    const after = await readModels.checkpoint('tally');
    await append(B);
    await applyBatch(log, readModels, projection, await log.readAll({ after }));
    expect((await tallies('tally')).get(B)?.events).toBe((await log.readStream(subjectStream(B))).length);
    expect(await readModels.quarantined('tally')).toEqual([]);
  });

  it('quarantines a document whose settling throws, naming its last event', async () => {
    const projection = new UnsettleableTally('tally-settled');
    projection.fixed = true;
    await applyBatch(log, readModels, projection, await everything());
    projection.unsettleable.add(C);
    const after = await readModels.checkpoint('tally-settled');
    const last = await append(C);
    await append(B);
    await applyBatch(log, readModels, projection, await log.readAll({ after }));
    expect(await readModels.quarantined('tally-settled')).toEqual([
      expect.objectContaining({ key: C, eventId: last.id, error: `cannot settle ${C}` }),
    ]);
    const docs = await tallies('tally-settled');
    expect(docs.has(C)).toBe(false);
    expect(docs.get(B)?.events).toBe((await log.readStream(subjectStream(B))).length);
  });

  it('quarantines the subject of an event that cannot even be keyed, and goes on', async () => {
    const projection = new UnkeyableTally('tally-keys');
    projection.fixed = true;
    await applyBatch(log, readModels, projection, await everything());
    const after = await readModels.checkpoint('tally-keys');
    const unkeyable = await append(C, { unkeyable: true });
    await append(B);
    await applyBatch(log, readModels, projection, await log.readAll({ after }));
    expect(await readModels.quarantined('tally-keys')).toEqual([
      expect.objectContaining({ key: C, eventId: unkeyable.id, error: 'no key in this event' }),
    ]);
    const docs = await tallies('tally-keys');
    expect(docs.has(C)).toBe(false);
    expect(docs.get(B)?.events).toBe((await log.readStream(subjectStream(B))).length);
  });

  it('runs on past a poison event, counts and reports it, and holds it back again after a restart', async () => {
    const projection = new TallyProjection();
    const runner = new ProjectionRunner(log, readModels);
    runner.register(projection);
    await runner.start();
    await runner.waitFor(await log.headPosition());
    const [status] = await runner.status();
    expect(status).toMatchObject({ name: projection.name, status: 'live', lag: 0 });
    expect(status!.quarantine).toMatchObject({
      count: 1,
      total: 1,
      held: [expect.objectContaining({ key: A })],
    });
    expect(runner.failed).toEqual([]);
    expect(await runner.quarantinedCount()).toBe(1);
    await runner.stop();

    const again = new ProjectionRunner(log, readModels);
    again.register(new TallyProjection(projection.name));
    await again.start();
    await append(B);
    await again.waitFor(await log.headPosition());
    expect((await tallies(projection.name)).get(B)?.events).toBe(
      (await log.readStream(subjectStream(B))).length,
    );
    const [restarted] = await again.status();
    // Still held back; the counter counts what this run newly quarantined.
    expect(restarted!.quarantine).toMatchObject({ count: 1, total: 0 });
    expect(restarted!.status).toBe('live');
    await again.stop();
  });
});

describe('quarantine in the PostgreSQL read-model store', () => {
  const connectionString = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `q_${randomBytes(6).toString('hex')}`;
  let store: PostgresReadModelStore;

  beforeAll(async () => {
    store = await PostgresReadModelStore.open(connectionString, schema);
  });

  afterAll(async () => {
    await store.close();
    const client = new Client({ connectionString });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('writes holds and releases with the documents and checkpoint, and forgets them on reset', async () => {
    const record = (key: string, position: number) => ({
      key,
      eventId: `e-${position}`,
      position,
      type: 'iom.consent.given.v1',
      error: 'Invalid time value',
      at: '2026-01-05T09:00:00.000Z',
    });
    await store.commit(
      'tally',
      new Map([['b', { events: 1 }]]),
      10,
      new Map([
        ['a', record('a', 7)],
        ['c', record('c', 9)],
      ]),
    );
    expect(await store.quarantined('tally')).toEqual([record('a', 7), record('c', 9)]);
    expect(await store.quarantined('tally', 'c')).toEqual([record('c', 9)]);
    expect(await store.checkpoint('tally')).toBe(10);

    await store.commit('tally', new Map(), 12, new Map([['a', null]]));
    expect(await store.quarantined('tally')).toEqual([record('c', 9)]);

    await store.reset('tally');
    expect(await store.quarantined('tally')).toEqual([]);
  });
});

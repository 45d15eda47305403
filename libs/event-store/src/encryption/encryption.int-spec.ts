import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { PostgresEventStore } from '../postgres/postgres-event-store';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { describeEventStoreContract } from '../testing/event-store.contract';
import type { EventStore } from '../store';
import { isSealed } from './data-cipher';
import { EncryptingEventStore, ERASED_METADATA } from './encrypting-event-store';
import { PostgresSubjectKeyStore } from './postgres-subject-key-store';
import { SqliteSubjectKeyStore } from './sqlite-subject-key-store';
import type { DataKey, SubjectKeyStore } from './subject-key-store';

const connectionString = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dir = mkdtempSync(join(tmpdir(), 'throughline-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const keyOf = async (store: SubjectKeyStore, id: string): Promise<Buffer | undefined> =>
  (await store.getMany([id])).get(id);

const schemaName = (): string => `keys_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

describeEventStoreContract('EncryptingEventStore over SQLite', async () => {
  const at = join(dir, randomUUID());
  return new EncryptingEventStore(
    await SqliteEventStore.open(join(at, 'events.db')),
    new SqliteSubjectKeyStore(join(at, 'keys.db')),
  );
});

const keyStores: [string, () => Promise<[SubjectKeyStore, SubjectKeyStore]>][] = [
  [
    'SqliteSubjectKeyStore',
    () => {
      const path = join(dir, randomUUID(), 'keys.db');
      return Promise.resolve([new SqliteSubjectKeyStore(path), new SqliteSubjectKeyStore(path)]);
    },
  ],
  [
    'PostgresSubjectKeyStore',
    async () => {
      const schema = schemaName();
      return Promise.all([
        PostgresSubjectKeyStore.open({ connectionString, schema }),
        PostgresSubjectKeyStore.open({ connectionString, schema }),
      ]);
    },
  ],
];

describe.each(keyStores)('%s', (_name, make) => {
  let one: SubjectKeyStore;
  let two: SubjectKeyStore;
  beforeEach(async () => ([one, two] = await make()));
  afterEach(async () => Promise.all([one.close(), two.close()]));

  const scope = { subject: 'subject-s1', agency: 'police', category: 'offending' };

  it('gives one live key per scope, to two stores made at once', async () => {
    const keys = (
      await Promise.all([one.getOrCreate([scope]), two.getOrCreate([scope]), one.getOrCreate([scope, scope])])
    ).flat();
    expect(keys).toHaveLength(4);
    expect(new Set(keys.map((key) => key.id)).size).toBe(1);
    const [first] = keys as [DataKey];
    expect(first.key).toHaveLength(32);
    expect(await keyOf(two, first.id)).toEqual(first.key);
    const [other] = (await one.getOrCreate([{ ...scope, category: 'health' }])) as [DataKey];
    expect(other.id).not.toBe(first.id);
  });

  it('destroys the keys of an agency, by category or all, and makes new ones after', async () => {
    const [offending, health, probation] = (await one.getOrCreate([
      scope,
      { ...scope, category: 'health' },
      { ...scope, agency: 'probation' },
    ])) as [DataKey, DataKey, DataKey];

    expect(await two.destroy(scope.subject, 'police', ['health'])).toEqual([health.id]);
    expect(await keyOf(one, health.id)).toBeUndefined();
    expect(await keyOf(one, offending.id)).toEqual(offending.key);

    expect(await two.destroy(scope.subject, 'police')).toEqual([offending.id]);
    expect(await keyOf(one, offending.id)).toBeUndefined();
    expect(await keyOf(one, probation.id)).toEqual(probation.key);
    expect(await one.destroy(scope.subject, 'police')).toEqual([]);

    const [renewed] = await one.getOrCreate([scope]);
    expect(renewed!.id).not.toBe(offending.id);
  });
});

/** Two stores on one log and one key store, as two processes open them. */
const twoProcesses: [string, () => Promise<[EncryptingEventStore, EncryptingEventStore]>][] = [
  [
    'SQLite',
    async () => {
      const at = join(dir, randomUUID());
      const open = async (): Promise<EncryptingEventStore> =>
        new EncryptingEventStore(
          await SqliteEventStore.open(join(at, 'events.db')),
          new SqliteSubjectKeyStore(join(at, 'keys.db')),
        );
      return [await open(), await open()];
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const schema = schemaName();
      const open = async (): Promise<EncryptingEventStore> =>
        new EncryptingEventStore(
          await PostgresEventStore.open({ connectionString, schema }),
          await PostgresSubjectKeyStore.open({ connectionString, schema }),
        );
      const first = await open();
      return [first, await open()];
    },
  ],
];

describe.each(twoProcesses)('two processes on one %s store', (_name, make) => {
  let one: EncryptingEventStore;
  let two: EncryptingEventStore;
  beforeEach(async () => ([one, two] = await make()));
  afterEach(async () => Promise.all([one.close(), two.close()]));
  const metadata = { agency: 'police', category: 'offending' };
  const keyIds = async (stream: string): Promise<string[]> => {
    const raw = await (one as unknown as { inner: EventStore }).inner.readStream(stream);
    return raw.map((event) => (isSealed(event.data) ? event.data.$sealed.k : 'clear'));
  };

  it('seal a new scope at once under one key, which both read', async () => {
    const stream = `subject-${randomUUID()}`;
    await Promise.all([
      one.append(stream, [{ id: `${stream}-1`, type: 'Recorded', data: { text: 'one' }, metadata }]),
      two.append(stream, [{ id: `${stream}-2`, type: 'Recorded', data: { text: 'two' }, metadata }]),
    ]);
    const ids = await keyIds(stream);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
    for (const store of [one, two]) {
      expect((await store.readStream(stream)).map((event) => event.data)).toEqual(
        expect.arrayContaining([{ text: 'one' }, { text: 'two' }]),
      );
    }
  });

  it('never open with a key the other destroyed, though the read does not reach the erasure', async () => {
    const stream = `subject-${randomUUID()}`;
    await two.append(stream, [{ id: `${stream}-1`, type: 'Recorded', data: { text: 'secret' }, metadata }]);
    // The second process holds the key: it has read and sealed under it.
    expect((await two.findByIds([`${stream}-1`]))[0]!.data).toEqual({ text: 'secret' });
    await one.append(stream, [
      { id: `${stream}-2`, type: 'Erased', data: {}, metadata, destroyKeys: { agency: 'police' } },
    ]);
    // Reads that stop before the erasure event, so only the key store can tell.
    expect((await two.findByIds([`${stream}-1`]))[0]!.data).toEqual({});
    const [first] = await two.readStream(stream, { maxCount: 1 });
    expect([first!.data, first!.metadata[ERASED_METADATA]]).toEqual([{}, true]);
    // And what it appends after is sealed under a new key, which both open.
    await two.append(stream, [{ id: `${stream}-3`, type: 'Recorded', data: { text: 'after' }, metadata }]);
    const ids = await keyIds(stream);
    expect(ids[2]).not.toBe(ids[0]);
    expect((await one.findByIds([`${stream}-3`]))[0]!.data).toEqual({ text: 'after' });
  });
});

describe.each(twoProcesses)('redaction on one %s store', (_name, make) => {
  let one: EncryptingEventStore;
  let two: EncryptingEventStore;
  beforeEach(async () => ([one, two] = await make()));
  afterEach(async () => Promise.all([one.close(), two.close()]));
  const offending = { agency: 'police', category: 'offending' };
  const recorded = (stream: string, n: number, text: string, metadata = offending) => ({
    id: `${stream}-${n}`,
    type: 'Recorded',
    data: { text },
    metadata,
  });
  const redaction = (stream: string, n: number, ...targets: number[]) => ({
    id: `${stream}-${n}`,
    type: 'Redacted',
    data: { reason: 'recorded against the wrong person' },
    metadata: offending,
    destroyDataOf: targets.map((target) => `${stream}-${target}`),
  });
  const texts = async (store: EncryptingEventStore, stream: string) =>
    (await store.readStream(stream)).map((event) => [
      (event.data as { text?: string }).text ?? (event.data as { reason?: string }).reason ?? null,
      event.metadata[ERASED_METADATA] === true,
    ]);
  const raw = (store: EncryptingEventStore) =>
    store as unknown as { inner: EventStore; keyStore: SubjectKeyStore };

  it("destroys its target's key, keeps the other data that key sealed, and both processes read it so", async () => {
    const stream = `subject-${randomUUID()}`;
    await one.append(stream, [
      recorded(stream, 1, 'kept one'),
      recorded(stream, 2, 'Marker-Redacted'),
      recorded(stream, 3, 'kept three'),
      recorded(stream, 4, 'other category', { agency: 'police', category: 'health' }),
    ]);
    // The other process holds the key, having read under it.
    expect(await texts(two, stream)).toHaveLength(4);
    const [, target] = await raw(one).inner.readStream(stream);
    const targetKey = (target!.data as { $sealed: { k: string } }).$sealed.k;

    await one.append(stream, [redaction(stream, 5, 2)]);

    const expected = [
      ['kept one', false],
      [null, true],
      ['kept three', false],
      ['other category', false],
      ['recorded against the wrong person', false],
    ];
    expect(await texts(one, stream)).toEqual(expected);
    expect(await texts(two, stream)).toEqual(expected);
    expect((await two.findByIds([`${stream}-2`]))[0]!.data).toEqual({});
    // The key is gone from the key store; what stays of its data is sealed again under another.
    expect(await keyOf(raw(one).keyStore, targetKey)).toBeUndefined();
    const kept = await raw(one).keyStore.resealedOf([1, 2, 3, 4].map((n) => `${stream}-${n}`));
    expect([...kept.keys()].sort()).toEqual([`${stream}-1`, `${stream}-3`]);
    expect(new Set([...kept.values()].map((sealed) => sealed.$sealed.k)).size).toBe(1);
    expect([...kept.values()][0]!.$sealed.k).not.toBe(targetKey);
    // New data of the scope is sealed under a key of its own, and opens.
    await two.append(stream, [recorded(stream, 6, 'after')]);
    expect((await one.findByIds([`${stream}-6`]))[0]!.data).toEqual({ text: 'after' });
  });

  it('redacts again what an earlier redaction kept, and an erasure takes what is kept with it', async () => {
    const stream = `subject-${randomUUID()}`;
    await one.append(stream, [
      recorded(stream, 1, 'first'),
      recorded(stream, 2, 'second'),
      recorded(stream, 3, 'third'),
    ]);
    await one.append(stream, [redaction(stream, 4, 2)]);
    await two.append(stream, [redaction(stream, 5, 1)]);
    expect((await texts(one, stream)).slice(0, 3)).toEqual([
      [null, true],
      [null, true],
      ['third', false],
    ]);
    await one.append(stream, [
      { id: `${stream}-6`, type: 'Erased', data: {}, metadata: offending, destroyKeys: { agency: 'police' } },
    ]);
    for (const store of [one, two])
      expect((await texts(store, stream)).filter(([, erased]) => !erased)).toEqual([[null, false]]);
    expect((await raw(one).keyStore.resealedOf([`${stream}-3`])).size).toBe(0);
  });

  it('destroys a target appended in the same call', async () => {
    const stream = `subject-${randomUUID()}`;
    await one.append(stream, [
      recorded(stream, 1, 'kept'),
      recorded(stream, 2, 'gone'),
      redaction(stream, 3, 2),
    ]);
    expect((await texts(two, stream)).slice(0, 2)).toEqual([
      ['kept', false],
      [null, true],
    ]);
  });
});

describe('a key whose giving a crash lost', () => {
  it('still opens what it sealed, and goes with the erasure of that data', async () => {
    const at = join(dir, randomUUID());
    const store = new EncryptingEventStore(
      await SqliteEventStore.open(join(at, 'events.db')),
      new SqliteSubjectKeyStore(join(at, 'keys.db')),
    );
    const stream = `subject-${randomUUID()}`;
    const metadata = { agency: 'police', category: 'offending' };
    try {
      await store.append(stream, [{ id: 'lost-1', type: 'Recorded', data: { text: 'secret' }, metadata }]);
      // What a crash after the events' commit and before the keys' reached the disk leaves: the key
      // made (durably, ahead of use) but no record of the scope it was given to.
      const keys = new Database(join(at, 'keys.db'));
      keys.prepare('DELETE FROM subject_keys').run();
      keys.close();
      const reopened = new EncryptingEventStore(
        await SqliteEventStore.open(join(at, 'events.db')),
        new SqliteSubjectKeyStore(join(at, 'keys.db')),
      );
      try {
        expect((await reopened.readStream(stream))[0]!.data).toEqual({ text: 'secret' });
        await reopened.append(stream, [
          { id: 'lost-2', type: 'Erased', data: {}, metadata, destroyKeys: { agency: 'police' } },
        ]);
        expect((await reopened.readStream(stream)).map((event) => event.data)).toEqual([{}, {}]);
      } finally {
        await reopened.close();
      }
      expect((await store.readStream(stream))[0]!.data).toEqual({});
    } finally {
      await store.close();
    }
  });
});

describe('a store written before encryption', () => {
  it('opens and reads its events as they were, and seals what is appended after', async () => {
    const at = join(dir, randomUUID());
    const stream = `subject-${randomUUID()}`;
    const metadata = { agency: 'police', category: 'offending' };
    const before = await SqliteEventStore.open(join(at, 'events.db'));
    await before.append(stream, [{ id: 'old-1', type: 'Recorded', data: { text: 'before' }, metadata }]);
    await before.close();

    const log = await SqliteEventStore.open(join(at, 'events.db'));
    const store = new EncryptingEventStore(log, new SqliteSubjectKeyStore(join(at, 'keys.db')));
    try {
      await store.append(stream, [{ id: 'new-1', type: 'Recorded', data: { text: 'after' }, metadata }]);
      expect((await store.readStream(stream)).map((event) => event.data)).toEqual([
        { text: 'before' },
        { text: 'after' },
      ]);
      expect((await log.readStream(stream)).map((event) => isSealed(event.data))).toEqual([false, true]);
    } finally {
      await store.close();
    }
  });
});

describe('after an erasure, nothing read before it is served again', () => {
  it('by another process holding the key, nor from the events the subscriptions share', async () => {
    const at = join(dir, randomUUID());
    const open = async (): Promise<EncryptingEventStore> =>
      new EncryptingEventStore(
        await SqliteEventStore.open(join(at, 'events.db')),
        new SqliteSubjectKeyStore(join(at, 'keys.db')),
      );
    const [eraser, other] = [await open(), await open()];
    const stream = `subject-${randomUUID()}`;
    const metadata = { agency: 'police', category: 'offending' };
    try {
      await eraser.append(stream, [{ id: 'a-1', type: 'Recorded', data: { text: 'secret' }, metadata }]);
      // The other process reads it, keeping its key, and its subscriptions keep the event.
      expect((await other.readStream(stream))[0]!.data).toEqual({ text: 'secret' });
      const seen: unknown[] = [];
      const first = other.subscribeToAll({ after: 0, onEvents: async (events) => void seen.push(...events) });
      await first.caughtUp;
      await first.stop();
      expect(seen).toHaveLength(1);

      await eraser.append(stream, [
        {
          id: 'a-2',
          type: 'Erased',
          data: { reason: 'upheld' },
          metadata,
          destroyKeys: { agency: 'police' },
        },
      ]);
      // The other process meets the erasure first in a subscription's page, after the event it holds.
      const again: { data: unknown }[] = [];
      const second = other.subscribeToAll({
        after: 0,
        onEvents: async (events) => void again.push(...events),
      });
      await second.caughtUp;
      await second.stop();
      expect(again.map((event) => event.data)).toEqual([{}, { reason: 'upheld' }]);
      const read = await other.readStream(stream);
      expect(read.map((event) => event.data)).toEqual([{}, { reason: 'upheld' }]);
    } finally {
      await Promise.all([eraser.close(), other.close()]);
    }
  });
});

const MARKERS = ['Marker-Quillfeather', 'Marker-Ravensworth'];

/** Appends police's and probation's data about one subject and erases police's. */
async function eraseOneAgency(store: EncryptingEventStore): Promise<void> {
  const stream = `subject-${randomUUID()}`;
  await store.append(stream, [
    {
      id: 'e-1',
      type: 'iom.subject.registered.v1',
      data: { givenName: MARKERS[0], familyName: 'Smith' },
      metadata: { agency: 'police', category: 'identity' },
    },
    {
      id: 'e-2',
      type: 'iom.custody.arrested.v1',
      data: { offence: MARKERS[1] },
      metadata: { agency: 'police', category: 'offending' },
    },
    {
      id: 'e-3',
      type: 'iom.appointment.scheduled.v1',
      data: { purpose: 'Marker-Kept' },
      metadata: { agency: 'probation', category: 'supervision' },
    },
  ]);
  expect((await store.readStream(stream)).map((event) => event.data)).toContainEqual({
    offence: MARKERS[1],
  });
  await store.append(stream, [
    {
      id: 'e-4',
      type: 'iom.record.erased.v1',
      data: { reason: 'Upheld request', decisionRef: 'IG-1' },
      metadata: { agency: 'police', category: 'identity' },
      destroyKeys: { agency: 'police' },
    },
  ]);
  const read = await store.readStream(stream);
  // Opened events keep every field of the stored ones, getters included.
  for (const event of read) expect(event.recordedAt).toBeInstanceOf(Date);
  expect(read.map((event) => [event.id, event.data, event.metadata[ERASED_METADATA] ?? false])).toEqual([
    ['e-1', {}, true],
    ['e-2', {}, true],
    ['e-3', { purpose: 'Marker-Kept' }, false],
    ['e-4', { reason: 'Upheld request', decisionRef: 'IG-1' }, false],
  ]);
}

describe('erasure leaves no plaintext', () => {
  it('in the SQLite files, write-ahead logs included', async () => {
    const at = join(dir, randomUUID());
    const store = new EncryptingEventStore(
      await SqliteEventStore.open(join(at, 'events.db')),
      new SqliteSubjectKeyStore(join(at, 'keys.db')),
    );
    await eraseOneAgency(store);
    // Searched while open (the -wal files hold the latest pages) and again after closing.
    const search = (): string[] =>
      readdirSync(at).filter((file) => {
        const bytes = readFileSync(join(at, file));
        return MARKERS.some((marker) => bytes.includes(marker));
      });
    expect(readdirSync(at).some((file) => file.endsWith('-wal'))).toBe(true);
    expect(search()).toEqual([]);
    await store.close();
    expect(search()).toEqual([]);
  });

  it('in the PostgreSQL tables', async () => {
    const schema = schemaName();
    const store = new EncryptingEventStore(
      await PostgresEventStore.open({ connectionString, schema }),
      await PostgresSubjectKeyStore.open({ connectionString, schema }),
    );
    try {
      await eraseOneAgency(store);
    } finally {
      await store.close();
    }
    const client = new Client({ connectionString });
    await client.connect();
    try {
      const { rows: tables } = await client.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1`,
        [schema],
      );
      expect(tables.map((table) => table.table_name)).toEqual(
        expect.arrayContaining(['events', 'subject_keys']),
      );
      let dump = '';
      for (const { table_name } of tables) {
        const { rows } = await client.query<{ row: string }>(
          `SELECT t::text AS row FROM ${schema}.${table_name} t`,
        );
        dump += rows.map((row) => row.row).join('\n');
      }
      expect(dump).toContain('IG-1');
      for (const marker of MARKERS) expect(dump).not.toContain(marker);
    } finally {
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    }
  });
});

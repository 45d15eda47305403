import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { IdentifierTakenError } from '../errors';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { registeredBefore } from '../testing/identity-log';
import { SqliteEventStore } from './sqlite-event-store';

const dir = mkdtempSync(join(tmpdir(), 'throughline-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeEventStoreContract('SqliteEventStore', () => SqliteEventStore.open(join(dir, 'nested', 'events.db')));

describe('SqliteEventStore on disk', () => {
  it('keeps the log across reopening the file', async () => {
    const path = join(dir, 'reopen', 'events.db');
    const first = await SqliteEventStore.open(path);
    const { events } = await first.append('reopened', [
      { id: 'e-1', type: 'Recorded', data: { n: 1 }, metadata: {} },
    ]);
    await first.close();

    const second = await SqliteEventStore.open(path);
    const read = await second.readStream('reopened');
    await second.close();

    expect(read.map((e) => [e.id, e.position, e.data])).toEqual([['e-1', events[0]!.position, { n: 1 }]]);
  });

  it('sees appends made through another connection to the same file', async () => {
    const path = join(dir, 'shared', 'events.db');
    const writer = await SqliteEventStore.open(path);
    const reader = await SqliteEventStore.open(path);

    await writer.append('shared', [{ id: 'shared-1', type: 'Recorded', data: null, metadata: {} }]);

    await expect(reader.headPosition()).resolves.toBe(1);
    await expect(reader.readAll().then((all) => all.map((e) => e.id))).resolves.toEqual(['shared-1']);
    await writer.close();
    await reader.close();
  });
});

describe('SqliteEventStore made before identifier claims', () => {
  it('gains the claims of its registrations and links when opened', async () => {
    const path = join(dir, 'backfill', 'events.db');
    const old = await SqliteEventStore.open(path);
    const history = await registeredBefore(old);
    await old.close();
    const raw = new Database(path);
    raw.exec('DROP TABLE identifiers');
    raw.close();

    const reopened = await SqliteEventStore.open(path);
    try {
      for (const identifier of history.identifiers) {
        const claim = { identifier, owner: randomUUID(), eventId: randomUUID() };
        await expect(
          reopened.appendMany([{ streamId: 'later', expectedRevision: 'any', events: [], claims: [claim] }]),
        ).rejects.toEqual(new IdentifierTakenError(identifier, history.owner));
      }
    } finally {
      await reopened.close();
    }
  });
});

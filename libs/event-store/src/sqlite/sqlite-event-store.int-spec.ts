import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { IDENTIFIER_FORMS_VERSION } from '@throughline/domain';
import { IdentifierTakenError } from '../errors';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { registeredBefore } from '../testing/identity-log';
import type { EventStore } from '../store';
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

/** The store holds the log's identifiers in canonical form for their owner, and nothing else. */
async function expectClaimedAsToday(
  store: EventStore,
  history: Awaited<ReturnType<typeof registeredBefore>>,
): Promise<void> {
  const claimBy = (identifier: string, owner: string) =>
    store.appendMany([
      {
        streamId: 'later',
        expectedRevision: 'any',
        events: [],
        claims: [{ identifier, owner, eventId: randomUUID() }],
      },
    ]);
  for (const identifier of history.identifiers)
    await expect(claimBy(identifier, randomUUID())).rejects.toEqual(
      new IdentifierTakenError(identifier, history.owner),
    );
  // What the agencies typed, and what names no identifier, were never claimed in those forms.
  for (const identifier of [...history.typed, ...history.invalid])
    await expect(claimBy(identifier, randomUUID())).resolves.toHaveLength(1);
}

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
      await expectClaimedAsToday(reopened, history);
    } finally {
      await reopened.close();
    }
  });
});

describe('SqliteEventStore whose claims were made under older identifier forms', () => {
  it('fills them again in canonical form when opened, once', async () => {
    const path = join(dir, 'reform', 'events.db');
    const old = await SqliteEventStore.open(path);
    const history = await registeredBefore(old);
    await old.close();
    const raw = new Database(path);
    // As the claims stood before the rules: keyed by the forms typed, with no forms version.
    raw.exec('DELETE FROM identifier_forms');
    const insert = raw.prepare('INSERT INTO identifiers (identifier, subject_id, event_id) VALUES (?, ?, ?)');
    for (const identifier of [...history.typed, ...history.invalid])
      insert.run(identifier, history.owner, 'old');
    raw.close();

    const reopened = await SqliteEventStore.open(path);
    try {
      await expectClaimedAsToday(reopened, history);
    } finally {
      await reopened.close();
    }
    // Opened again at today's forms, its claims are kept as they are: not emptied and filled again.
    const marker = new Database(path);
    marker.prepare("INSERT INTO identifiers VALUES ('crn:Z000000', 'kept', 'kept')").run();
    marker.close();
    const again = await SqliteEventStore.open(path);
    const check = new Database(path);
    try {
      expect(
        check.prepare("SELECT subject_id FROM identifiers WHERE identifier = 'crn:Z000000'").all(),
      ).toEqual([{ subject_id: 'kept' }]);
      expect(check.prepare('SELECT version FROM identifier_forms').all()).toEqual([
        { version: IDENTIFIER_FORMS_VERSION },
      ]);
    } finally {
      check.close();
      await again.close();
    }
  });
});

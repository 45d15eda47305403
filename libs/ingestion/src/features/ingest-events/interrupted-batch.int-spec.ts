import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  type EventStore,
  EventStoreDbEventStore,
  PostgresEventStore,
  SqliteEventStore,
} from '@throughline/event-store';
import { pncIdOf } from '@throughline/domain';
import { loadConfig } from '@throughline/platform';
import { storedEventId } from '../../domain/event-id';
import { IdentifierIssuers } from '../../identifier-issuers';
import { IdentityIndex } from '../../identity-index';
import { IngestEventsService, type IngestPublisher } from './ingest-events.service';
import { SubjectCeiling } from './subject-ceiling';

const POLICE = 'urn:throughline:police:custody';
const publisher: IngestPublisher = { id: 'police-custody', agency: 'police', sources: [POLICE] };

const cloudEvent = (type: string, subject: string, data: Record<string, unknown>) => ({
  specversion: '1.0',
  id: randomUUID(),
  source: POLICE,
  type,
  subject,
  time: '2025-01-06T09:00:00Z',
  datacontenttype: 'application/json',
  data,
});

/** A new subject's registration and arrest, named by a fresh PNC: two events for one stream. */
const aNewSubject = () => {
  const pnc = `pnc:${pncIdOf(2025, randomInt(1, 10_000_000))}`;
  return [
    cloudEvent('iom.subject.registered.v1', pnc, {
      givenName: 'Sam',
      familyName: 'Carter',
      dateOfBirth: '1990-04-12',
      identifiers: [],
    }),
    cloudEvent('iom.arrest.recorded.v1', pnc, {
      offence: 'Burglary dwelling',
      offenceGroup: 'burglary',
      arrestedAt: '2025-01-06T10:00:00Z',
      custodySuite: 'Northfield',
    }),
  ];
};

/** One API process: its own connection to the log, identity index and ingestion service. */
const processOn = (store: EventStore) => {
  const identity = new IdentityIndex(store);
  return new IngestEventsService(
    store,
    identity,
    new SubjectCeiling(store, loadConfig({})),
    new IdentifierIssuers(),
  );
};

/**
 * Makes the store's next appendMany stop as a KurrentDB append stops when the connection or the
 * process is lost between two streams: the first stream written, the others not, and an error.
 */
function cutShortAfterFirstStream(store: EventStore): void {
  const appendMany = store.appendMany.bind(store);
  store.appendMany = async (requests) => {
    store.appendMany = appendMany;
    await appendMany(requests.slice(0, 1));
    throw new Error('connection lost after the first stream');
  };
}

/**
 * A batch about two new subjects is cut short after the first subject's stream; the agency sends
 * it again, reaching another API process. The second attempt stores what the first did not, answers
 * the first subject's events as duplicates, and the log holds every event once.
 */
async function completeOn(open: () => Promise<EventStore>): Promise<void> {
  const [first, second] = [await open(), await open()];
  try {
    const batch = [...aNewSubject(), ...aNewSubject()];
    const storedIds = batch.map((event) => storedEventId(event.source, event.id));
    const after = await first.headPosition();
    cutShortAfterFirstStream(first);

    await expect(processOn(first).ingest(batch, publisher)).rejects.toThrow('connection lost');
    const results = await processOn(second).ingest(batch, publisher);

    expect(results.map((result) => result.duplicate)).toEqual([true, true, false, false]);
    expect(new Set(results.map((result) => result.subjectId)).size).toBe(2);
    const logged = await second.readAll({ after });
    const ours = logged.filter((event) => storedIds.includes(event.id));
    expect(ours.map((event) => event.id)).toEqual(storedIds);
    for (const [index, result] of results.entries()) {
      expect(ours[index]).toMatchObject({ streamId: result.stream, position: result.position });
    }

    // Sent a third time, every event is answered as already stored and nothing is appended.
    const again = await processOn(second).ingest(batch, publisher);
    expect(again.map((result) => result.duplicate)).toEqual([true, true, true, true]);
    expect((await second.readAll({ after })).filter((event) => storedIds.includes(event.id))).toHaveLength(4);
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
}

describe('a batch cut short between two subject streams, sent again', () => {
  it('on SQLite, stores every event once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'throughline-interrupted-'));
    try {
      // Two connections to one file, as two threads of a process hold them.
      await completeOn(() => SqliteEventStore.open(join(dir, 'events.db')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on PostgreSQL, stores every event once', async () => {
    const connectionString = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `t_${randomBytes(6).toString('hex')}`;
    try {
      await completeOn(() => PostgresEventStore.open({ connectionString, schema }));
    } finally {
      const client = new Client({ connectionString });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });

  const eventstoreUrl = process.env.EVENTSTORE_URL;
  // KurrentDB is where a batch really stops part way; it runs only where a server is given.
  (eventstoreUrl ? it : it.skip)('on KurrentDB (EVENTSTORE_URL), stores every event once', async () => {
    await completeOn(() => EventStoreDbEventStore.connect(eventstoreUrl!));
  });
});

import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  type EventStore,
  IdentifierTakenError,
  PostgresEventStore,
  SqliteEventStore,
} from '@throughline/event-store';
import { pncIdOf } from '@throughline/domain';
import { loadConfig } from '@throughline/platform';
import { storedEventId } from '../../domain/event-id';
import { IdentifierIssuers } from '../../identifier-issuers';
import { IdentityIndex } from '../../identity-index';
import { IngestEventsService, IngestRejectedError, type IngestPublisher } from './ingest-events.service';
import { SubjectCeiling } from './subject-ceiling';

const POLICE = 'urn:throughline:police:custody';
const publisher: IngestPublisher = { id: 'police-custody', agency: 'police', sources: [POLICE] };
const RACES = 50;

/** A registration of a new subject, named by its own local identifier, listing the contested PNC. */
const registration = (pnc: string) => ({
  specversion: '1.0',
  id: randomUUID(),
  source: POLICE,
  type: 'iom.subject.registered.v1',
  subject: `local:${randomUUID()}`,
  time: '2025-01-06T09:00:00Z',
  datacontenttype: 'application/json',
  data: {
    givenName: 'Sam',
    familyName: 'Carter',
    dateOfBirth: '1990-04-12',
    identifiers: [{ scheme: 'pnc', value: pnc }],
  },
});

/** One API process: its own connection to the log, its own identity index and ingestion service. */
interface Process {
  readonly store: EventStore;
  readonly identity: IdentityIndex;
  readonly ingestion: IngestEventsService;
}

const processOn = (store: EventStore): Process => {
  const identity = new IdentityIndex(store);
  return {
    store,
    identity,
    ingestion: new IngestEventsService(
      store,
      identity,
      new SubjectCeiling(store, loadConfig({})),
      new IdentifierIssuers(),
    ),
  };
};

/**
 * Two processes register the same new identifiers for different subjects at once: the log decides
 * each race, so exactly one subject owns each identifier whatever either process's index knew.
 */
async function raceOn(open: () => Promise<EventStore>): Promise<void> {
  const processes = [processOn(await open()), processOn(await open())] as const;
  try {
    for (const { identity } of processes) await identity.catchUp();
    let refusedByTheLog = 0;
    for (const { store } of processes) {
      const appendMany = store.appendMany.bind(store);
      store.appendMany = (requests) =>
        appendMany(requests).catch((error: unknown) => {
          if (error instanceof IdentifierTakenError) refusedByTheLog += 1;
          throw error;
        });
    }
    const pncs = Array.from({ length: RACES }, () => pncIdOf(2025, randomInt(1, 10_000_000)));
    const races = pncs.map((pnc, race) => {
      const pair = [registration(pnc), registration(pnc)] as const;
      // Each process starts first in half of the races.
      const order = race % 2 === 0 ? [0, 1] : [1, 0];
      return Promise.all(
        order.map((which) =>
          processes[which]!.ingestion.ingest([pair[which]], publisher).then(
            (results) => ({ which, results, refusal: undefined }),
            (refusal: unknown) => ({ which, results: undefined, refusal }),
          ),
        ),
      ).then((outcomes) => ({ pnc, pair, outcomes }));
    });
    const settled = await Promise.all(races);

    for (const { identity } of processes) await identity.catchUp();
    for (const { pnc, pair, outcomes } of settled) {
      const won = outcomes.filter((outcome) => outcome.results);
      const lost = outcomes.filter((outcome) => outcome.refusal);
      expect([won.length, lost.length]).toEqual([1, 1]);
      const winner = won[0]!.results![0]!.subjectId;
      const refusal = lost[0]!.refusal;
      expect(refusal).toBeInstanceOf(IngestRejectedError);
      expect(refusal).toMatchObject({
        status: 409,
        issues: [{ index: 0, field: 'data.identifiers.0', constraint: 'identifierOwner' }],
      });
      const loser = pair[lost[0]!.which]!;
      await expect(processes[0].store.findByIds([storedEventId(loser.source, loser.id)])).resolves.toEqual(
        [],
      );
      for (const { identity } of processes)
        expect(identity.resolve({ scheme: 'pnc', value: pnc })).toBe(winner);
    }
    // The processes planned against indexes that had not seen each other's registrations: some
    // races, at least, reached the log and were decided there.
    expect(refusedByTheLog).toBeGreaterThan(0);
  } finally {
    for (const { store } of processes) await store.close();
  }
}

describe('registering one identifier from two processes at once', () => {
  it('on one SQLite file, leaves each identifier with exactly one subject', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'throughline-identity-'));
    try {
      await raceOn(() => SqliteEventStore.open(join(dir, 'events.db')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on one PostgreSQL database, leaves each identifier with exactly one subject', async () => {
    const connectionString = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `t_${randomBytes(6).toString('hex')}`;
    try {
      await raceOn(() => PostgresEventStore.open({ connectionString, schema }));
    } finally {
      const client = new Client({ connectionString });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
});

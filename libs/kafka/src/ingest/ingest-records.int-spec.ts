import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { type EventMeta } from '@throughline/domain';
import { SqliteEventStore } from '@throughline/event-store';
import {
  IdentifierIssuers,
  IdentityIndex,
  IngestEventsService,
  SubjectCeiling,
} from '@throughline/ingestion';
import { loadConfig } from '@throughline/platform';
import { type CloudEvent, streamOf, structured, TestSubject } from '../testing/kafka-test-kit';
import { RecordIngester } from './ingest-records';

/** A record as the consumer hands it over, at an offset of the partition. */
const record = (event: CloudEvent, offset: number): KafkaMessage => {
  const message = structured(event);
  return {
    key: Buffer.from(String(message.key)),
    value: Buffer.from(String(message.value)),
    headers: message.headers as IHeaders,
    timestamp: '0',
    attributes: 0,
    offset: String(offset),
  };
};

const errorOf = (message: { headers?: Record<string, unknown> }) =>
  JSON.parse(String(message.headers!['throughline-error'])) as {
    status: number;
    issues: { constraint: string }[];
  };

describe('RecordIngester (a SQLite file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-records-'));
  const store = new SqliteEventStore(join(dir, 'events.db'));
  const service = new IngestEventsService(
    store,
    new IdentityIndex(store),
    new SubjectCeiling(store, loadConfig({ SUBJECT_EVENTS_PER_DAY: '5' })),
    new IdentifierIssuers(),
  );
  const ingester = new RecordIngester({ sources: {}, groupId: 'records-test' }, service);

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('dead-letters the events each refusal names and offers the rest again as one batch, in order', async () => {
    const subject = new TestSubject();
    const stranger = new TestSubject();
    const good = [subject.registered(), subject.homeVisit(), subject.homeVisit(), subject.homeVisit()];
    const unknownSubject = stranger.homeVisit();
    const wrongSource = { ...subject.homeVisit(), source: 'urn:throughline:probation:oasys' };
    const events = [good[0]!, good[1]!, unknownSubject, good[2]!, wrongSource, good[3]!];
    const calls = jest.spyOn(service, 'ingest');

    const outcome = await ingester.ingest({
      topic: 'police-events',
      partition: 0,
      agency: 'police',
      messages: events.map(record),
    });

    // Not one call per record: the chunk is refused for the source its agency does not own (checked
    // before anything is looked up), what is left for the subject nobody registered, and the rest
    // is taken.
    expect(calls).toHaveBeenCalledTimes(3);
    expect(outcome).toMatchObject({ stored: 4, duplicates: 0 });
    expect(
      outcome.deadLetters.map((message) => String(message.headers!['throughline-source-offset'])),
    ).toEqual(['2', '4']);
    expect(outcome.deadLetters.map((message) => errorOf(message))).toEqual([
      expect.objectContaining({
        status: 422,
        issues: [expect.objectContaining({ constraint: 'knownSubject' })],
      }),
      expect.objectContaining({
        status: 403,
        issues: [expect.objectContaining({ constraint: 'boundSource' })],
      }),
    ]);
    const subjectId = (await subject.subjectId(store, good[0]!))!;
    expect((await streamOf(store, subjectId)).map((e) => (e.metadata as unknown as EventMeta).ceId)).toEqual(
      good.map((event) => event.id),
    );
  });

  it("dead-letters the records of a subject at its ceiling and stores the other subjects' records", async () => {
    const flooded = new TestSubject();
    const other = new TestSubject();
    const registration = flooded.registered();
    await ingester.ingest({
      topic: 'police-events',
      partition: 0,
      agency: 'police',
      messages: [registration, flooded.homeVisit(), flooded.homeVisit()].map(record),
    });
    const events = [flooded.homeVisit(), other.registered(), flooded.homeVisit(), flooded.homeVisit()];

    // Three stored and three more would make six in the day, one past the ceiling of five.
    const outcome = await ingester.ingest({
      topic: 'police-events',
      partition: 0,
      agency: 'police',
      messages: events.map((event, offset) => record(event, offset + 10)),
    });

    expect(outcome.stored).toBe(1);
    expect(
      outcome.deadLetters.map((message) => String(message.headers!['throughline-error-reason'])),
    ).toEqual(['subject-ceiling', 'subject-ceiling', 'subject-ceiling']);
    expect(errorOf(outcome.deadLetters[0]!).status).toBe(429);
    const floodedId = (await flooded.subjectId(store, registration))!;
    expect(await streamOf(store, floodedId)).toHaveLength(3);
  });
});

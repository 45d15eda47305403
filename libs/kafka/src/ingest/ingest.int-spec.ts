import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Producer } from 'kafkajs';
import { type EventMeta } from '@throughline/domain';
import { storedEventId } from '@throughline/ingestion';
import { deadLetterTopic, ingestTopic, type KafkaSettings } from '../kafka-settings';
import {
  binary,
  type CloudEvent,
  createTopics,
  eventually,
  type KafkaTestApp,
  POLICE,
  startKafkaTestApp,
  streamOf,
  structured,
  TestSubject,
  testProducer,
  testSettings,
  TopicCollector,
} from '../testing/kafka-test-kit';
import type { IngestConsumer } from './ingest-consumer';

describe('ingestion from agency topics (real broker)', () => {
  let settings: KafkaSettings;
  let app: KafkaTestApp;
  let consumer: IngestConsumer;
  let producer: Producer;
  let dlq: TopicCollector;
  let policeTopic: string;

  beforeAll(async () => {
    settings = testSettings();
    policeTopic = ingestTopic(settings.topicPrefix, 'police');
    await createTopics(settings);
    app = await startKafkaTestApp(settings);
    consumer = await app.ingestion.start();
    producer = await testProducer();
    dlq = await TopicCollector.start([deadLetterTopic(settings.topicPrefix)]);
  }, 60_000);

  afterAll(async () => {
    await dlq?.stop();
    await producer?.disconnect();
    await app?.close();
  }, 60_000);

  const stored = async (events: readonly CloudEvent[]) =>
    app.store.findByIds(events.map((e) => storedEventId(e.source, e.id)));

  it('stores structured and binary mode events as POST /v1/events would, and a redelivery stores nothing twice', async () => {
    const subject = new TestSubject();
    const events = [subject.registered(), subject.homeVisit(), subject.homeVisit()];
    const messages = [structured(events[0]!), structured(events[1]!), binary(events[2]!)];
    await producer.send({ topic: policeTopic, messages });
    await eventually(
      () => stored(events),
      (found) => found.length === 3,
      'three events stored',
    );

    const subjectId = (await subject.subjectId(app.store, events[0]!))!;
    const stream = await streamOf(app.store, subjectId);
    expect(stream.map((e) => (e.metadata as unknown as EventMeta).ceId)).toEqual(events.map((e) => e.id));
    for (const [i, recorded] of stream.entries()) {
      const meta = recorded.metadata as unknown as EventMeta;
      expect(recorded.type).toBe(events[i]!.type);
      expect(recorded.data).toEqual(events[i]!.data);
      expect(meta).toMatchObject({
        agency: 'police',
        source: POLICE,
        time: events[i]!.time,
        subjectRef: subject.ref,
        publishedBy: `kafka:${policeTopic}`,
      });
      expect(meta.requestId).toMatch(new RegExp(`^kafka:${policeTopic}/\\d+/\\d+`));
    }

    // The HTTP path is the same use case: resubmitting there reports the events Kafka stored.
    const viaHttp = await app.service.ingest(events, {
      id: 'police-system',
      agency: 'police',
      sources: [POLICE],
    });
    expect(viaHttp).toEqual(
      stream.map((recorded, i) => ({
        id: events[i]!.id,
        subjectId,
        stream: recorded.streamId,
        revision: recorded.revision,
        position: recorded.position,
        duplicate: true,
      })),
    );

    // Redelivery (a publisher retry, or a consumer restart before its commit): nothing new is stored.
    const duplicatesBefore = consumer.stats.duplicates;
    await producer.send({ topic: policeTopic, messages });
    await eventually(
      () => consumer.stats.duplicates,
      (n) => n >= duplicatesBefore + 3,
      'the redelivered records to be seen',
    );
    expect(await streamOf(app.store, subjectId)).toHaveLength(3);
  });

  it('dead-letters poison records with their original bytes and reasons, and stores the valid ones after them', async () => {
    const subject = new TestSubject();
    const stranger = new TestSubject();
    const registration = subject.registered();
    const unknownType = { ...subject.homeVisit(), type: 'iom.unknown.happened.v1' };
    const wrongSource = { ...subject.homeVisit(), source: 'urn:throughline:probation:oasys' };
    const notPolice = {
      ...subject.homeVisit(),
      type: 'iom.custody.received.v1',
      data: { establishment: 'HMP Birmingham', status: 'remand' },
    };
    const noId = binary(subject.homeVisit());
    delete noId.headers!.ce_id;
    const after = subject.homeVisit();
    // One key, so one partition: the valid records after the poison must not be held up by it.
    const key = subject.ref;
    const poison = [
      {
        key,
        value: '{"specversion": "1.0", "id": ',
        headers: { 'content-type': 'application/cloudevents+json', 'x-partner-trace': 'abc' },
      },
      { ...structured(unknownType), key },
      { ...structured(stranger.homeVisit()), key },
      { ...structured(wrongSource), key },
      { ...structured(notPolice), key },
      { key, value: JSON.stringify(subject.homeVisit()) },
      { ...noId, key },
    ];
    const expected = [
      ['invalid-json', 400],
      ['invalid-event', 422],
      ['invalid-event', 422],
      ['not-allowed', 403],
      ['not-allowed', 403],
      ['unknown-content-mode', 400],
      ['invalid-event', 422],
    ];
    const dlqTopic = deadLetterTopic(settings.topicPrefix);
    const before = dlq.messages.length;
    await producer.send({
      topic: policeTopic,
      messages: [{ ...structured(registration), key }, ...poison, { ...structured(after), key }],
    });

    await eventually(
      () => stored([registration, after]),
      (found) => found.length === 2,
      'the valid records to be stored',
    );
    const dead = await eventually(
      () => dlq.on(dlqTopic).slice(before),
      (found) => found.length >= poison.length,
      'the poison records to be dead-lettered',
    );
    expect(dead).toHaveLength(poison.length);

    const partition = dead[0]!.message.headers!['throughline-source-partition']!.toString();
    const offsets = dead.map(({ message }) =>
      Number(message.headers!['throughline-source-offset']!.toString()),
    );
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    for (const [i, { message }] of dead.entries()) {
      const original = poison[i]!;
      expect(message.key!.toString()).toBe(original.key);
      expect(message.value!.equals(Buffer.from(original.value!))).toBe(true);
      for (const [name, value] of Object.entries(original.headers ?? {}))
        expect(message.headers![name]!.toString()).toBe(value);
      const error = JSON.parse(message.headers!['throughline-error']!.toString()) as {
        reason: string;
        status: number;
        message: string;
        issues: unknown[];
      };
      expect([error.reason, error.status]).toEqual(expected[i]);
      expect(message.headers!['throughline-error-reason']!.toString()).toBe(error.reason);
      expect(message.headers!['throughline-source-topic']!.toString()).toBe(policeTopic);
      expect(message.headers!['throughline-source-partition']!.toString()).toBe(partition);
      if (error.status !== 400) expect(error.issues.length).toBeGreaterThan(0);
    }
    const issues = dead.map(
      ({ message }) =>
        JSON.parse(message.headers!['throughline-error']!.toString()) as { issues: { constraint: string }[] },
    );
    expect(issues.map((entry) => entry.issues.map((issue) => issue.constraint))).toEqual([
      [],
      ['knownType'],
      ['knownSubject'],
      ['boundSource'],
      ['publishingAuthority'],
      [],
      ['required'],
    ]);
    const subjectId = (await subject.subjectId(app.store, registration))!;
    expect(
      (await streamOf(app.store, subjectId)).map((e) => (e.metadata as unknown as EventMeta).ceId),
    ).toEqual([registration.id, after.id]);
  });

  it('does not dead-letter a valid record while the store is unavailable, and stores it once the store is back', async () => {
    const subject = new TestSubject();
    const registration = subject.registered();
    const dlqBefore = dlq.messages.length;
    const retriesBefore = consumer.stats.retries;
    // Another connection holds the write lock, as a long migration or a wedged writer would.
    const blocker = new Database(join(app.dataDir, 'events.db'));
    blocker.exec('BEGIN EXCLUSIVE');
    try {
      await producer.send({ topic: policeTopic, messages: [structured(registration)] });
      await eventually(
        () => consumer.stats.retries,
        (n) => n > retriesBefore,
        'an append to fail and be retried',
        60_000,
      );
      expect(await stored([registration])).toHaveLength(0);
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
    }
    await eventually(
      () => stored([registration]),
      (found) => found.length === 1,
      'the record to be stored after the store recovered',
      60_000,
    );
    expect(dlq.messages.length).toBe(dlqBefore);
  }, 90_000);
});

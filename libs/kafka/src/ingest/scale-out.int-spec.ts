import type { Producer } from 'kafkajs';
import type { EventMeta } from '@throughline/domain';
import { ingestTopic, type KafkaSettings } from '../kafka-settings';
import {
  type CloudEvent,
  createTopics,
  eventually,
  type KafkaTestApp,
  startKafkaTestApp,
  streamOf,
  structured,
  TestSubject,
  testKafka,
  testProducer,
  testSettings,
} from '../testing/kafka-test-kit';
import type { IngestConsumer } from './ingest-consumer';

const SUBJECTS = 60;
const EVENTS_PER_SUBJECT = 20;
const TOTAL = SUBJECTS * EVENTS_PER_SUBJECT;
const PARTITIONS = 6;

/** Each subject's events in the order its publisher sent them: a registration, then home visits. */
function journeys(): { subject: TestSubject; events: CloudEvent[] }[] {
  return Array.from({ length: SUBJECTS }, (_, s) => {
    const subject = new TestSubject();
    const events = Array.from({ length: EVENTS_PER_SUBJECT }, (_, seq) =>
      seq === 0 ? subject.registered(`s${s}-e${seq}`) : subject.homeVisit(`s${s}-e${seq}`),
    );
    return { subject, events };
  });
}

describe('two workers in one consumer group (real broker)', () => {
  let settings: KafkaSettings;
  let app: KafkaTestApp;
  let producer: Producer;

  beforeAll(async () => {
    // Small chunks, so a member is stopped while it still has work in hand.
    settings = testSettings({ agencies: ['police'], batchSize: 25 });
    await createTopics(settings, PARTITIONS);
    app = await startKafkaTestApp(settings);
    producer = await testProducer();
  }, 60_000);

  afterAll(async () => {
    await producer?.disconnect();
    await app?.close();
  }, 60_000);

  it('shares the partitions, and a rebalance mid-run stores every record exactly once in per-subject order', async () => {
    const topic = ingestTopic(settings.topicPrefix, 'police');
    const a: IngestConsumer = await app.ingestion.createConsumer('worker-a');
    const b: IngestConsumer = await app.ingestion.createConsumer('worker-b');
    await Promise.all([a.start(), b.start()]);
    const held = (member: IngestConsumer): number => member.assigned[topic]?.length ?? 0;
    await eventually(
      () => [held(a), held(b)],
      ([x, y]) => x! > 0 && y! > 0 && x! + y! === PARTITIONS,
      'both members to hold partitions',
    );

    const all = journeys();
    // Interleaved by position in the journey, so every partition carries several subjects at once.
    const wave = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) =>
        all.map(({ events }) => structured(events[from + i]!)),
      ).flat();
    const half = EVENTS_PER_SUBJECT / 2;
    await producer.send({ topic, messages: wave(0, half) });

    const storedSoFar = (): number => a.stats.stored + b.stats.stored;
    await eventually(
      storedSoFar,
      (n) => n >= TOTAL / 8 && a.stats.stored > 0 && b.stats.stored > 0,
      'both members to have stored some events',
    );
    // Worker A leaves mid-run while the second half is being published: B inherits its partitions.
    const leaving = app.ingestion.stop(a);
    await producer.send({ topic, messages: wave(half, EVENTS_PER_SUBJECT) });
    await leaving;
    await eventually(storedSoFar, (n) => n >= TOTAL, `all ${TOTAL} events to be stored`, 60_000);
    expect(held(b)).toBe(PARTITIONS);

    // Exactly once: a redelivered record comes back as a duplicate and is not stored again.
    expect(storedSoFar()).toBe(TOTAL);
    for (const { subject, events } of all) {
      const subjectId = await subject.subjectId(app.store, events[0]!);
      const stream = await streamOf(app.store, subjectId!);
      expect(stream.map((e) => (e.metadata as unknown as EventMeta).ceId)).toEqual(events.map((e) => e.id));
      expect(stream.map((e) => e.revision)).toEqual(events.map((_, i) => i));
    }

    // And every offset is committed, so a restarted group would not even see duplicates.
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const committed = await eventually(
        async () => (await admin.fetchOffsets({ groupId: settings.groupId, topics: [topic] }))[0]!.partitions,
        (partitions) => partitions.reduce((sum, p) => sum + Number(p.offset), 0) === TOTAL,
        'the group to have committed every offset',
      );
      const ends = await admin.fetchTopicOffsets(topic);
      expect(committed.map((p) => [p.partition, p.offset]).sort()).toEqual(
        ends.map((p) => [p.partition, p.offset]).sort(),
      );
    } finally {
      await admin.disconnect();
    }
  }, 120_000);
});

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
  testProducer,
  testSettings,
} from '../testing/kafka-test-kit';
import { PrivateBroker } from '../testing/private-broker';
import type { IngestConsumer } from './ingest-consumer';

const SUBJECTS = 30;
const EVENTS_PER_SUBJECT = 10;
const TOTAL = SUBJECTS * EVENTS_PER_SUBJECT;

describe('a broker crash and restart during consumption (real broker of its own)', () => {
  let broker: PrivateBroker;
  let settings: KafkaSettings;
  let app: KafkaTestApp;
  let consumer: IngestConsumer;
  let producer: Producer;

  beforeAll(async () => {
    broker = await PrivateBroker.create();
    await broker.start();
    settings = testSettings({ brokers: broker.brokers, agencies: ['police'], batchSize: 20 });
    await createTopics(settings);
    app = await startKafkaTestApp(settings);
    consumer = await app.ingestion.start();
    producer = await testProducer(broker.brokers);
  }, 180_000);

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await app?.close();
    await broker?.destroy();
  }, 120_000);

  it('loses nothing and stores nothing twice', async () => {
    const topic = ingestTopic(settings.topicPrefix, 'police');
    const all = Array.from({ length: SUBJECTS }, (_, s) => {
      const subject = new TestSubject();
      const events: CloudEvent[] = Array.from({ length: EVENTS_PER_SUBJECT }, (__, seq) =>
        seq === 0 ? subject.registered(`r${s}-${seq}`) : subject.homeVisit(`r${s}-${seq}`),
      );
      return { subject, events };
    });
    const wave = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) =>
        all.map(({ events }) => structured(events[from + i]!)),
      ).flat();
    const half = EVENTS_PER_SUBJECT / 2;

    await producer.send({ topic, messages: wave(0, half) });
    await eventually(
      () => consumer.stats.stored,
      (n) => n > 0,
      'consumption to begin',
    );
    // Killed mid-stream: the consumer is fetching, appending and committing as it goes down.
    await broker.kill();
    await broker.start();
    await producer.send({ topic, messages: wave(half, EVENTS_PER_SUBJECT) });

    await eventually(
      () => consumer.stats.stored,
      (n) => n >= TOTAL,
      `all ${TOTAL} events to be stored`,
      120_000,
    );
    expect(consumer.stats.stored).toBe(TOTAL);
    for (const { subject, events } of all) {
      const stream = await streamOf(app.store, (await subject.subjectId(app.store, events[0]!))!);
      expect(stream.map((e) => (e.metadata as unknown as EventMeta).ceId)).toEqual(events.map((e) => e.id));
    }
  }, 240_000);
});

import type { Producer } from 'kafkajs';
import { storedEventId } from '@throughline/ingestion';
import { ingestTopic, type KafkaSettings } from '../kafka-settings';
import {
  createTopics,
  eventually,
  type KafkaTestApp,
  startKafkaTestApp,
  structured,
  TestSubject,
  testProducer,
  testSettings,
} from '../testing/kafka-test-kit';

describe('the events a second of an agency topic (real broker)', () => {
  let settings: KafkaSettings;
  let app: KafkaTestApp;
  let producer: Producer;

  beforeAll(async () => {
    settings = testSettings({ batchSize: 50, eventsPerAgency: { perSecond: 100, burst: 50 } });
    await createTopics(settings, 1);
    app = await startKafkaTestApp(settings);
    producer = await testProducer();
  }, 60_000);

  afterAll(async () => {
    await producer?.disconnect();
    await app?.close();
  }, 60_000);

  it('consumes a topic over its rate more slowly, storing every record rather than refusing any', async () => {
    const subject = new TestSubject();
    const events = [subject.registered(), ...Array.from({ length: 249 }, () => subject.homeVisit())];
    await producer.send({
      topic: ingestTopic(settings.topicPrefix, 'police'),
      messages: events.map(structured),
    });
    const consumer = await app.ingestion.start();

    await eventually(
      () => app.store.findByIds(events.map((event) => storedEventId(event.source, event.id))),
      (found) => found.length === events.length,
      'every record stored',
    );

    // 250 events at 100 a second with 50 in hand: about two seconds of waiting, none dead-lettered.
    expect(consumer.stats.pacedMs).toBeGreaterThanOrEqual(1_500);
    expect(consumer.stats.deadLettered).toBe(0);
  });
});

import type { Producer } from 'kafkajs';
import { Metrics, type MetricsServer, serveMetrics } from '@throughline/platform';
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
import { CONSUMER_LAG_METRIC } from './consumer-lag';

/** The lag series of one topic as a scraper reads them from `/metrics`, by partition. */
async function scrapedLag(server: MetricsServer, group: string, topic: string): Promise<Map<number, number>> {
  const response = await fetch(`http://127.0.0.1:${server.port}/metrics`, {
    headers: { authorization: 'Bearer scrape-token' },
  });
  expect(response.status).toBe(200);
  const lags = new Map<number, number>();
  for (const line of (await response.text()).split('\n')) {
    const match = /^(\w+)\{([^}]*)\} (\d+)$/.exec(line);
    if (match?.[1] !== CONSUMER_LAG_METRIC) continue;
    const labels = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]));
    if (labels.group === group && labels.topic === topic)
      lags.set(Number(labels.partition), Number(match[3]));
  }
  return lags;
}

const total = (lags: Map<number, number>): number => [...lags.values()].reduce((sum, lag) => sum + lag, 0);

describe('the ingest consumer group lag on /metrics (real broker)', () => {
  let settings: KafkaSettings;
  let app: KafkaTestApp;
  let producer: Producer;
  let server: MetricsServer;

  beforeAll(async () => {
    // Paced to 40 events a second in chunks of 10, so a backlog of 120 takes seconds to drain.
    settings = testSettings({
      batchSize: 10,
      eventsPerAgency: { perSecond: 40, burst: 10 },
      lagIntervalMs: 100,
    });
    await createTopics(settings, 3);
    app = await startKafkaTestApp(settings);
    producer = await testProducer();
    server = await serveMetrics(app.app.get(Metrics).registry, {
      host: '127.0.0.1',
      port: 0,
      token: 'scrape-token',
    });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await producer?.disconnect();
    await app?.close();
  }, 60_000);

  it('reports every partition of the backlog, and falls to zero once the records are committed', async () => {
    const topic = ingestTopic(settings.topicPrefix, 'police');
    const subjects = Array.from({ length: 12 }, () => new TestSubject());
    const events = subjects.flatMap((subject) => [
      subject.registered(),
      ...Array.from({ length: 9 }, () => subject.homeVisit()),
    ]);
    await producer.send({ topic, messages: events.map(structured) });

    await app.ingestion.start();
    // Measured at start: nothing committed yet, so most of the backlog is still to do.
    const first = await app.ingestion.measureLag();
    expect(
      first
        .filter((entry) => entry.topic === topic)
        .map((entry) => entry.partition)
        .sort(),
    ).toEqual([0, 1, 2]);
    const early = await scrapedLag(server, settings.groupId, topic);
    expect([...early.keys()].sort()).toEqual([0, 1, 2]);
    expect(total(early)).toBeGreaterThan(events.length / 2);
    // Every agency's topic is reported, an idle one at zero.
    expect(
      total(await scrapedLag(server, settings.groupId, ingestTopic(settings.topicPrefix, 'prison'))),
    ).toBe(0);

    // The timer keeps measuring as the paced consumer commits its way through.
    const seen = new Set<number>([total(early)]);
    await eventually(
      async () => {
        const lag = total(await scrapedLag(server, settings.groupId, topic));
        seen.add(lag);
        return lag;
      },
      (lag) => lag === 0,
      'the lag to fall to zero',
      60_000,
    );
    // Falling through values in between, not jumping from the backlog to zero.
    expect([...seen].filter((lag) => lag > 0 && lag < total(early)).length).toBeGreaterThan(0);

    // Stopping ingestion stops the measuring (and its admin client) with the consumers.
    await app.ingestion.stop();
    await expect(app.ingestion.measureLag()).rejects.toThrow(/once ingestion has started/);
  });

  it('refuses a scrape without the token', async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(response.status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
  });
});

import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { EventStore, type RecordedEvent } from '@throughline/event-store';
import { loadConfig } from '@throughline/platform';
import { createWorker, type Worker } from './create-worker';

const PUBLISHER = join(__dirname, '..', '..', '..', 'infra', 'kafka', 'example-publisher', 'publish.js');

async function until<T>(
  probe: () => Promise<T> | T,
  holds: (value: T) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let value = await probe(); ; value = await probe()) {
    if (holds(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The worker process as `npm run worker` starts it, fed by the example agency publisher. */
describe('worker with Kafka (real broker)', () => {
  const prefix = `w${randomUUID().slice(0, 8)}`;
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const dataDir = mkdtempSync(join(tmpdir(), 'throughline-worker-'));
  const env = {
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_GROUP_ID: `${prefix}-ingest`,
    KAFKA_RELAY_GROUP_ID: `${prefix}-relay`,
    KAFKA_ALERTS_FROM: 'beginning',
  };
  let worker: Worker | undefined;
  let alerts: Consumer | undefined;

  afterAll(async () => {
    await alerts?.disconnect();
    await worker?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('stores what the example publisher sends and alerts police of the arrest', async () => {
    worker = await createWorker(loadConfig(env), env);
    expect(worker.kafka?.topicPrefix).toBe(prefix);

    const publish = (): Promise<string> =>
      new Promise<string>((resolve, reject) =>
        execFile(
          'node',
          [PUBLISHER],
          { env: { ...process.env, KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix }, timeout: 60_000 },
          (error, stdout, stderr) =>
            error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
        ),
      );
    // A topic the worker has just created may not have its leader everywhere yet: try the publisher again.
    const output = await publish().catch(() => publish());
    const subject = /about (pnc:\S+) to/.exec(output)?.[1];
    expect(subject).toBeDefined();

    const store = worker.app.get(EventStore);
    const about = async (): Promise<RecordedEvent[]> =>
      (await store.readAll()).filter((e) => e.metadata.subjectRef === subject);
    const stored = await until(
      about,
      (events) => events.length === 3,
      'the three published events to be stored',
    );
    expect(stored.map((e) => e.type)).toEqual([
      'iom.subject.registered.v1',
      'iom.arrest.recorded.v1',
      'iom.home-visit.recorded.v1',
    ]);

    const received: string[] = [];
    alerts = new Kafka({
      clientId: 'worker-test',
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
    }).consumer({ groupId: `${prefix}-reader` });
    await alerts.connect();
    const admin = new Kafka({
      clientId: 'worker-test-admin',
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      // Subscribe only once the alerts topic has a leader for every partition.
      await until(
        async () =>
          admin
            .fetchTopicMetadata({ topics: [`${prefix}.alerts.police`] })
            .then(({ topics }) => topics[0]?.partitions.every((partition) => partition.leader >= 0) ?? false)
            .catch(() => false),
        (ready) => ready,
        'the police alerts topic to have leaders',
      );
    } finally {
      await admin.disconnect();
    }
    await alerts.subscribe({ topics: [`${prefix}.alerts.police`], fromBeginning: true });
    await alerts.run({ eachMessage: async ({ message }) => void received.push(message.value!.toString()) });
    const [alert] = await until(
      () => received,
      (list) => list.length > 0,
      'an alert on the police topic',
    );
    expect(JSON.parse(alert!)).toMatchObject({
      type: 'iom.alert.arrest.v1',
      data: { agency: 'police', eventId: stored[1]!.id },
    });
    // The relay runs on the projections thread and reports there what it has sent.
    const relay = await until(
      () => worker!.relay(),
      (progress) => (progress?.position ?? 0) >= stored[2]!.position,
      'the relay to report the position it reached',
    );
    expect(relay).toMatchObject({ role: 'leader' });
    expect(relay!.sent).toBeGreaterThanOrEqual(1);
  }, 90_000);
});

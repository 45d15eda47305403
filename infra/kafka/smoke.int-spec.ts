import { randomUUID } from 'node:crypto';
import { type Admin, type Consumer, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { type KafkaBroker, startKafka } from './broker';

const KEYS = 10;
const PER_KEY = 10;
const TOTAL = KEYS * PER_KEY;
const ARRIVAL_TIMEOUT_MS = 30_000;

interface Received {
  key: string;
  seq: number;
  partition: number;
}

/**
 * Proves the broker recipe end to end with the client the apps use: topic admin, keyed
 * produce, and a consumer group that sees every message exactly once in per-key order.
 */
describe('local Kafka broker', () => {
  let broker: KafkaBroker;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer;
  const runId = randomUUID();
  const topic = `smoke-${runId}`;

  // Starts its own broker when run without the global setup; a cold first run downloads jars.
  beforeAll(async () => {
    broker = await startKafka();
    const kafka = new Kafka({
      clientId: 'broker-smoke',
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
    });
    admin = kafka.admin();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    consumer = kafka.consumer({ groupId: `smoke-${runId}` });
    await Promise.all([admin.connect(), producer.connect(), consumer.connect()]);
  }, 180_000);

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    // The broker may be a long-lived shared one, so leave it as we found it.
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
    await broker?.stop();
  }, 60_000);

  it('delivers every keyed message once, in order per key, across partitions', async () => {
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    expect(created).toBe(true);

    const received: Received[] = [];
    let allArrived!: () => void;
    let gaveUp: NodeJS.Timeout | undefined;
    const arrived = new Promise<void>((resolve, reject) => {
      allArrived = resolve;
      // Fails with a count, instead of a bare Jest timeout, if delivery stalls.
      gaveUp = setTimeout(
        () => reject(new Error(`only ${received.length}/${TOTAL} messages arrived`)),
        ARRIVAL_TIMEOUT_MS,
      );
    });

    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push({ key: message.key!.toString(), seq: Number(message.value!.toString()), partition });
        if (received.length === TOTAL) allArrived();
      },
    });

    // Keys interleave so each partition carries several keys, which is where ordering bugs hide.
    // Sequential sends keep the produce order deterministic.
    for (let seq = 0; seq < PER_KEY; seq++) {
      await producer.send({
        topic,
        messages: Array.from({ length: KEYS }, (_, k) => ({ key: `key-${k}`, value: String(seq) })),
      });
    }

    await arrived.finally(() => clearTimeout(gaveUp));
    // Stop fetching before counting, so a redelivered duplicate would show up as an extra message.
    await consumer.stop();

    expect(received).toHaveLength(TOTAL);
    const byKey = new Map<string, Received[]>();
    for (const r of received) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
    expect([...byKey.keys()].sort()).toEqual(Array.from({ length: KEYS }, (_, k) => `key-${k}`).sort());
    for (const [key, messages] of byKey) {
      expect({ key, seqs: messages.map((m) => m.seq) }).toEqual({
        key,
        seqs: Array.from({ length: PER_KEY }, (_, i) => i),
      });
      expect(new Set(messages.map((m) => m.partition)).size).toBe(1);
    }
    expect(new Set(received.map((r) => r.partition)).size).toBeGreaterThan(1);
  }, 60_000);
});

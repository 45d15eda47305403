import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Message, Partitioners, type Producer } from 'kafkajs';
import type { DemoCloudEvent, DemoPublication } from '@throughline/demo';
import { DEFAULT_AGENCIES } from '@throughline/domain';
import { alertsTopic, ingestTopic, STRUCTURED_CONTENT_TYPE } from '@throughline/kafka';
import type { Scratch } from './scratch';

/** Partitions per ingest and alert topic: a few, so the worker consumes several at once. */
export const PARTITIONS = 3;
/** Records per produce request: large enough that producing takes little time beside consuming. */
const SEND_CHUNK = 1_000;

const REGISTERED = 'iom.subject.registered.v1';
const LINKED = 'iom.subject.identifier-linked.v1';

/** Topic and group names of one backend's run, unique so repeated runs on one broker never meet. */
export interface KafkaNames {
  readonly prefix: string;
  readonly ingestGroup: string;
  readonly relayGroup: string;
  readonly collectorGroup: string;
}

export function kafkaNames(): KafkaNames {
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  return {
    prefix,
    ingestGroup: `${prefix}-ingest`,
    relayGroup: `${prefix}-alerts-relay`,
    collectorGroup: `${prefix}-alert-latency`,
  };
}

export const benchKafka = (brokers: readonly string[]): Kafka =>
  new Kafka({ clientId: 'throughline-bench', brokers: [...brokers], logLevel: logLevel.NOTHING });

/**
 * Creates the ingest and alert topics with a known partition count (auto-creation would take the
 * broker's default), and registers the deletion of every topic and group of the run, so that a run
 * against a long-lived broker leaves nothing on it.
 */
export async function createTopics(scratch: Scratch, kafka: Kafka, names: KafkaNames): Promise<void> {
  scratch.defer(`delete Kafka topics ${names.prefix}.*`, () => deleteRun(kafka, names));
  const topics = DEFAULT_AGENCIES.flatMap((agency) => [
    ingestTopic(names.prefix, agency),
    alertsTopic(names.prefix, agency),
  ]);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

async function deleteRun(kafka: Kafka, names: KafkaNames): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(`${names.prefix}.`));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    // A group that never committed does not exist; that is not a failure of the clean-up.
    await admin
      .deleteGroups([names.ingestGroup, names.relayGroup, names.collectorGroup])
      .catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

/** Idempotent with one request in flight, as the platform's own producers: order is kept on retry. */
export async function connectProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}

/** Structured mode, keyed by the subject reference so that one subject's events share a partition. */
export const structuredRecord = (event: DemoCloudEvent): Message => ({
  key: event.subject,
  value: JSON.stringify(event),
  headers: { 'content-type': STRUCTURED_CONTENT_TYPE },
});

/** Produces the publications to their agencies' ingest topics in order, acknowledged by all replicas. */
export async function publish(
  producer: Producer,
  prefix: string,
  publications: readonly DemoPublication[],
): Promise<void> {
  for (let start = 0; start < publications.length; start += SEND_CHUNK) {
    const byTopic = new Map<string, Message[]>();
    for (const { agency, event } of publications.slice(start, start + SEND_CHUNK)) {
      const topic = ingestTopic(prefix, agency);
      const messages = byTopic.get(topic) ?? [];
      messages.push(structuredRecord(event));
      byTopic.set(topic, messages);
    }
    await producer.sendBatch({
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      acks: -1,
    });
  }
}

/** The demo in the waves a partnership's systems would publish it in. */
export interface DemoWaves {
  readonly registrations: readonly DemoPublication[];
  readonly links: readonly DemoPublication[];
  readonly activity: readonly DemoPublication[];
}

/**
 * An event about a subject is refused until the subject is known, and Kafka orders records only
 * within a partition: a probation event about a subject the police topic registers may be read
 * first, and would be dead-lettered. So identity goes in waves (every registration, then every
 * link, which in the demo name subjects by registered identifiers), each stored before the next
 * is consumed, and the rest follows, each agency's events in time order.
 */
export function demoWaves(publications: readonly DemoPublication[]): DemoWaves {
  return {
    registrations: publications.filter((p) => p.event.type === REGISTERED),
    links: publications.filter((p) => p.event.type === LINKED),
    activity: publications.filter((p) => p.event.type !== REGISTERED && p.event.type !== LINKED),
  };
}

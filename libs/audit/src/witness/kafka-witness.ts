import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { KafkaSecurity } from '@throughline/platform';
import type { AuditCheckpoint } from '../domain/disclosure';
import { type AuditWitness, parseWitnessLine, witnessLine } from './audit-witness';

/** The longest a verification waits to read the topic back to its end. */
const READ_TIMEOUT_MS = 30_000;

/**
 * A Kafka topic of one partition, keyed by seq, to which each signed checkpoint is sent with
 * acks from every in-sync replica. The brokers are another party's storage (KAFKA_BROKERS): the
 * topic outlives anything done to DATA_DIR or the database, so long as its retention keeps it
 * (decision 0024). The client's own retries are short: the publisher retries, off the reads' path.
 */
export class KafkaWitness implements AuditWitness {
  readonly name: string;
  private readonly kafka: Kafka;
  private producer: Promise<Producer> | undefined;

  constructor(
    brokers: readonly string[],
    private readonly topic: string,
    quiet = false,
    security?: KafkaSecurity,
  ) {
    this.name = `kafka topic ${topic}`;
    this.kafka = new Kafka({
      clientId: 'throughline-audit-witness',
      brokers: [...brokers],
      ssl: security?.ssl,
      sasl: security?.sasl,
      logLevel: quiet ? logLevel.NOTHING : logLevel.ERROR,
      retry: { initialRetryTime: 300, maxRetryTime: 3_000, retries: 3 },
    });
  }

  async publish(checkpoint: AuditCheckpoint): Promise<void> {
    const producer = await this.connected();
    await producer.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key: String(checkpoint.seq), value: witnessLine(checkpoint), partition: 0 }],
    });
  }

  private connected(): Promise<Producer> {
    this.producer ??= (async () => {
      await this.ensureTopic();
      const producer = this.kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      return producer;
    })();
    // A failed connection is tried afresh next time.
    const producer = this.producer;
    producer.catch(() => {
      if (this.producer === producer) this.producer = undefined;
    });
    return producer;
  }

  private async ensureTopic(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(this.topic))
        await admin.createTopics({
          topics: [{ topic: this.topic, numPartitions: 1 }],
          waitForLeaders: true,
        });
    } finally {
      await admin.disconnect();
    }
  }

  /** Reads the topic from its start to the end it had when the read began. */
  async read(): Promise<{ checkpoints: AuditCheckpoint[]; unreadable: number }> {
    const admin = this.kafka.admin();
    await admin.connect();
    let ends: Map<number, string>;
    try {
      if (!(await admin.listTopics()).includes(this.topic)) return { checkpoints: [], unreadable: 0 };
      const offsets = await admin.fetchTopicOffsets(this.topic);
      ends = new Map(
        offsets
          .filter((offset) => BigInt(offset.high) > BigInt(offset.low))
          .map((offset) => [offset.partition, (BigInt(offset.high) - 1n).toString()]),
      );
    } finally {
      await admin.disconnect();
    }
    const checkpoints: AuditCheckpoint[] = [];
    let unreadable = 0;
    if (ends.size === 0) return { checkpoints, unreadable };
    const groupId = `${this.topic}.verify.${randomUUID().slice(0, 8)}`;
    const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    let timer: NodeJS.Timeout | undefined;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${this.name} was not read to its end within ${READ_TIMEOUT_MS} ms`)),
          READ_TIMEOUT_MS,
        );
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const checkpoint = parseWitnessLine(message.value?.toString('utf8') ?? '');
              if (checkpoint) checkpoints.push(checkpoint);
              else unreadable++;
              if (BigInt(message.offset) >= BigInt(ends.get(partition) ?? '-1')) ends.delete(partition);
              if (ends.size === 0) resolve();
            },
          })
          .catch(reject);
      });
      return { checkpoints, unreadable };
    } finally {
      clearTimeout(timer);
      await consumer.disconnect().catch(() => undefined);
      await this.deleteGroup(groupId);
    }
  }

  /** The reading group committed nothing; removing it leaves nothing behind on the broker. */
  private async deleteGroup(groupId: string): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([groupId]);
    } catch {
      // An empty group with no offsets is removed by the broker in time anyway.
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await (await producer.catch(() => undefined))?.disconnect();
  }
}

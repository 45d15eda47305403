import { randomUUID } from 'node:crypto';
import { type Kafka, type Message, Partitioners, type Producer, type TopicMessages } from 'kafkajs';

/** Key of the records that say how far the relay has delivered (`{ position }`). */
const DELIVERED = 'delivered';
/** Key of the record a new holder commits before it reads the topic back. */
const TAKEOVER = 'takeover';
/**
 * A transaction left open this long (its holder died, and no other took over) is aborted by the
 * broker, so read_committed consumers of the alert topics are not held back past it. A relay's
 * transaction holds only sends and a commit: it is decided and recorded before it begins.
 */
const TRANSACTION_TIMEOUT_MS = 30_000;
/** How long reading the checkpoint topic back may take before the takeover is given up and retried. */
const READ_BACK_TIMEOUT_MS = 60_000;

/** Who commits a record: the relay's owner name and the token of the lease it holds. */
export interface RelayHolder {
  readonly owner: string;
  readonly token: number;
}

/**
 * The relay's side of the broker: one transactional producer, whose transactional id is the same
 * in every worker of a deployment (`KAFKA_RELAY_GROUP_ID`), and the one-partition, compacted
 * checkpoint topic. Each batch's alerts go out in one transaction with a record of the log position
 * they reach, so a read_committed consumer sees the alerts and the position together or neither.
 * A holder uses one instance for its whole tenure; after any failure it starts another, because a
 * failed commit may or may not have happened and only reading the topic back tells.
 */
export class RelayProducer {
  private constructor(
    private readonly kafka: Kafka,
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  static async connect(kafka: Kafka, transactionalId: string, topic: string): Promise<RelayProducer> {
    await ensureCheckpointTopic(kafka, topic);
    const producer = kafka.producer({
      transactionalId,
      // Idempotent, one request in flight, acks from all in-sync replicas: what transactions need;
      // a retried send is neither duplicated nor reordered by the broker.
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: TRANSACTION_TIMEOUT_MS,
      // The next transaction, begun as the last one's commit returns, is refused (retriably) until
      // the broker has written that commit's markers, a few milliseconds: a short first wait keeps
      // that from adding the client's usual 300 ms to an alert. Bounded (about 40 s in all), so a
      // holder cut off from the broker gives its batch up and starts again.
      retry: { initialRetryTime: 25, retries: 12 },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    return new RelayProducer(kafka, producer, topic);
  }

  /**
   * Fences every earlier holder and answers the last position a committed transaction delivered
   * (undefined if none ever did). This producer's first transaction makes the broker bump the
   * transactional id's epoch: a transaction an earlier holder left open is aborted (one being
   * committed is finished first), and that holder's later sends and commits are refused. The
   * takeover record committed here then bounds the read: once a read_committed reader sees it, it
   * has seen every transaction committed before, and none can commit after.
   */
  async takeOver(groupPrefix: string, holder: RelayHolder): Promise<number | undefined> {
    const nonce = randomUUID();
    await this.commit([
      {
        topic: this.topic,
        messages: [this.record(TAKEOVER, { ...holder, nonce, at: new Date().toISOString() })],
      },
    ]);
    return this.readBack(`${groupPrefix}.checkpoint.${nonce.slice(0, 8)}`, nonce);
  }

  /** The alerts and the position they reach, in one transaction: delivered together or not at all. */
  async deliver(alerts: readonly TopicMessages[], position: number, holder: RelayHolder): Promise<void> {
    await this.commit([
      ...alerts,
      {
        topic: this.topic,
        messages: [this.record(DELIVERED, { ...holder, position, at: new Date().toISOString() })],
      },
    ]);
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }

  private async commit(topicMessages: TopicMessages[]): Promise<void> {
    const transaction = await this.producer.transaction();
    try {
      await transaction.sendBatch({ topicMessages, acks: -1 });
      await transaction.commit();
    } catch (error) {
      // After a failed commit this is refused too; the next holder's read-back settles it either way.
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  private record(key: string, value: Record<string, unknown>): Message {
    return { key, value: JSON.stringify(value), partition: 0 };
  }

  /** Reads the topic from its start, read_committed, until the takeover record `nonce`. */
  private async readBack(groupId: string, nonce: string): Promise<number | undefined> {
    const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    let delivered: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
      const reached = new Promise<void>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the takeover record did not come back within ${READ_BACK_TIMEOUT_MS} ms`)),
          READ_BACK_TIMEOUT_MS,
        );
        void consumer.run({
          autoCommit: false,
          eachMessage: async ({ message }) => {
            const value = parseRecord(message.value);
            const key = message.key?.toString();
            if (key === DELIVERED && typeof value?.position === 'number')
              delivered = Math.max(delivered ?? 0, value.position);
            else if (key === TAKEOVER && value?.nonce === nonce) resolve();
          },
        });
      });
      await reached;
      return delivered;
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
}

const parseRecord = (value: Buffer | null): Record<string, unknown> | undefined => {
  try {
    const parsed: unknown = JSON.parse(value?.toString('utf8') ?? '');
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * One partition, so the records keep their order; compacted, with small segments, so that reading
 * it back at a takeover reads little more than the last record of each key.
 */
async function ensureCheckpointTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(topic)) return;
    // Answers false, rather than failing, when another worker created it meanwhile.
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'segment.ms', value: String(10 * 60_000) },
            { name: 'segment.bytes', value: String(1024 * 1024) },
            { name: 'min.cleanable.dirty.ratio', value: '0.1' },
          ],
        },
      ],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

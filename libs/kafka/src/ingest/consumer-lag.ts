import { Logger } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import type { Gauge } from 'prom-client';
import type { Metrics } from '@throughline/platform';
import { errorText } from '../delay';

export const CONSUMER_LAG_METRIC = 'throughline_kafka_consumer_lag';

/** One partition's lag: records on the partition that the group has not committed past. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

/**
 * Measures a consumer group's lag on its topics, every partition, on a timer: the high watermark
 * less the group's committed offset (its start, the low watermark, while it has committed nothing:
 * the group reads from the earliest record). Offsets are committed only once a chunk is durable,
 * so this is what a crash would leave to do. The group's view, whichever member holds a partition:
 * every worker process reports the same figures (take the max across instances, not the sum).
 * Two admin requests a round, however many records flow.
 */
export class ConsumerLag {
  private readonly logger = new Logger(ConsumerLag.name);
  private readonly gauge: Gauge<'group' | 'topic' | 'partition'>;
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<PartitionLag[]> | undefined;
  private lastFailure: string | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly topics: readonly string[],
    metrics: Metrics,
  ) {
    this.gauge = metrics.gauge(
      CONSUMER_LAG_METRIC,
      'Records on a partition of the ingest topics not yet committed by the consumer group (high watermark less committed offset)',
      ['group', 'topic', 'partition'],
    );
  }

  /** Measures now and then every `intervalMs`, until `stop()`. */
  start(intervalMs: number): void {
    if (this.timer) return;
    void this.measure().catch(() => undefined);
    this.timer = setInterval(() => void this.measure().catch(() => undefined), intervalMs);
    // Never what keeps a process alive: a stop that forgets it still exits.
    this.timer.unref();
  }

  /** One measurement, shared by callers that overlap; a failure is logged once until it changes. */
  measure(): Promise<PartitionLag[]> {
    this.inFlight ??= this.fetch().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight?.catch(() => undefined);
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect();
  }

  private async fetch(): Promise<PartitionLag[]> {
    try {
      const admin = await this.connected();
      const [committed, ...ends] = await Promise.all([
        admin.fetchOffsets({ groupId: this.groupId, topics: [...this.topics] }),
        ...this.topics.map((topic) => admin.fetchTopicOffsets(topic)),
      ]);
      const lags: PartitionLag[] = [];
      this.topics.forEach((topic, index) => {
        const done = new Map(
          (committed.find((entry) => entry.topic === topic)?.partitions ?? []).map((entry) => [
            entry.partition,
            BigInt(entry.offset),
          ]),
        );
        for (const { partition, high, low } of ends[index] ?? []) {
          // -1: nothing committed yet, so everything still on the partition is to do.
          const from = done.get(partition) ?? -1n;
          const start = from < 0n ? BigInt(low) : from;
          const lag = BigInt(high) > start ? Number(BigInt(high) - start) : 0;
          this.gauge.set({ group: this.groupId, topic, partition: String(partition) }, lag);
          lags.push({ topic, partition, lag });
        }
      });
      this.lastFailure = undefined;
      return lags;
    } catch (error) {
      const text = errorText(error);
      if (text !== this.lastFailure) this.logger.warn(`Could not measure the consumer lag: ${text}`);
      this.lastFailure = text;
      throw error;
    }
  }

  private async connected(): Promise<Admin> {
    if (this.admin) return this.admin;
    const admin = this.kafka.admin();
    await admin.connect();
    this.admin = admin;
    return admin;
  }
}

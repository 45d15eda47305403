import { Logger } from '@nestjs/common';
import type { Consumer, Kafka } from 'kafkajs';
import { errorText } from '../delay';

export interface LeaseHolder {
  acquired(): Promise<void>;
  released(): Promise<void>;
}

/**
 * Single-active leadership through a Kafka consumer group: every worker joins the group on a
 * one-partition topic that never carries a record, and the member assigned partition 0 holds the
 * lease. When the holder stops or stops heartbeating, the group rebalances and another worker
 * takes over. A rebalance may briefly leave two holders; the relay's deterministic alert ids and
 * checkpoint make that a possible repeat, never a loss.
 */
export class RelayLease {
  private readonly logger = new Logger(RelayLease.name);
  private readonly consumer: Consumer;
  private holding = false;
  // Transitions run one after another, in the order the group events arrived.
  private transitions: Promise<void> = Promise.resolve();
  private stopped = false;
  private assigned = false;
  private member = false;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly topic: string,
    private readonly holder: LeaseHolder,
  ) {
    this.consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 1_000 });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.member = true;
      this.assigned = (payload.memberAssignment[topic] ?? []).includes(0);
      this.transition(this.assigned);
    });
    // Every member hears of a rebalance before the new assignment; letting go at once keeps the
    // overlap between the old and the new holder short.
    this.consumer.on(this.consumer.events.REBALANCING, () => this.transition((this.assigned = false)));
    this.consumer.on(this.consumer.events.CRASH, () => {
      this.member = false;
      this.transition((this.assigned = false));
    });
  }

  get held(): boolean {
    return this.holding;
  }

  /** In the group (holding the lease or standing by to take it over). */
  get joined(): boolean {
    return this.member;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.ensureTopic();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.topic] });
    await this.consumer.run({ autoCommit: false, eachBatch: async () => undefined });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.member = false;
    clearTimeout(this.retry);
    await this.consumer.disconnect();
    this.transition(false);
    await this.transitions;
  }

  private transition(hold: boolean): void {
    this.transitions = this.transitions.then(async () => {
      const next = hold && !this.stopped;
      if (next === this.holding) return;
      this.holding = next;
      try {
        if (next) await this.holder.acquired();
        else await this.holder.released();
      } catch (error) {
        this.logger.error(`Lease ${next ? 'acquisition' : 'release'} failed: ${errorText(error)}`);
        if (next) {
          // Not holding after all; try again while the partition is still ours.
          this.holding = false;
          clearTimeout(this.retry);
          this.retry = setTimeout(() => this.transition(this.assigned), 5_000);
        }
      }
    });
  }

  /** One partition is what makes this a lease; an auto-created topic would get the broker default. */
  private async ensureTopic(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = await admin.listTopics();
      if (!existing.includes(this.topic)) {
        await admin.createTopics({ topics: [{ topic: this.topic, numPartitions: 1 }], waitForLeaders: true });
      }
    } finally {
      await admin.disconnect();
    }
  }
}

import { Logger } from '@nestjs/common';
import {
  type Consumer,
  type EachBatchPayload,
  type IMemberAssignment,
  type Kafka,
  Partitioners,
  type Producer,
} from 'kafkajs';
import type { IngestEventsService } from '@throughline/ingestion';
import { RateLimiter } from '@throughline/platform';
import { backoffMs, delay, errorText } from '../delay';
import { createKafkaClient, ensureTopics } from '../kafka-client';
import { agencyOfIngestTopic, deadLetterTopic, ingestTopic, type KafkaSettings } from '../kafka-settings';
import { type ChunkOutcome, RecordIngester } from './ingest-records';

export interface IngestStats {
  stored: number;
  duplicates: number;
  deadLettered: number;
  /** Chunks whose offsets were committed. */
  chunks: number;
  /** Attempts that failed for a reason that was not the records' (and were retried). */
  retries: number;
  /** Milliseconds spent waiting because an agency's topic ran over its events a second. */
  pacedMs: number;
}

/**
 * One member of the ingest consumer group: its own kafkajs client, consumer and DLQ producer, so
 * several in one process behave exactly like several worker processes.
 *
 * A partition's records are handled in offset order, a chunk at a time: decode, append through the
 * ingestion use case, dead-letter what was refused, and only then resolve and commit the chunk's
 * offsets. A crash anywhere before the commit means redelivery, which idempotent ingestion absorbs.
 */
export class IngestConsumer {
  readonly stats: IngestStats = {
    stored: 0,
    duplicates: 0,
    deadLettered: 0,
    chunks: 0,
    retries: 0,
    pacedMs: 0,
  };
  private readonly logger: Logger;
  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly records: RecordIngester;
  private readonly stopping = new AbortController();
  private assignment: IMemberAssignment = {};
  private started = false;

  constructor(
    private readonly settings: KafkaSettings,
    private readonly agencies: readonly string[],
    ingestion: IngestEventsService,
    readonly name = 'ingest',
    private readonly onFatal: (error: Error) => void = () => undefined,
    private readonly pace = new RateLimiter(settings.eventsPerAgency),
  ) {
    this.logger = new Logger(`IngestConsumer:${name}`);
    const kafka = createKafkaClient(settings, name);
    this.kafka = kafka;
    this.consumer = kafka.consumer({
      groupId: settings.groupId,
      // The fetch long-poll also bounds how long a stop waits, so keep it short.
      maxWaitTimeInMs: 1_000,
    });
    // Idempotent with one request in flight: a retried DLQ send is neither duplicated nor reordered.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.records = new RecordIngester(settings, ingestion);
    this.consumer.on(
      this.consumer.events.GROUP_JOIN,
      ({ payload }) => (this.assignment = payload.memberAssignment),
    );
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      // kafkajs restarts itself after retriable errors; anything else leaves this member dead.
      if (!payload.restart && !this.stopping.signal.aborted) this.onFatal(payload.error);
    });
  }

  get topics(): string[] {
    return this.agencies.map((agency) => ingestTopic(this.settings.topicPrefix, agency));
  }

  /** Partitions this member holds since the last rebalance, by topic. */
  get assigned(): IMemberAssignment {
    return this.assignment;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      const created = await ensureTopics(this.kafka, [
        ...this.topics,
        deadLetterTopic(this.settings.topicPrefix),
      ]);
      if (created.length > 0) this.logger.log(`Created topics ${created.join(', ')}`);
    } catch (error) {
      // Without the right to create topics, they must exist already; subscribing will say if not.
      this.logger.warn(`Could not check or create the ingest topics: ${errorText(error)}`);
    }
    await this.producer.connect();
    await this.consumer.connect();
    // A new group reads from the earliest record: nothing a partner published before the first
    // worker started is skipped.
    await this.subscribe();
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.settings.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.logger.log(`Consuming ${this.topics.join(', ')} as group ${this.settings.groupId}`);
  }

  /** A topic created a moment ago may not be in every broker's metadata yet: retry briefly. */
  private async subscribe(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
      } catch (error) {
        const retriable = (error as { retriable?: unknown }).retriable === true;
        if (!retriable || attempt >= 20 || !(await delay(backoffMs(attempt, 2_000), this.stopping.signal)))
          throw error;
      }
    }
  }

  /** Leaves the group after the chunk in hand; unfinished work is redelivered to another member. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const agency = agencyOfIngestTopic(this.settings.topicPrefix, batch.topic);
    if (!agency) throw new Error(`${batch.topic} is not an ingest topic`);
    const size = this.settings.batchSize;
    for (let start = 0; start < batch.messages.length; start += size) {
      if (!payload.isRunning() || payload.isStale()) return;
      const messages = batch.messages.slice(start, start + size);
      if (!(await this.paced(payload, agency, messages.length))) return;
      const outcome = await this.untilDone(payload, () =>
        this.process({ topic: batch.topic, partition: batch.partition, agency, messages }),
      );
      // Stopping or rebalancing: leave the offsets where they are, so the chunk is redelivered.
      if (!outcome) return;
      payload.resolveOffset(messages[messages.length - 1]!.offset);
      // Committed only now, after the appends and the DLQ sends have been acknowledged.
      await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
      this.stats.chunks++;
      await payload.heartbeat();
    }
  }

  /**
   * Holds a chunk back while its agency's topic is over its events a second. The records are
   * already fetched, so they are charged in full and the wait repays the debt; a consumer that
   * waits fetches nothing more meanwhile, so the backlog stays in Kafka, not in memory. Answers
   * false when stopping or rebalancing interrupted the wait.
   */
  private async paced(payload: EachBatchPayload, agency: string, count: number): Promise<boolean> {
    let wait = this.pace.takeOrOwe(agency, count);
    while (wait > 0) {
      // Short waits with a heartbeat between them keep the membership alive through a long debt.
      const step = Math.min(wait, 1_000);
      this.stats.pacedMs += step;
      if (!(await delay(step, this.stopping.signal))) return false;
      if (!payload.isRunning() || payload.isStale()) return false;
      await payload.heartbeat();
      wait -= step;
    }
    return true;
  }

  private async process(chunk: Parameters<RecordIngester['ingest']>[0]): Promise<ChunkOutcome> {
    const outcome = await this.records.ingest(chunk);
    // Counted once durable, whether or not the commit that follows succeeds.
    this.stats.stored += outcome.stored;
    this.stats.duplicates += outcome.duplicates;
    if (outcome.deadLetters.length > 0) {
      await this.producer.send({
        topic: deadLetterTopic(this.settings.topicPrefix),
        messages: [...outcome.deadLetters],
        acks: -1,
      });
      this.stats.deadLettered += outcome.deadLetters.length;
      this.logger.warn(
        `${outcome.deadLetters.length} record(s) from ${chunk.topic}/${chunk.partition} sent to the dead-letter topic`,
      );
    }
    return outcome;
  }

  /**
   * Retries a chunk after a failure that is not the record's fault (store unavailable, broker
   * unreachable): dead-lettering a valid event would lose it, so the partition waits instead. The
   * retry re-runs the whole chunk; events already appended come back as duplicates.
   */
  private async untilDone(
    payload: EachBatchPayload,
    work: () => Promise<ChunkOutcome>,
  ): Promise<ChunkOutcome | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        this.stats.retries++;
        const wait = backoffMs(attempt);
        this.logger.warn(
          `Chunk of ${payload.batch.topic}/${payload.batch.partition} failed (${errorText(error)}); retrying in ${wait} ms`,
        );
        if (!(await delay(wait, this.stopping.signal))) return undefined;
        if (!payload.isRunning() || payload.isStale()) return undefined;
        // Keeps the membership alive through a long outage; throws if the group is rebalancing.
        await payload.heartbeat();
      }
    }
  }
}

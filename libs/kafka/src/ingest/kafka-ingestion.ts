import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { DEFAULT_AGENCIES } from '@throughline/domain';
import { IngestEventsService } from '@throughline/ingestion';
import { Metrics, RateLimiter } from '@throughline/platform';
import { AgreementService } from '@throughline/sharing';
import { createKafkaClient } from '../kafka-client';
import { KAFKA_SETTINGS, type KafkaSettings } from '../kafka-settings';
import { ConsumerLag, type PartitionLag } from './consumer-lag';
import { IngestConsumer } from './ingest-consumer';

/**
 * Ingestion from the agency topics. `start()` joins the group with one consumer; tests and
 * benchmarks can add members with `createConsumer()`. Every member is stopped on shutdown, before
 * the ingestion use case drains and the store closes.
 */
@Injectable()
export class KafkaIngestion implements BeforeApplicationShutdown {
  private readonly logger = new Logger(KafkaIngestion.name);
  private readonly consumers = new Set<IngestConsumer>();
  /** One bucket per agency topic for every member in this process, however partitions are spread. */
  private readonly pace: RateLimiter;
  /** The group's lag on /metrics, measured while this process consumes. */
  private lag: ConsumerLag | undefined;
  private fatal: (error: Error) => void = (error) =>
    this.logger.error(`Ingest consumer stopped for good: ${error.message}`);

  constructor(
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    private readonly ingestion: IngestEventsService,
    private readonly agreements: AgreementService,
    private readonly metrics: Metrics,
  ) {
    this.pace = new RateLimiter(settings.eventsPerAgency);
  }

  /** KAFKA_AGENCIES when set, else the agencies of the agreement in force, else the defaults. */
  async agencies(): Promise<readonly string[]> {
    return this.settings.agencies ?? (await this.agreements.current())?.agencies ?? DEFAULT_AGENCIES;
  }

  /** Called when a member crashes in a way kafkajs will not recover from (the worker exits). */
  onFatal(handler: (error: Error) => void): void {
    this.fatal = handler;
  }

  async createConsumer(name = `ingest-${this.consumers.size + 1}`): Promise<IngestConsumer> {
    const consumer = new IngestConsumer(
      this.settings,
      await this.agencies(),
      this.ingestion,
      name,
      (error) => this.fatal(error),
      this.pace,
    );
    this.consumers.add(consumer);
    return consumer;
  }

  async start(): Promise<IngestConsumer> {
    const consumer = await this.createConsumer();
    await consumer.start();
    if (!this.lag) {
      this.lag = new ConsumerLag(
        createKafkaClient(this.settings, 'lag'),
        this.settings.groupId,
        consumer.topics,
        this.metrics,
      );
      this.lag.start(this.settings.lagIntervalMs);
    }
    return consumer;
  }

  /** Measures the group's lag now (it is also measured every KAFKA_LAG_INTERVAL_SECONDS). */
  async measureLag(): Promise<PartitionLag[]> {
    if (!this.lag) throw new Error('The consumer lag is measured once ingestion has started');
    return this.lag.measure();
  }

  /** Stops one member, or every member and the lag measurement. */
  async stop(consumer?: IngestConsumer): Promise<void> {
    const stopping = consumer ? [consumer] : [...this.consumers];
    for (const member of stopping) this.consumers.delete(member);
    const lag = consumer ? undefined : this.lag;
    if (lag) this.lag = undefined;
    await Promise.all([...stopping.map((member) => member.stop()), lag?.stop()]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}

import { type INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuditService } from '@throughline/audit';
import { BackgroundModule, type RelayProgress, startProjectionsThread } from '@throughline/background';
import { EventStore } from '@throughline/event-store';
import { KafkaIngestion, type KafkaSettings, loadKafkaSettings } from '@throughline/kafka';
import { JsonLogger, type ThroughlineConfig } from '@throughline/platform';
import { ProjectionRunner } from '@throughline/projections';

export interface Worker {
  readonly app: INestApplicationContext;
  /** The Kafka settings in use, or undefined when KAFKA_BROKERS is not set. */
  readonly kafka: KafkaSettings | undefined;
  /** The alerts relay's progress on the projections thread; undefined without Kafka. */
  relay(): RelayProgress | undefined;
  close(): Promise<void>;
}

/**
 * Starts the worker: projections (unless RUN_PROJECTIONS=false), on a thread of their own; with KAFKA_BROKERS, the alerts
 * relay on that thread too (after the projections, whose subject views it waits for) and the
 * ingest consumer on this one, so appending never waits for either.
 */
export async function createWorker(
  config: ThroughlineConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Worker> {
  const kafka = config.kafkaBrokers.length > 0 ? loadKafkaSettings(config, env) : undefined;
  const app = await NestFactory.createApplicationContext(BackgroundModule.forRoot(config, kafka), {
    logger: JsonLogger.forLevel(config.logLevel),
  });
  try {
    // The alerts relay records disclosures: without the signing key, refuse to start, naming it.
    if (kafka) await app.get(AuditService, { strict: false }).signing();
    const thread =
      config.runProjections || kafka
        ? await startProjectionsThread(
            config,
            app.get(EventStore),
            app.get(ProjectionRunner),
            kafka ? { relay: kafka } : {},
          )
        : undefined;
    if (kafka) {
      const ingestion = app.get(KafkaIngestion);
      // A member kafkajs will not restart leaves the partitions to the others: exit, and let the
      // supervisor start a fresh process.
      ingestion.onFatal((error) => {
        new Logger('Worker').error(`Kafka ingestion failed: ${error.message}; shutting down`);
        void app.close().finally(() => process.exit(1));
      });
      await ingestion.start();
    }
    return { app, kafka, relay: () => thread?.relay(), close: () => app.close() };
  } catch (error) {
    // Whatever did start (clients, the store) is stopped, so a failed start does not hang the process.
    await app.close();
    throw error;
  }
}

import { type INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventStore } from '@throughline/event-store';
import { AlertsRelay, KafkaIngestion, type KafkaSettings, loadKafkaSettings } from '@throughline/kafka';
import { nestLogLevels, type ThroughlineConfig } from '@throughline/platform';
import { ProjectionRunner } from '@throughline/projections';
import { startProjectionsThread } from './projections-thread';
import { WorkerModule } from './worker.module';

export interface Worker {
  readonly app: INestApplicationContext;
  /** The Kafka settings in use, or undefined when KAFKA_BROKERS is not set. */
  readonly kafka: KafkaSettings | undefined;
  close(): Promise<void>;
}

/**
 * Starts the worker: projections always, on a thread of their own; with KAFKA_BROKERS, the ingest
 * consumer and the alerts relay too, on this one. Projections start first, because the relay waits
 * for subject views.
 */
export async function createWorker(
  config: ThroughlineConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Worker> {
  const kafka = config.kafkaBrokers.length > 0 ? loadKafkaSettings(config, env) : undefined;
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, kafka), {
    logger: nestLogLevels(config.logLevel),
  });
  app.enableShutdownHooks();
  try {
    await startProjectionsThread(config, app.get(EventStore), app.get(ProjectionRunner));
    if (kafka) {
      const ingestion = app.get(KafkaIngestion);
      // A member kafkajs will not restart leaves the partitions to the others: exit, and let the
      // supervisor start a fresh process.
      ingestion.onFatal((error) => {
        new Logger('Worker').error(`Kafka ingestion failed: ${error.message}; shutting down`);
        void app.close().finally(() => process.exit(1));
      });
      await ingestion.start();
      await app.get(AlertsRelay).start();
    }
  } catch (error) {
    // Whatever did start (clients, the store) is stopped, so a failed start does not hang the process.
    await app.close();
    throw error;
  }
  return { app, kafka, close: () => app.close() };
}

import { Logger } from '@nestjs/common';
import {
  DataDirLock,
  describeKafkaSecurity,
  Heartbeat,
  loadConfig,
  Metrics,
  serveMetrics,
  stopOnSignals,
} from '@throughline/platform';
import { createWorker } from './create-worker';

export async function runWorker(): Promise<void> {
  const config = loadConfig();
  DataDirLock.forEmbedded(config, 'worker');
  const worker = await createWorker(config);
  const { kafka } = worker;
  // Kafka leaves the group after the batch in hand, projections commit theirs and release their
  // leases, then the stores close (the modules' shutdown hooks, in that order).
  const logger = new Logger('Worker');
  // Its own `/metrics` (the consumer lag among them) when METRICS_PORT is set.
  const metrics =
    config.metricsPort === undefined
      ? undefined
      : await serveMetrics(worker.app.get(Metrics).registry, {
          host: config.host,
          port: config.metricsPort,
          token: config.metricsToken,
        }).catch(async (error: unknown) => {
          await worker.close();
          throw error;
        });
  if (metrics) logger.log(`Metrics on http://${config.host}:${metrics.port}/metrics`);
  // `throughline health` reads it: the worker's only listener, if any, is for metrics.
  const heartbeat = Heartbeat.start(config.dataDir, 'worker');
  stopOnSignals({
    graceMs: config.shutdownGraceSeconds * 1000,
    stop: async () => {
      heartbeat.stop();
      await metrics?.close();
      await worker.close();
      logger.log(kafka ? 'Kafka consumer left its group, stores closed' : 'Stores closed');
    },
  });
  const projections = config.runProjections ? 'projections (one writer each, by lease)' : 'no projections';
  logger.log(
    kafka
      ? `Worker running ${projections}, Kafka ingestion and alerts (brokers ${kafka.brokers.join(',')}, ${describeKafkaSecurity(config.kafkaSecurity)})`
      : `Worker running ${projections} (no Kafka)`,
  );
}

if (require.main === module) {
  runWorker().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

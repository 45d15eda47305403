import { Logger } from '@nestjs/common';
import { DataDirLock, loadConfig } from '@throughline/platform';
import { createWorker } from './create-worker';

export async function runWorker(): Promise<void> {
  const config = loadConfig();
  DataDirLock.forEmbedded(config, 'worker');
  const { kafka } = await createWorker(config);
  const projections = config.runProjections ? 'projections (one writer each, by lease)' : 'no projections';
  new Logger('Worker').log(
    kafka
      ? `Worker running ${projections}, Kafka ingestion and alerts (brokers ${kafka.brokers.join(',')})`
      : `Worker running ${projections} (no Kafka)`,
  );
}

if (require.main === module) {
  runWorker().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

import { parentPort, workerData } from 'node:worker_threads';
import { NestFactory } from '@nestjs/core';
import { EventStore } from '@throughline/event-store';
import { nestLogLevels, type ThroughlineConfig } from '@throughline/platform';
import { ProjectionRunner } from '@throughline/projections';
import type { FromProjectionsThread, ToProjectionsThread } from './projections-thread';
import { WorkerModule } from './worker.module';

/** The projections thread (see startProjectionsThread): the worker without Kafka. */
const port = parentPort!;
const { config } = workerData as { readonly config: ThroughlineConfig };
const send = (message: FromProjectionsThread): void => port.postMessage(message);

async function run(): Promise<void> {
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot({ ...config, kafkaBrokers: [] }),
    { logger: nestLogLevels(config.logLevel) },
  );
  const runner = app.get(ProjectionRunner);
  const store = app.get(EventStore);
  runner.onProgress((progress) => send({ kind: 'progress', progress }));
  port.on('message', (message: ToProjectionsThread) => {
    if (message.kind === 'appended') store.appendedElsewhere();
    else void app.close().finally(() => process.exit(0));
  });
  await runner.start();
  send({ kind: 'started' });
}

void run();

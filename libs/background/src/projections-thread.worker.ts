import { parentPort, workerData } from 'node:worker_threads';
import { NestFactory } from '@nestjs/core';
import { EventStore } from '@throughline/event-store';
import { AlertsRelay, type KafkaSettings } from '@throughline/kafka';
import { JsonLogger, runAsBackgroundThread, type ThroughlineConfig } from '@throughline/platform';
import { ProjectionRunner } from '@throughline/projections';
import type { FromProjectionsThread, RelayProgress, ToProjectionsThread } from './projections-thread';
import { BackgroundModule } from './background.module';

/** How often the relay's progress is reported, when it has changed. */
const RELAY_REPORT_MS = 20;

// Projections may lag a little; the thread that acknowledges appends must not wait on them.
runAsBackgroundThread();

/**
 * The projections thread (see startProjectionsThread): the worker without Kafka ingestion, and
 * with the alerts relay when it is given the relay's settings.
 */
const port = parentPort!;
const { config, relay: relaySettings } = workerData as {
  readonly config: ThroughlineConfig;
  readonly relay: KafkaSettings | undefined;
};
const send = (message: FromProjectionsThread): void => port.postMessage(message);

async function run(): Promise<void> {
  const app = await NestFactory.createApplicationContext(
    BackgroundModule.forRoot(
      { ...config, kafkaBrokers: relaySettings ? config.kafkaBrokers : [] },
      relaySettings,
    ),
    { logger: JsonLogger.forLevel(config.logLevel) },
  );
  const runner = app.get(ProjectionRunner);
  const store = app.get(EventStore);
  runner.onProgress((progress) => send({ kind: 'progress', progress }));
  port.on('message', (message: ToProjectionsThread) => {
    if (message.kind === 'appended') store.appendedElsewhere();
    else void app.close().finally(() => process.exit(0));
  });
  // RUN_PROJECTIONS=false leaves the thread to the alerts relay; another process projects.
  if (config.runProjections) await runner.start();
  if (relaySettings) {
    const relay = app.get(AlertsRelay);
    await relay.start();
    let reported: RelayProgress | undefined;
    setInterval(() => {
      const now: RelayProgress = { role: relay.role, position: relay.position, sent: relay.sent };
      const same =
        reported?.role === now.role && reported.position === now.position && reported.sent === now.sent;
      if (same) return;
      reported = now;
      send({ kind: 'relay', relay: now });
    }, RELAY_REPORT_MS).unref();
  }
  send({ kind: 'started' });
}

void run();

import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { EventStoreModule } from '@throughline/event-store';
import { IngestionModule } from '@throughline/ingestion';
import { loadConfig, PlatformModule } from '@throughline/platform';
import { ProjectionsModule } from '@throughline/projections';
import { SubjectsModule } from '@throughline/subjects';
import { AlertsRelay } from '../alerts/alerts-relay';
import { KafkaModule } from '../kafka.module';
import type { KafkaSettings } from '../kafka-settings';
import type { RelayReport } from './relay-process';

/**
 * The alerts relay alone in a process of its own, on the stores the configuration names, as a
 * worker's projections thread runs it (see RelayProcess). It reports its role and progress to the
 * parent whenever they change, stops cleanly when asked, and dies however the parent kills it.
 */
async function run(): Promise<void> {
  const { settings, env } = JSON.parse(process.env.THROUGHLINE_RELAY_PROCESS ?? '{}') as {
    readonly settings: KafkaSettings;
    readonly env: Record<string, string>;
  };
  const app = await NestFactory.createApplicationContext(
    {
      module: class RelayProcessModule {},
      imports: [
        // The test's own topic prefix, so its audit witness topic is its own too.
        PlatformModule.forRoot(loadConfig({ KAFKA_TOPIC_PREFIX: settings.topicPrefix, ...env })),
        CqrsModule.forRoot(),
        EventStoreModule,
        ProjectionsModule,
        IngestionModule,
        SubjectsModule,
        KafkaModule.forRoot(settings),
      ],
    },
    { logger: env.LOG_LEVEL === 'silent' ? false : ['error', 'warn', 'log'] },
  );
  const relay = app.get(AlertsRelay);
  let reported = '';
  setInterval(() => {
    const report: RelayReport = { role: relay.role, position: relay.position, sent: relay.sent };
    const text = JSON.stringify(report);
    if (text === reported) return;
    reported = text;
    process.send?.(report);
  }, 20);
  process.on('message', (message) => {
    if (message === 'stop') void app.close().then(() => process.exit(0));
  });
  // The test that started it has gone: nothing is left to report to.
  process.on('disconnect', () => process.exit(1));
  await relay.start();
}

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@throughline/audit';
import { IngestionModule } from '@throughline/ingestion';
import { ProjectionsModule } from '@throughline/projections';
import { SharingModule } from '@throughline/sharing';
import { AlertsRelay } from './alerts/alerts-relay';
import { KafkaIngestion } from './ingest/kafka-ingestion';
import { KAFKA_SETTINGS, type KafkaSettings } from './kafka-settings';

/**
 * Kafka in and out. Importing the module connects nothing: the worker calls `KafkaIngestion.start()`
 * and `AlertsRelay.start()`, so a process that only needs the providers (a test, a benchmark)
 * decides what runs. Both stop before the store closes on shutdown.
 */
@Module({})
export class KafkaModule {
  static forRoot(settings: KafkaSettings): DynamicModule {
    return {
      module: KafkaModule,
      imports: [IngestionModule, ProjectionsModule, SharingModule, AuditModule],
      providers: [{ provide: KAFKA_SETTINGS, useValue: settings }, KafkaIngestion, AlertsRelay],
      exports: [KAFKA_SETTINGS, KafkaIngestion, AlertsRelay],
    };
  }
}

import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EventStoreModule } from '@throughline/event-store';
import { IngestionModule } from '@throughline/ingestion';
import { KafkaModule, type KafkaSettings } from '@throughline/kafka';
import { PlatformModule, type ThroughlineConfig } from '@throughline/platform';
import { ProjectionsModule } from '@throughline/projections';
import { SubjectsModule } from '@throughline/subjects';

/** The background process: projections, plus Kafka ingestion and alerts when brokers are configured. */
@Module({})
export class WorkerModule {
  static forRoot(config: ThroughlineConfig, kafka?: KafkaSettings): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        PlatformModule.forRoot(config),
        CqrsModule.forRoot(),
        EventStoreModule,
        ProjectionsModule,
        IngestionModule,
        SubjectsModule,
        ...(kafka ? [KafkaModule.forRoot(kafka)] : []),
      ],
    };
  }
}

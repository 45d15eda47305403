import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EventStoreModule } from '@throughline/event-store';
import { IngestionModule } from '@throughline/ingestion';
import { KafkaModule, type KafkaSettings } from '@throughline/kafka';
import { PlatformModule, type ThroughlineConfig } from '@throughline/platform';
import { ProjectionsModule } from '@throughline/projections';
import { SubjectsModule } from '@throughline/subjects';

/**
 * The work beside the HTTP API: projections, plus Kafka ingestion and alerts when brokers are
 * configured. The worker process runs it, and so does the projections thread of the API or the
 * worker (startProjectionsThread).
 */
@Module({})
export class BackgroundModule {
  static forRoot(config: ThroughlineConfig, kafka?: KafkaSettings): DynamicModule {
    return {
      module: BackgroundModule,
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

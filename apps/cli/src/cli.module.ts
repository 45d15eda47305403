import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuditModule } from '@throughline/audit';
import { EventStoreModule } from '@throughline/event-store';
import { IngestionModule } from '@throughline/ingestion';
import { PlatformModule, type ThroughlineConfig } from '@throughline/platform';
import { ProjectionsModule } from '@throughline/projections';
import { SharingModule } from '@throughline/sharing';
import { SubjectsModule } from '@throughline/subjects';

/** The libs a command needs, without the HTTP edge. */
@Module({})
export class CliModule {
  static forRoot(config: ThroughlineConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        PlatformModule.forRoot(config),
        CqrsModule.forRoot(),
        EventStoreModule,
        ProjectionsModule,
        IngestionModule,
        SharingModule,
        AuditModule,
        SubjectsModule,
      ],
    };
  }
}

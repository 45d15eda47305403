import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { AuditModule, RecordedRefusalsFilter } from '@throughline/audit';
import { AuthModule } from '@throughline/auth';
import { EventStoreModule } from '@throughline/event-store';
import { IngestionModule } from '@throughline/ingestion';
import { PlatformModule, QueryStringGuard, type ThroughlineConfig } from '@throughline/platform';
import { ProjectionsModule } from '@throughline/projections';
import { SharingModule } from '@throughline/sharing';
import { SubjectsModule } from '@throughline/subjects';
import { TaskingModule } from '@throughline/tasking';
import { WebExceptionFilter, WebModule } from '@throughline/web';
import { AnswerErrorsFilter } from './answer-errors.filter';
import { HealthController } from './health.controller';
import { ApiMetrics, MetricsController } from './metrics';
import { ServingState } from './serving-state';

@Module({})
export class ApiModule {
  static forRoot(config: ThroughlineConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        PlatformModule.forRoot(config),
        CqrsModule.forRoot(),
        EventStoreModule,
        AuthModule,
        ProjectionsModule,
        IngestionModule,
        SharingModule,
        AuditModule,
        SubjectsModule,
        TaskingModule,
        WebModule,
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        ServingState,
        ApiMetrics,
        RecordedRefusalsFilter,
        WebExceptionFilter,
        { provide: APP_FILTER, useClass: AnswerErrorsFilter },
        // No global interceptor: a route without one is served without wrapping its handler in
        // observables. The credential is charged where a guard authenticates (Admission).
        { provide: APP_GUARD, useClass: QueryStringGuard },
      ],
    };
  }
}

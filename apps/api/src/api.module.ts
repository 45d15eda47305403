import { randomUUID } from 'node:crypto';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import { AuditModule, RecordedRefusalsFilter } from '@throughline/audit';
import { AuthModule, RateLimitInterceptor } from '@throughline/auth';
import { EventStoreModule } from '@throughline/event-store';
import { IngestionModule } from '@throughline/ingestion';
import { PlatformModule, QueryStringInterceptor, type ThroughlineConfig } from '@throughline/platform';
import { ProjectionsModule } from '@throughline/projections';
import { SharingModule } from '@throughline/sharing';
import { SubjectsModule } from '@throughline/subjects';
import { TaskingModule } from '@throughline/tasking';
import { WebModule } from '@throughline/web';
import { HealthController } from './health.controller';
import { ServingState } from './serving-state';
import { requestLogSerializers } from './request-log';

@Module({})
export class ApiModule {
  static forRoot(config: ThroughlineConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        PlatformModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            genReqId: (request, response) => {
              const given = request.headers['x-request-id'];
              const id = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
              response.setHeader('X-Request-Id', id);
              return id;
            },
            serializers: requestLogSerializers,
            autoLogging: { ignore: (request) => request.url?.startsWith('/health') ?? false },
          },
        }),
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
      controllers: [HealthController],
      providers: [
        ServingState,
        { provide: APP_FILTER, useClass: RecordedRefusalsFilter },
        { provide: APP_INTERCEPTOR, useClass: RateLimitInterceptor },
        { provide: APP_INTERCEPTOR, useClass: QueryStringInterceptor },
      ],
    };
  }
}

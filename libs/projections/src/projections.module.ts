import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AuthModule } from '@throughline/auth';
import { THROUGHLINE_CONFIG, type ThroughlineConfig } from '@throughline/platform';
import { ProjectionStatusController } from './features/projection-status/projection-status.controller';
import { openReadModelStore } from './read-model-store.provider';
import { ProjectionRunner } from './runtime/projection-runner';
import { PROJECTION_LEASE, type ProjectionLeaseOptions } from './runtime/projection-status';
import { ReadModelStore } from './store/read-model-store';

@Module({
  imports: [AuthModule],
  controllers: [ProjectionStatusController],
  providers: [
    {
      provide: ReadModelStore,
      inject: [THROUGHLINE_CONFIG],
      useFactory: (config: ThroughlineConfig) => openReadModelStore(config),
    },
    {
      provide: PROJECTION_LEASE,
      inject: [THROUGHLINE_CONFIG],
      useFactory: (config: ThroughlineConfig): ProjectionLeaseOptions => ({
        leaseMs: config.projectionLeaseSeconds * 1000,
      }),
    },
    ProjectionRunner,
  ],
  exports: [ReadModelStore, ProjectionRunner, PROJECTION_LEASE],
})
export class ProjectionsModule implements OnApplicationShutdown {
  constructor(@Inject(ReadModelStore) private readonly readModels: ReadModelStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.readModels.close();
  }
}

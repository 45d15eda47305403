import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { THROUGHLINE_CONFIG, type ThroughlineConfig } from '@throughline/platform';
import { openEventStore } from './open-event-store';
import { EventStore } from './store';

/** Opens the configured event log once per process and closes it last on shutdown. */
@Global()
@Module({
  providers: [
    {
      provide: EventStore,
      inject: [THROUGHLINE_CONFIG],
      useFactory: (config: ThroughlineConfig) =>
        openEventStore({
          eventstoreUrl: config.eventstoreUrl,
          databaseUrl: config.databaseUrl,
          dataDir: config.dataDir,
          encryption: config.eventEncryption,
        }),
    },
  ],
  exports: [EventStore],
})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EventStore) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

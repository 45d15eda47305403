import { type BeforeApplicationShutdown, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuthModule } from '@throughline/auth';
import { IngestEventsController } from './features/ingest-events/ingest-events.controller';
import { IngestEventsHandler } from './features/ingest-events/ingest-events.command';
import { IngestEventsService } from './features/ingest-events/ingest-events.service';
import { SubjectCeiling } from './features/ingest-events/subject-ceiling';
import { IdentifierIssuers } from './identifier-issuers';
import { IdentityIndex } from './identity-index';

@Module({
  imports: [CqrsModule, AuthModule],
  controllers: [IngestEventsController],
  providers: [IdentityIndex, IdentifierIssuers, SubjectCeiling, IngestEventsService, IngestEventsHandler],
  exports: [IngestEventsService, IdentityIndex, IdentifierIssuers],
})
export class IngestionModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly identity: IdentityIndex,
    private readonly ingestion: IngestEventsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.identity.catchUp();
  }

  /** In-flight appends finish before the store closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.ingestion.drain();
  }
}

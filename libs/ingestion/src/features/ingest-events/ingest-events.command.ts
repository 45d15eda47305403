import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type IngestPublisher, type IngestResult, IngestEventsService } from './ingest-events.service';

/** Publish a batch of CloudEvents (already parsed) on behalf of an agency system. */
export class IngestEventsCommand {
  constructor(
    readonly events: readonly unknown[],
    readonly publisher: IngestPublisher,
    readonly requestId?: string,
  ) {}
}

@CommandHandler(IngestEventsCommand)
export class IngestEventsHandler implements ICommandHandler<IngestEventsCommand, IngestResult[]> {
  constructor(private readonly ingestion: IngestEventsService) {}

  execute({ events, publisher, requestId }: IngestEventsCommand): Promise<IngestResult[]> {
    return this.ingestion.ingest(events, publisher, requestId);
  }
}

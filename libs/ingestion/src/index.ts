export * from './domain/cloud-event';
export * from './domain/event-id';
export * from './identity-index';
export * from './features/ingest-events/ingest-events.service';
export * from './features/ingest-events/ingest-events.command';
export * from './features/ingest-events/ingest-events.controller';
export * from './ingestion.module';

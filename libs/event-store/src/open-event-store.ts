import { join } from 'node:path';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store';
import { PostgresEventStore } from './postgres/postgres-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';
import type { EventStore } from './store';

export interface EventStoreConfig {
  readonly eventstoreUrl?: string;
  readonly databaseUrl?: string;
  /** Where the SQLite file lives when neither server is configured. */
  readonly dataDir: string;
  readonly pgSchema?: string;
}

/** EventStoreDB when its URL is set, else PostgreSQL when a database URL is set, else a local SQLite file. */
export async function openEventStore(config: EventStoreConfig): Promise<EventStore> {
  if (config.eventstoreUrl) return EventStoreDbEventStore.connect(config.eventstoreUrl);
  if (config.databaseUrl) {
    return PostgresEventStore.open({
      connectionString: config.databaseUrl,
      ...(config.pgSchema === undefined ? {} : { schema: config.pgSchema }),
    });
  }
  return SqliteEventStore.open(join(config.dataDir, 'events.db'));
}

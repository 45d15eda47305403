import { join } from 'node:path';
import { EncryptingEventStore } from './encryption/encrypting-event-store';
import { PostgresSubjectKeyStore } from './encryption/postgres-subject-key-store';
import { SqliteSubjectKeyStore } from './encryption/sqlite-subject-key-store';
import type { SubjectKeyStore } from './encryption/subject-key-store';
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
  /** Seal subjects' event data under per-subject keys (default on; decision 0026). */
  readonly encryption?: boolean;
}

/** EventStoreDB when its URL is set, else PostgreSQL when a database URL is set, else a local SQLite file. */
export async function openEventStore(config: EventStoreConfig): Promise<EventStore> {
  const log = await openLog(config);
  if (config.encryption === false) return log;
  try {
    return new EncryptingEventStore(log, await openKeyStore(config));
  } catch (error) {
    await log.close();
    throw error;
  }
}

function openLog(config: EventStoreConfig): Promise<EventStore> {
  if (config.eventstoreUrl) return EventStoreDbEventStore.connect(config.eventstoreUrl);
  if (config.databaseUrl) {
    return PostgresEventStore.open({
      connectionString: config.databaseUrl,
      ...(config.pgSchema === undefined ? {} : { schema: config.pgSchema }),
    });
  }
  return SqliteEventStore.open(join(config.dataDir, 'events.db'));
}

/**
 * The keys live in PostgreSQL when there is one (the table `subject_keys`), else in keys.db beside
 * the SQLite log (also for KurrentDB without PostgreSQL): never in the log itself.
 */
async function openKeyStore(config: EventStoreConfig): Promise<SubjectKeyStore> {
  if (config.databaseUrl) {
    return PostgresSubjectKeyStore.open({
      connectionString: config.databaseUrl,
      ...(config.pgSchema === undefined ? {} : { schema: config.pgSchema }),
    });
  }
  return new SqliteSubjectKeyStore(join(config.dataDir, 'keys.db'));
}

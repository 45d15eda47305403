import { join } from 'node:path';
import type { ThroughlineConfig } from '@throughline/platform';
import type { ReadModelStore } from './store/read-model-store';
import { PostgresReadModelStore } from './store/postgres-read-model-store';
import { SqliteReadModelStore } from './store/sqlite-read-model-store';

/** PostgreSQL when DATABASE_URL is set, otherwise a SQLite file under DATA_DIR. */
export async function openReadModelStore(
  config: Pick<ThroughlineConfig, 'databaseUrl' | 'dataDir'>,
): Promise<ReadModelStore> {
  if (config.databaseUrl) return PostgresReadModelStore.open(config.databaseUrl);
  return new SqliteReadModelStore(join(config.dataDir, 'read-models.db'));
}

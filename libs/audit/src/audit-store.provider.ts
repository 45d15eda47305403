import { join } from 'node:path';
import type { ThroughlineConfig } from '@throughline/platform';
import type { AuditStore } from './store/audit-store';
import { PostgresAuditStore } from './store/postgres-audit-store';
import { SqliteAuditStore } from './store/sqlite-audit-store';

/** PostgreSQL when DATABASE_URL is set, otherwise its own SQLite file under DATA_DIR. */
export async function openAuditStore(
  config: Pick<ThroughlineConfig, 'databaseUrl' | 'dataDir'>,
): Promise<AuditStore> {
  if (config.databaseUrl) return PostgresAuditStore.open(config.databaseUrl);
  return new SqliteAuditStore(join(config.dataDir, 'audit.db'));
}

import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ThroughlineConfig } from './config';
import { preparePrivateSqliteFile } from './private-files';

/** Who holds a data directory, as it wrote itself down beside the lock. */
export interface DataDirHolder {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly startedAt: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: DataDirHolder | undefined,
    command: string,
  ) {
    const by = holder
      ? `${holder.command} (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt})`
      : 'another process';
    super(
      `DATA_DIR ${dataDir} is in use by ${by}: SQLite takes one Throughline process per data directory, so ${command} will not start beside it. Stop that process first (a server or worker may instead have a DATA_DIR of its own, or PostgreSQL by DATABASE_URL).`,
    );
    this.name = 'DataDirLockedError';
  }
}

/**
 * One process per embedded data directory: the event log and the audit chain are not proven under
 * two writing processes. The lock is SQLite's own file lock on `process.lock`, held in an exclusive
 * transaction that never ends, so the OS lets it go when the process dies, however it dies: there is
 * no stale lock for an operator to remove.
 */
export class DataDirLock {
  static readonly FILE = 'process.lock';
  static readonly HOLDER_FILE = 'process.lock.holder';

  /**
   * Locks live as long as the process unless released: a lock nobody referenced would be closed by
   * the garbage collector, and the directory silently let go.
   */
  private static readonly held = new Set<DataDirLock>();

  private constructor(
    readonly dataDir: string,
    private readonly db: Database.Database,
  ) {}

  /** Takes the directory or throws DataDirLockedError at once; it never waits for a holder. */
  static acquire(dataDir: string, command: string, now: Date = new Date()): DataDirLock {
    const file = join(dataDir, DataDirLock.FILE);
    preparePrivateSqliteFile(file);
    const db = new Database(file, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      db.close();
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      throw new DataDirLockedError(dataDir, DataDirLock.holder(dataDir), command);
    }
    const holder: DataDirHolder = {
      pid: process.pid,
      host: hostname(),
      command,
      startedAt: now.toISOString(),
    };
    // Written only once the lock is ours, so it names the live holder; a dead one's is overwritten.
    const holderFile = join(dataDir, DataDirLock.HOLDER_FILE);
    writeFileSync(holderFile, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
    chmodSync(holderFile, 0o600);
    const lock = new DataDirLock(dataDir, db);
    DataDirLock.held.add(lock);
    return lock;
  }

  /**
   * Embedded mode only (no DATABASE_URL): on PostgreSQL the stores arbitrate between processes
   * themselves, and DATA_DIR holds no more than keys.
   */
  static forEmbedded(config: Pick<ThroughlineConfig, 'dataDir' | 'databaseUrl'>, command: string) {
    return config.databaseUrl ? undefined : DataDirLock.acquire(config.dataDir, command);
  }

  /** The holder as it wrote itself down, when it has (it writes just after taking the lock). */
  static holder(dataDir: string): DataDirHolder | undefined {
    try {
      return JSON.parse(readFileSync(join(dataDir, DataDirLock.HOLDER_FILE), 'utf8')) as DataDirHolder;
    } catch {
      return undefined;
    }
  }

  release(): void {
    if (!DataDirLock.held.delete(this)) return;
    this.db.close();
  }
}

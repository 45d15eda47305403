import { once } from 'node:events';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from './worker-thread';

/**
 * How far a writing connection lets its write-ahead log grow before it checkpoints itself, in
 * pages: only a fallback, should the checkpointer thread fall behind or be gone.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 16_000;
const INTERVAL_MS = 100;

/**
 * Checkpoints a SQLite file in WAL mode from a thread of its own. Left to the connection that
 * writes, SQLite copies the log into the file inside whichever commit crosses the threshold: that
 * commit, and whatever waits on it (a read's disclosure record, an ingestion batch), stalls for the
 * whole copy and its fsync. The writer sets `wal_autocheckpoint` to FALLBACK_AUTOCHECKPOINT_PAGES
 * and this thread copies a little every 100 ms instead, beside it.
 */
export class SqliteCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<unknown>;

  constructor(file: string) {
    this.worker = startWorkerThread(join(__dirname, 'sqlite-checkpointer.worker'), __filename, {
      file,
      intervalMs: INTERVAL_MS,
    });
    // Checkpoints are housekeeping: they never hold the process open.
    this.worker.unref();
    this.exited = once(this.worker, 'exit').catch(() => undefined);
  }

  /** Holds the process open until the thread has gone, or a caller awaiting this would never resume. */
  async close(): Promise<void> {
    this.worker.ref();
    this.worker.postMessage('stop');
    await this.exited;
  }
}

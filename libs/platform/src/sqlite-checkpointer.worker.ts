import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/**
 * The thread of a SqliteCheckpointer: every interval, copies what the write-ahead log holds into
 * the database file. PASSIVE never waits for, or blocks, the connections writing the file. Only
 * packages: see startWorkerThread.
 */
const { file, intervalMs } = workerData as { readonly file: string; readonly intervalMs: number };
const db = new Database(file, { fileMustExist: true });
// The copy is on disk before the log may be reused.
db.pragma('synchronous = FULL');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or locked for a moment: the next interval copies the same frames.
  }
}, intervalMs);

parentPort!.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort!.close();
});

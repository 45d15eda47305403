import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from '@throughline/platform';
import type { CheckedRecord } from '../domain/chain';
import type { CheckReply, CheckRequest } from './sqlite-audit-checker.worker';

/** Entries per range a thread checks at a time. */
export const CHECK_RANGE = 5000;
/** Ranges each thread has in hand: one it works on, one waiting, so it never idles between them. */
const AHEAD = 2;

/** One verification thread, answering its ranges in the order they were sent. */
class CheckerThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<
    number,
    { resolve: (checked: readonly CheckedRecord[]) => void; reject: (error: Error) => void }
  >();

  constructor(file: string) {
    this.worker = startWorkerThread(join(__dirname, 'sqlite-audit-checker.worker'), __filename, { file });
    this.worker.on('message', (reply: CheckReply) => {
      const waiting = this.waiting.get(reply.afterSeq);
      this.waiting.delete(reply.afterSeq);
      if ('error' in reply) waiting?.reject(new Error(`audit verification failed: ${reply.error}`));
      else waiting?.resolve(reply.checked);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', () => this.fail(new Error('an audit verification thread stopped')));
  }

  check(request: CheckRequest): Promise<readonly CheckedRecord[]> {
    const checked = new Promise<readonly CheckedRecord[]>((resolve, reject) =>
      this.waiting.set(request.afterSeq, { resolve, reject }),
    );
    this.worker.postMessage(request);
    return checked;
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }
}

/**
 * Every record of the SQLite audit log at `file` up to `lastSeq`, checked on its own by `threads`
 * threads, each reading its ranges on its own connection; the pages come back in stored order for
 * the one step that must run in order, linking each record to the one before. A caller that stops
 * early (at the first fault) stops the threads.
 */
export async function* checkInParallel(
  file: string,
  lastSeq: number,
  threads: number,
): AsyncGenerator<readonly CheckedRecord[]> {
  const pool = Array.from({ length: threads }, () => new CheckerThread(file));
  const ranges = Math.ceil(lastSeq / CHECK_RANGE);
  const results = new Map<number, Promise<readonly CheckedRecord[]>>();
  const ask = (range: number): void => {
    if (range >= ranges) return;
    const afterSeq = range * CHECK_RANGE;
    const checked = pool[range % threads]!.check({
      afterSeq,
      toSeq: Math.min(afterSeq + CHECK_RANGE, lastSeq),
    });
    // Awaited in turn below; a range that fails before its turn must not count as unhandled meanwhile.
    checked.catch(() => undefined);
    results.set(range, checked);
  };
  try {
    for (let range = 0; range < threads * AHEAD; range++) ask(range);
    for (let range = 0; range < ranges; range++) {
      const checked = await results.get(range)!;
      results.delete(range);
      ask(range + threads * AHEAD);
      yield checked;
    }
  } finally {
    await Promise.all(pool.map((thread) => thread.stop()));
  }
}

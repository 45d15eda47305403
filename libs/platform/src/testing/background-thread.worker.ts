import { getPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { runAsBackgroundThread } from '../thread-priority';

/** The thread of thread-priority.int-spec: lowers its own priority and reports it. */
export interface BackgroundThreadReport {
  readonly before: number;
  readonly lowered: boolean;
  readonly after: number;
}

const before = getPriority();
const lowered = runAsBackgroundThread();
parentPort!.postMessage({ before, lowered, after: getPriority() } satisfies BackgroundThreadReport);

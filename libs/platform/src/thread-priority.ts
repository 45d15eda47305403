import { getPriority, setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/** How many nice steps below the thread that started it a background thread runs (19 is the lowest). */
export const BACKGROUND_NICENESS = 10;
const LOWEST = 19;

/**
 * Lowers the calling worker thread's scheduling priority, for work that may lag without harm
 * (projections, the alerts they feed). When the cores are contended, the scheduler then gives the
 * threads that answer requests and acknowledge appends the larger share; when a core is free, the
 * background thread still has all of it.
 *
 * Linux keeps a nice value per thread, and threads the caller starts later inherit it. Elsewhere
 * the same call would lower the whole process, so it does nothing there, nor on the main thread.
 * Answers whether the priority was lowered.
 */
export function runAsBackgroundThread(): boolean {
  if (isMainThread || process.platform !== 'linux') return false;
  try {
    // Pid 0 is the calling thread: Linux applies a nice value to one thread, not to its process.
    setPriority(0, Math.min(LOWEST, getPriority(0) + BACKGROUND_NICENESS));
    return true;
  } catch {
    // Not permitted in some sandboxes: the thread keeps the default priority.
    return false;
  }
}

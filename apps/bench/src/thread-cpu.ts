import { readFileSync } from 'node:fs';

/** How long the calling thread has run on a core, and waited for one while ready to run. */
export interface ThreadTimes {
  readonly cpuMs: number;
  readonly waitMs: number;
}

/**
 * The calling thread's own times, from Linux's per-thread scheduler statistics (nanoseconds), or
 * undefined where there are none. Per thread, so the load generator's share of the machine and
 * the API thread's CPU per request can be told apart inside one process; the wait shows how much
 * of the run the thread was ready but other work held the cores.
 */
export function threadTimes(): ThreadTimes | undefined {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(/\s+/).map(Number);
    if (!Number.isFinite(run) || !Number.isFinite(wait)) return undefined;
    return { cpuMs: run! / 1e6, waitMs: wait! / 1e6 };
  } catch {
    return undefined;
  }
}

/** The times spent between two readings, or undefined if either is missing. */
export const timesBetween = (
  from: ThreadTimes | undefined,
  to: ThreadTimes | undefined,
): ThreadTimes | undefined =>
  from && to ? { cpuMs: to.cpuMs - from.cpuMs, waitMs: to.waitMs - from.waitMs } : undefined;

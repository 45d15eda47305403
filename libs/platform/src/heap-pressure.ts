import { getHeapStatistics } from 'node:v8';

/** The share of the heap's limit past which caches of documents that can be read again let go. */
export const HEAP_PRESSURE_SHARE = 0.5;

/**
 * True when the heap holds more than half of what it may grow to. A projection's documents and
 * the documents served are cached for speed and can always be read again from storage; they are
 * let go then, rather than grow with the log until the process runs out of memory.
 */
export function heapUnderPressure(): boolean {
  const { used_heap_size: used, heap_size_limit: limit } = getHeapStatistics();
  return used > limit * HEAP_PRESSURE_SHARE;
}

import type { EventStore, RecordedEvent } from '@throughline/event-store';
import type { ReadModelStore } from '../store/read-model-store';
import { type Projection, toPublishedEvent } from './projection';

const NO_KEYS: readonly string[] = [];

/**
 * Folds a batch of log events into a projection's documents held in `cache`: loads each touched
 * document not yet there once (made whole from the log when the projection stores less than it
 * folds), then folds every event into it in order. Adds the keys it changed to `touched`; nothing
 * is written.
 */
export async function foldBatch(
  log: EventStore,
  store: ReadModelStore,
  projection: Projection,
  events: readonly RecordedEvent[],
  cache: Map<string, unknown>,
  touched: Set<string>,
): Promise<void> {
  const published = events.map(toPublishedEvent);
  const keysOf = published.map((event) => (event ? projection.keys(event) : NO_KEYS));
  const missing = new Set<string>();
  for (const keys of keysOf) for (const key of keys) if (!cache.has(key)) missing.add(key);
  // Stored documents not cached yet, made whole together: loading one may read the log.
  const cacheStored = async (stored: Iterable<[string, unknown]>): Promise<void> => {
    const fresh = [...stored].filter(([key]) => !cache.has(key));
    const whole = await Promise.all(
      fresh.map(([key, doc]) => (projection.load ? projection.load(doc, key, log) : doc)),
    );
    fresh.forEach(([key], index) => cache.set(key, whole[index]));
  };
  await cacheStored(await store.getMany(projection.name, [...missing]));
  let everythingLoaded = false;
  for (const [index, event] of published.entries()) {
    if (!event) {
      const recorded = events[index]!;
      if (!projection.observe?.(recorded) || !projection.refresh) continue;
      if (!everythingLoaded) {
        await cacheStored(await store.entries(projection.name));
        everythingLoaded = true;
      }
      for (const [key, doc] of cache) {
        if (doc === null) continue;
        cache.set(key, projection.refresh(doc, key));
        touched.add(key);
      }
      continue;
    }
    for (const key of keysOf[index]!) {
      cache.set(key, projection.evolve(cache.get(key) ?? null, event, key));
      touched.add(key);
    }
  }
}

/**
 * Settles the touched documents and writes them with the checkpoint in one transaction. Evolve may
 * change documents in place, so after a failed commit the cache is dropped whole and reloaded
 * from the store.
 */
export async function commitTouched(
  store: ReadModelStore,
  projection: Projection,
  cache: Map<string, unknown>,
  touched: ReadonlySet<string>,
  position: number,
): Promise<void> {
  const changes = new Map<string, unknown>();
  for (const key of touched) {
    let doc: unknown = cache.get(key) ?? null;
    if (doc !== null && projection.settle) cache.set(key, (doc = projection.settle(doc)));
    changes.set(key, doc !== null && projection.stored ? projection.stored(doc) : doc);
  }
  try {
    await store.commit(projection.name, changes, position);
  } catch (error) {
    cache.clear();
    throw error;
  }
  for (const [key, doc] of changes) if (doc === null) cache.delete(key);
}

/**
 * Applies a batch of log events to a projection: folds them (see `foldBatch`), then writes the
 * documents and the new checkpoint in one transaction.
 *
 * `cache` keeps documents parsed between batches (the runner passes one per projection), so a
 * document is parsed once per process rather than once per batch.
 */
export async function applyBatch(
  log: EventStore,
  store: ReadModelStore,
  projection: Projection,
  events: readonly RecordedEvent[],
  cache: Map<string, unknown> = new Map(),
): Promise<number> {
  if (events.length === 0) return 0;
  const touched = new Set<string>();
  await foldBatch(log, store, projection, events, cache, touched);
  const position = events[events.length - 1]!.position;
  await commitTouched(store, projection, cache, touched, position);
  return position;
}

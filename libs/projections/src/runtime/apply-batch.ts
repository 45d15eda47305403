import type { RecordedEvent } from '@throughline/event-store';
import type { ReadModelStore } from '../store/read-model-store';
import { type Projection, toPublishedEvent } from './projection';

/**
 * Applies a batch of log events to a projection: loads each touched document once, folds every
 * event into it in order, then writes the documents and the new checkpoint in one transaction.
 *
 * `cache` keeps documents parsed between batches (the runner passes one per projection), so a
 * document is parsed once per process rather than once per batch. Evolve may change documents in
 * place, so after a failed commit the cache is dropped whole and reloaded from the store.
 */
export async function applyBatch(
  store: ReadModelStore,
  projection: Projection,
  events: readonly RecordedEvent[],
  cache: Map<string, unknown> = new Map(),
): Promise<number> {
  if (events.length === 0) return 0;
  const planned = events.map((recorded) => {
    const event = toPublishedEvent(recorded);
    return event
      ? { recorded, event, keys: projection.keys(event) }
      : { recorded, event: undefined, keys: [] as readonly string[] };
  });
  const missing = [...new Set(planned.flatMap(({ keys }) => keys))].filter((key) => !cache.has(key));
  for (const [key, doc] of await store.getMany(projection.name, missing)) cache.set(key, doc);
  const touched = new Set<string>();
  let everythingLoaded = false;
  for (const { recorded, event, keys } of planned) {
    if (!event) {
      if (!projection.observe?.(recorded) || !projection.refresh) continue;
      if (!everythingLoaded) {
        for (const [key, doc] of await store.entries(projection.name))
          if (!cache.has(key)) cache.set(key, doc);
        everythingLoaded = true;
      }
      for (const [key, doc] of cache) {
        if (doc === null) continue;
        cache.set(key, projection.refresh(doc, key));
        touched.add(key);
      }
      continue;
    }
    for (const key of keys) {
      cache.set(key, projection.evolve(cache.get(key) ?? null, event, key));
      touched.add(key);
    }
  }
  const changes = new Map([...touched].map((key) => [key, cache.get(key) ?? null]));
  const position = events[events.length - 1]!.position;
  try {
    await store.commit(projection.name, changes, position);
  } catch (error) {
    cache.clear();
    throw error;
  }
  for (const [key, doc] of changes) if (doc === null) cache.delete(key);
  return position;
}

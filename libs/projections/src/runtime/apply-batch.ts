import type { PublishedEvent } from '@throughline/domain';
import type { EventStore, RecordedEvent } from '@throughline/event-store';
import type { Fence } from '../store/lease';
import type { ReadModelStore } from '../store/read-model-store';
import { type Projection, toPublishedEvent } from './projection';
import { FoldFailure, type FoldedEvent, QuarantineBook } from './quarantine';

const NO_KEYS: readonly string[] = [];
/** A stored document that would not load: it is folded again from the log instead. */
const UNLOADED = Symbol('unloaded');

/** A stream's events up to `through` (a log position). */
async function streamEvents(log: EventStore, stream: string, through: number): Promise<PublishedEvent[]> {
  const events: PublishedEvent[] = [];
  for (const recorded of await log.readStream(stream)) {
    if (recorded.position > through) break;
    const event = toPublishedEvent(recorded);
    if (event) events.push(event);
  }
  return events;
}

/** Whether the event reaches the key; an event that cannot even be keyed is a FoldFailure. */
function reaches(projection: Projection, event: PublishedEvent, key: string): boolean {
  try {
    return projection.keys(event).includes(key);
  } catch (error) {
    throw new FoldFailure(event, error);
  }
}

/** Folds the key's events out of its stream, from nothing, naming the event a throw came from. */
function refoldEvents(projection: Projection, key: string, stream: readonly PublishedEvent[]): unknown {
  const events = stream.filter((event) => reaches(projection, event, key));
  if (projection.refold) return projection.refold(key, events);
  let doc: unknown = null;
  for (const event of events) {
    try {
      doc = projection.evolve(doc, event, key);
    } catch (error) {
      throw new FoldFailure(event, error);
    }
  }
  return doc;
}

/**
 * Folds a batch of log events into a projection's documents held in `cache`: loads each touched
 * document not yet there once (made whole from the log when the projection stores less than it
 * folds), then folds every event into it in order. Adds the keys it changed to `touched`; nothing
 * is written.
 *
 * A throw while folding quarantines that key in `quarantine` (its document is dropped and deleted
 * at the next commit) and the batch goes on with the next key; an event that cannot even be keyed
 * quarantines its subject. A quarantined key, or one whose stored document will not load, is
 * folded again from its stream when an event reaches it. Only reading the store or the log fails
 * the batch.
 */
export async function foldBatch(
  log: EventStore,
  store: ReadModelStore,
  projection: Projection,
  events: readonly RecordedEvent[],
  cache: Map<string, unknown>,
  touched: Set<string>,
  quarantine: QuarantineBook = new QuarantineBook(),
): Promise<void> {
  const published = events.map(toPublishedEvent);
  // Keys whose document must be folded again from the log before an event is folded into it.
  const unfolded = new Set(quarantine.keys());
  // Keys held back in this batch: their later events wait for the next batch's second fold.
  const failed = new Set<string>();
  // Set while the store or the log is read: a throw then is not the fold's, and fails the batch.
  let reading = false;

  const hold = (key: string, event: FoldedEvent, error: unknown): void => {
    quarantine.hold(key, event, error);
    cache.delete(key);
    touched.add(key);
    unfolded.add(key);
    failed.add(key);
  };
  const keysOf = new Array<readonly string[]>(published.length);
  for (let index = 0; index < published.length;) {
    try {
      for (; index < published.length; index += 1) {
        const event = published[index];
        keysOf[index] = event ? projection.keys(event) : NO_KEYS;
      }
    } catch (error) {
      const event = published[index]!;
      keysOf[index] = NO_KEYS;
      hold(event.subjectId, event, error);
      index += 1;
    }
  }
  const missing = new Set<string>();
  for (const keys of keysOf)
    for (const key of keys) if (!cache.has(key) && !unfolded.has(key)) missing.add(key);
  const load = async (key: string, stored: unknown): Promise<unknown> => {
    if (!projection.load) return stored;
    if (!projection.keyStream) return projection.load(stored, key, log);
    try {
      return await projection.load(stored, key, log);
    } catch {
      return UNLOADED;
    }
  };
  // Stored documents not cached yet, made whole together: loading one may read the log.
  const cacheStored = async (stored: Iterable<[string, unknown]>): Promise<void> => {
    const fresh = [...stored].filter(([key]) => !cache.has(key));
    const whole = await Promise.all(fresh.map(([key, doc]) => load(key, doc)));
    fresh.forEach(([key], index) => {
      const doc = whole[index];
      if (doc === UNLOADED) unfolded.add(key);
      else cache.set(key, doc);
    });
  };
  /** Folds the key again from its stream, through `event`; lets it out of quarantine if that works. */
  const refold = async (key: string, event: PublishedEvent): Promise<void> => {
    if (!projection.keyStream) {
      failed.add(key);
      return;
    }
    reading = true;
    const stream = await streamEvents(log, projection.keyStream(key), event.position);
    reading = false;
    try {
      cache.set(key, refoldEvents(projection, key, stream));
    } catch (error) {
      if (error instanceof FoldFailure) hold(key, error.event, error.reason);
      else hold(key, event, error);
      return;
    }
    touched.add(key);
    unfolded.delete(key);
    quarantine.release(key);
  };

  reading = true;
  await cacheStored(await store.getMany(projection.name, [...missing]));
  reading = false;
  let everythingLoaded = false;
  let index = 0;
  let keyIndex = 0;
  // One try for the whole batch, entered again after a throw at the next key: the happy path
  // pays nothing per event for it.
  while (index < published.length) {
    try {
      for (; index < published.length; index += 1) {
        const event = published[index];
        if (!event) {
          const recorded = events[index]!;
          if (!projection.observe?.(recorded) || !projection.refresh) continue;
          if (!everythingLoaded) {
            reading = true;
            await cacheStored(await store.entries(projection.name));
            reading = false;
            everythingLoaded = true;
          }
          for (const [key, doc] of cache) {
            if (doc === null) continue;
            try {
              cache.set(key, projection.refresh(doc, key));
              touched.add(key);
            } catch (error) {
              hold(key, recorded, error);
            }
          }
          continue;
        }
        const keys = keysOf[index]!;
        for (; keyIndex < keys.length; keyIndex += 1) {
          const key = keys[keyIndex]!;
          if (unfolded.size > 0 && unfolded.has(key)) {
            if (!failed.has(key)) await refold(key, event);
            continue;
          }
          // An erasure leaves the log's earlier events of the key without their data: the document
          // is folded again from them, so nothing it held of that data stays (decision 0026).
          if (event.type === 'iom.record.erased.v1' && projection.keyStream) {
            await refold(key, event);
            continue;
          }
          cache.set(key, projection.evolve(cache.get(key) ?? null, event, key));
          touched.add(key);
        }
        keyIndex = 0;
      }
    } catch (error) {
      const event = published[index];
      // Partnership-wide events are checked before they are appended; failing to observe one
      // concerns every document, so it fails the batch as reading would.
      if (reading || !event) throw error;
      hold(keysOf[index]![keyIndex]!, event, error);
      keyIndex += 1;
    }
  }
}

/** The last event of the key's stream at or before `position`, for naming a failed settle. */
async function lastEventOf(
  log: EventStore,
  projection: Projection,
  stream: string,
  key: string,
  position: number,
): Promise<FoldedEvent | undefined> {
  const events = await streamEvents(log, stream, position);
  return events.findLast((event) => {
    try {
      return projection.keys(event).includes(key);
    } catch {
      return true;
    }
  });
}

/**
 * Settles the touched documents and writes them with the checkpoint and the quarantine's changes
 * in one transaction. A document whose settling throws is quarantined (naming its last event)
 * rather than written. Evolve may change documents in place, so after a failed commit the cache is
 * dropped whole and reloaded from the store.
 */
export async function commitTouched(
  log: EventStore,
  store: ReadModelStore,
  projection: Projection,
  cache: Map<string, unknown>,
  touched: ReadonlySet<string>,
  position: number,
  quarantine: QuarantineBook = new QuarantineBook(),
  fence?: Fence,
): Promise<void> {
  const changes = new Map<string, unknown>();
  const keys = [...touched];
  let index = 0;
  while (index < keys.length) {
    try {
      for (; index < keys.length; index += 1) {
        const key = keys[index]!;
        // A quarantined key's document is removed, whatever an earlier write left in the store.
        let doc: unknown = quarantine.has(key) ? null : (cache.get(key) ?? null);
        if (doc !== null && projection.settle) cache.set(key, (doc = projection.settle(doc)));
        changes.set(key, doc !== null && projection.stored ? projection.stored(doc) : doc);
      }
    } catch (error) {
      const key = keys[index]!;
      const stream = projection.keyStream?.(key);
      const last = stream && (await lastEventOf(log, projection, stream, key, position));
      if (!last) throw error;
      quarantine.hold(key, last, error);
      cache.delete(key);
      changes.set(key, null);
      index += 1;
    }
  }
  try {
    await store.commit(projection.name, changes, position, quarantine.changes, fence);
  } catch (error) {
    cache.clear();
    quarantine.abandoned();
    throw error;
  }
  quarantine.committed();
  for (const [key, doc] of changes) if (doc === null) cache.delete(key);
}

/**
 * Applies a batch of log events to a projection: folds them (see `foldBatch`), then writes the
 * documents, the quarantine's changes and the new checkpoint in one transaction.
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
  quarantine: QuarantineBook = new QuarantineBook(),
  fence?: Fence,
): Promise<number> {
  if (events.length === 0) return 0;
  const touched = new Set<string>();
  await foldBatch(log, store, projection, events, cache, touched, quarantine);
  const position = events[events.length - 1]!.position;
  await commitTouched(log, store, projection, cache, touched, position, quarantine, fence);
  return position;
}

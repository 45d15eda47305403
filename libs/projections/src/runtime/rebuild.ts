import type { EventStore } from '@throughline/event-store';
import { heapUnderPressure } from '@throughline/platform';
import type { ReadModelStore } from '../store/read-model-store';
import { commitTouched, foldBatch } from './apply-batch';
import type { Projection } from './projection';
import { QuarantineBook } from './quarantine';

export interface RebuildProgress {
  readonly position: number;
  readonly head: number;
  readonly events: number;
}

/**
 * Events read from the log per page by default. Small pages fold faster than large ones: a page's
 * raw rows are garbage once parsed, and a small page lets them die young instead of being copied
 * by the collector while the rest of a large page is parsed.
 */
export const REBUILD_PAGE = 2_500;

export interface RebuildOptions {
  /** Events read from the log per page; progress is reported after each. */
  readonly pageSize?: number;
  /**
   * Events folded between writes. A rebuild holds every document it has built in memory anyway,
   * so writing each page would only write the busiest documents again and again; a commit (with
   * its checkpoint) every so often keeps what is done if the rebuild is stopped.
   */
  readonly commitEvery?: number;
  /**
   * Asked after each write: whether to let go of the documents held, which are then loaded again
   * as events touch them. By default, when the heap is under pressure: a long log would otherwise
   * be held whole until the rebuild ends.
   */
  readonly release?: () => boolean;
  /**
   * The token of the projection's lease, when the rebuild holds it: each commit is then fenced
   * (see `ReadModelStore.commit`), so a rebuild and a runner never both write the projection.
   */
  readonly token?: number;
}

/**
 * Forgets a projection (its quarantine too) and replays the whole log into it, reporting progress
 * per page. A key whose fold still throws is quarantined again, and the rebuild goes on.
 */
export async function rebuildProjection(
  events: EventStore,
  readModels: ReadModelStore,
  projection: Projection,
  onProgress: (progress: RebuildProgress) => void = () => undefined,
  { pageSize = REBUILD_PAGE, commitEvery = 250_000, release = heapUnderPressure, token }: RebuildOptions = {},
): Promise<RebuildProgress> {
  await readModels.reset(projection.name);
  await projection.prepare?.(events, 0);
  const head = await events.headPosition();
  const cache = new Map<string, unknown>();
  const touched = new Set<string>();
  const quarantine = new QuarantineBook();
  let position = 0;
  let committed = 0;
  let count = 0;
  let uncommitted = 0;
  const commit = async (): Promise<void> => {
    const fence = token === undefined ? undefined : { from: committed, token };
    await commitTouched(events, readModels, projection, cache, touched, position, quarantine, fence);
    committed = position;
    touched.clear();
    uncommitted = 0;
    if (release()) cache.clear();
  };
  for (;;) {
    const page = await events.readAll({ after: position, maxCount: pageSize });
    if (page.length > 0) {
      await foldBatch(events, readModels, projection, page, cache, touched, quarantine);
      position = page[page.length - 1]!.position;
      count += page.length;
      uncommitted += page.length;
      if (uncommitted >= commitEvery) await commit();
      onProgress({ position, head: Math.max(head, position), events: count });
    }
    if (page.length < pageSize) break;
  }
  if (uncommitted > 0) await commit();
  return { position, head: Math.max(head, position), events: count };
}

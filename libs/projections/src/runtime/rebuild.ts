import type { EventStore } from '@throughline/event-store';
import type { ReadModelStore } from '../store/read-model-store';
import { applyBatch } from './apply-batch';
import type { Projection } from './projection';

export interface RebuildProgress {
  readonly position: number;
  readonly head: number;
  readonly events: number;
}

/** Forgets a projection and replays the whole log into it, reporting progress per batch. */
export async function rebuildProjection(
  events: EventStore,
  readModels: ReadModelStore,
  projection: Projection,
  onProgress: (progress: RebuildProgress) => void = () => undefined,
  batchSize = 50_000,
): Promise<RebuildProgress> {
  await readModels.reset(projection.name);
  await projection.prepare?.(events, 0);
  const head = await events.headPosition();
  let position = 0;
  let count = 0;
  const cache = new Map<string, unknown>();
  for (;;) {
    const batch = await events.readAll({ after: position, maxCount: batchSize });
    if (batch.length === 0) break;
    position = await applyBatch(readModels, projection, batch, cache);
    count += batch.length;
    onProgress({ position, head: Math.max(head, position), events: count });
    if (batch.length < batchSize) break;
  }
  return { position, head: Math.max(head, position), events: count };
}

import type { INestApplicationContext } from '@nestjs/common';
import { IngestEventsService } from '@throughline/ingestion';
import { type DemoPublication, generateDemo } from './generate-demo';
import { DEMO_SOURCES } from './sources';

export interface DemoLoadResult {
  readonly subjects: number;
  readonly stored: number;
  readonly duplicates: number;
}

const IDENTITY_TYPES = new Set(['iom.subject.registered.v1', 'iom.subject.identifier-linked.v1']);
const WINDOW_DAYS = 28;
const BATCH = 500;

export interface DemoLoadProgress {
  readonly done: number;
  readonly total: number;
  readonly stored: number;
  readonly duplicates: number;
}

/**
 * Publishes the demo partnership through the same ingestion path agency systems use, as each
 * agency's system, in four-week windows: identity events first (registrations, then links), then
 * everything else, batched per agency. Loading twice stores nothing new (idempotency on source + id).
 */
export async function loadDemoPartnership(
  app: INestApplicationContext,
  options: {
    seed?: number;
    signal?: AbortSignal;
    /** Called after each batch: events sent so far (stored or already present) of the total. */
    onProgress?: (progress: DemoLoadProgress) => void;
  } = {},
): Promise<DemoLoadResult> {
  const ingestion = app.get(IngestEventsService);
  const { publications } = generateDemo({ seed: options.seed ?? 1 });
  const total = publications.length;
  let stored = 0;
  let duplicates = 0;
  for (const window of windows(publications)) {
    const phases = [
      window.filter((p) => p.event.type === 'iom.subject.registered.v1'),
      window.filter((p) => p.event.type === 'iom.subject.identifier-linked.v1'),
      window.filter((p) => !IDENTITY_TYPES.has(p.event.type)),
    ];
    for (const phase of phases) {
      for (const [agency, list] of groupByAgency(phase)) {
        for (let i = 0; i < list.length; i += BATCH) {
          // Between batches the process answers requests (readiness says the demo is loading) and
          // a stopping process lets the batch in hand finish, and no more.
          await new Promise<void>((resolve) => setImmediate(resolve));
          options.signal?.throwIfAborted();
          const batch = list.slice(i, i + BATCH).map((p) => p.event);
          const publisher = { id: `${agency}-demo-system`, agency, sources: DEMO_SOURCES[agency] };
          const results = await ingestion.ingest(batch, publisher);
          for (const result of results) {
            if (result.duplicate) duplicates += 1;
            else stored += 1;
          }
          options.onProgress?.({ done: stored + duplicates, total, stored, duplicates });
        }
      }
    }
  }
  const subjects = publications.filter((p) => p.event.type === 'iom.subject.registered.v1').length;
  return { subjects, stored, duplicates };
}

function* windows(publications: readonly DemoPublication[]): Generator<DemoPublication[]> {
  let current: DemoPublication[] = [];
  let windowEnd = Number.NEGATIVE_INFINITY;
  for (const publication of publications) {
    const at = Date.parse(publication.event.time);
    if (at >= windowEnd && current.length > 0) {
      yield current;
      current = [];
    }
    if (current.length === 0) windowEnd = at + WINDOW_DAYS * 86_400_000;
    current.push(publication);
  }
  if (current.length > 0) yield current;
}

function groupByAgency(
  publications: readonly DemoPublication[],
): Map<DemoPublication['agency'], DemoPublication[]> {
  const groups = new Map<DemoPublication['agency'], DemoPublication[]>();
  for (const publication of publications) {
    const group = groups.get(publication.agency);
    if (group) group.push(publication);
    else groups.set(publication.agency, [publication]);
  }
  return groups;
}

import { DEMO_SOURCES } from '@throughline/demo';
import { subjectStream } from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { type RunningApi, startApi } from './api-server';
import type { Backend } from './backends';
import { percentile, runHttpJob } from './http-load';
import type { FloodJob, FloodResult } from './http-worker';
import { type Figure, fmt } from './report';
import type { Scratch } from './scratch';

export const FLOOD_TITLE = 'Health-check p99 while one subject takes a sustained flood, SQLite';
export const HEALTH_P99_TARGET_MS = 50;
/** Bounded in time and in count: the flood runs this long, or until this many batches were sent. */
const FLOOD_MS = 15_000;
const MAX_BATCHES = 3_000;
/** With the limits raised, the subject is let grow to this many batches' events. */
const RAISED_MAX_BATCHES = 100;
const IDLE_MS = 3_000;
const BATCH = 1_000;
const READERS = 4;
const READ_EVERY_MS = 100;
const PROBE_EVERY_MS = 10;

export interface FloodPhase {
  readonly idle: FloodResult;
  readonly flood: FloodResult;
  /** Events on the flooded subject's stream at the end. */
  readonly subjectEvents: number;
}

export interface FloodRun {
  /** The limits a partnership runs with unless it sets its own. */
  readonly defaults: FloodPhase;
  /** Every limit raised out of the way: what the read path alone makes of a subject this long. */
  readonly raised: FloodPhase;
}

const event = (source: string, type: string, subject: string, data: Record<string, unknown>) => ({
  specversion: '1.0',
  id: 'replaced',
  source,
  type,
  subject,
  time: '2026-01-05T09:00:00Z',
  datacontenttype: 'application/json',
  data,
});

const closeApi = (api: RunningApi): Promise<void> => api.close();

/**
 * One police system credential floods one subject with arrests in batches of 1,000, on loopback,
 * while four officers read the subject (its view and its newest timeline page, each officer once
 * every 100 ms) and /health/live is asked every 10 ms; first the reads and the probe alone, for the
 * baseline. Once with the default limits, once with every limit raised.
 */
export async function measureFlood(scratch: Scratch, backend: Backend): Promise<FloodRun> {
  const defaults = await floodPhase(scratch, await backend.spareEnv(), 'defaults', MAX_BATCHES);
  const raised = await floodPhase(scratch, await backend.spareEnv(), 'capacity', RAISED_MAX_BATCHES);
  return { defaults, raised };
}

async function floodPhase(
  scratch: Scratch,
  env: Backend['env'],
  limits: 'defaults' | 'capacity',
  maxBatches: number,
): Promise<FloodPhase> {
  const api = await startApi(env, { projections: 'thread', limits });
  return scratch.using(`API, flood with ${limits} limits`, api, closeApi, async () => {
    const source = DEMO_SOURCES.police[0]!;
    const token = api.systemTokens.get('police')!;
    const pnc = 'pnc:2019/0423117Y';
    const registered = await fetch(`${api.baseUrl}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({
        ...event(source, 'iom.subject.registered.v1', pnc, {
          givenName: 'Flood',
          familyName: 'Subject',
          dateOfBirth: '1990-04-12',
          gender: 'male',
          identifiers: [],
        }),
        id: 'flood-registration',
      }),
    });
    if (registered.status !== 200)
      throw new Error(`registering the flooded subject: ${registered.status} ${await registered.text()}`);
    const { subjectId } = (await registered.json()) as { subjectId: string };
    const arrest = event(source, 'iom.arrest.recorded.v1', pnc, {
      offence: 'Burglary dwelling',
      offenceGroup: 'burglary',
      arrestedAt: '2026-01-05T08:30:00Z',
      custodySuite: 'Northfield',
    });
    const readers = await Promise.all(
      Array.from({ length: READERS }, async (_, i) => ({
        token: await api.mintPerson('police', 'iom-officer', `bench-flood-reader-${i}`),
        paths: [`/v1/subjects/${subjectId}`, `/v1/subjects/${subjectId}/timeline?limit=50`],
      })),
    );
    const job = (durationMs: number, batches: number): FloodJob => ({
      kind: 'flood',
      baseUrl: api.baseUrl,
      token,
      event: JSON.stringify(arrest),
      batchSize: BATCH,
      maxBatches: batches,
      durationMs,
      readers,
      readEveryMs: READ_EVERY_MS,
      probeEveryMs: PROBE_EVERY_MS,
    });
    const idle = await runHttpJob(job(IDLE_MS, 0));
    const flood = await runHttpJob(job(FLOOD_MS, maxBatches));
    const subjectEvents = (await api.app.get(EventStore).streamRevision(subjectStream(subjectId))) + 1;
    return { idle, flood, subjectEvents };
  });
}

const p = (values: readonly number[], q: number): string => fmt(percentile(values, q), 1);

const describePhase = (phase: FloodPhase): string => {
  const { flood } = phase;
  const posts = Object.entries(flood.posts)
    .map(([status, count]) => `${fmt(count)} answered ${status}`)
    .join(', ');
  return `${fmt(flood.batches)} batches of ${fmt(BATCH)} posted in ${fmt(flood.elapsedMs / 1000, 1)} s (${posts}); the subject's stream ended at ${fmt(phase.subjectEvents)} events; health p50 ${p(flood.healthLatenciesMs, 0.5)} ms, p99 ${p(flood.healthLatenciesMs, 0.99)} ms, max ${p(flood.healthLatenciesMs, 1)} ms over ${fmt(flood.healthLatenciesMs.length)} probes; reads ${JSON.stringify(flood.reads)}, p50 ${p(flood.readLatenciesMs, 0.5)} ms, p99 ${p(flood.readLatenciesMs, 0.99)} ms${flood.firstUnexpected ? `; first unexpected answer: ${flood.firstUnexpected}` : ''}`;
};

export function floodFigure(key: string, run: FloodRun): Figure {
  const flooded = percentile(run.defaults.flood.healthLatenciesMs, 0.99);
  const idle = percentile(run.defaults.idle.healthLatenciesMs, 0.99);
  const raised = percentile(run.raised.flood.healthLatenciesMs, 0.99);
  return {
    kind: 'figure',
    key,
    title: FLOOD_TITLE,
    issue: 'hardening',
    result: `health p99 ${fmt(flooded, 1)} ms under the flood with the default limits (${fmt(raised, 1)} ms with every limit raised and the subject grown to ${fmt(run.raised.subjectEvents)} events)`,
    baseline: `health p99 ${fmt(idle, 1)} ms with the same reads and no flood`,
    ratio: flooded / idle,
    target: `health p99 < ${HEALTH_P99_TARGET_MS} ms with the default limits`,
    met: flooded < HEALTH_P99_TARGET_MS,
    details: [
      `default limits: ${describePhase(run.defaults)}`,
      `every limit raised: ${describePhase(run.raised)}`,
      `no flood, default limits: health p50 ${p(run.defaults.idle.healthLatenciesMs, 0.5)} ms, p99 ${p(run.defaults.idle.healthLatenciesMs, 0.99)} ms; reads ${JSON.stringify(run.defaults.idle.reads)}; with limits raised: health p99 ${p(run.raised.idle.healthLatenciesMs, 0.99)} ms`,
    ],
  };
}

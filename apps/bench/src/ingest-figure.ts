import { BATCH } from '@throughline/ingestion';
import type { RunningApi } from './api-server';
import type { IngestBatch } from './demo-batches';
import { percentile, runHttpJob } from './http-load';
import { medianRound, medianThroughput, type Throughput, throughput } from './raw-store';
import { type Figure, fmt, rateTarget } from './report';

export const INGEST_TARGET = 15_000;

/**
 * Each side runs this many times, each HTTP round into a fresh API on fresh storage and each raw
 * round into an empty store, and keeps its median: one pass takes seconds, and a burst of other
 * work on a shared machine moves a single pass by a fifth either way.
 */
export const INGEST_ROUNDS = 5;

/** The HTTP round whose acknowledged rate is the median: the figure, and the Kafka figures' baseline. */
export const medianRun = (rounds: readonly HttpIngestRun[]): HttpIngestRun =>
  medianRound(rounds, (round) => round.acknowledged.perSecond);

export interface HttpIngestRun {
  /** Acknowledged events per second: validated, authorized, appended and answered. */
  readonly acknowledged: Throughput;
  /** From the first request until the API's projections had applied the whole log. */
  readonly projected?: Throughput;
  readonly batches: number;
  readonly batchP50Ms: number;
  readonly batchP99Ms: number;
}

/**
 * Sends the batches over real HTTP, one at a time as each agency's system would; when the API runs
 * its projections, it then waits for them to reach the head of the log.
 */
export async function ingestOverHttp(
  api: RunningApi,
  batches: readonly IngestBatch[],
  options: { readonly waitForProjections: boolean },
): Promise<HttpIngestRun> {
  const posts = batches.map((batch) => {
    const token = api.systemTokens.get(batch.agency);
    if (!token) throw new Error(`no system token for ${batch.agency}`);
    return { token, body: batch.body };
  });
  const result = await runHttpJob({
    kind: 'post',
    url: `${api.baseUrl}/v1/events`,
    contentType: BATCH,
    posts,
  });
  if (result.firstError) throw new Error(`the API refused a batch: ${result.firstError}`);
  const answered = performance.now();
  if (options.waitForProjections) await api.projectionsCaughtUp(180_000);
  const events = batches.reduce((sum, batch) => sum + batch.count, 0);
  return {
    acknowledged: throughput(events, result.elapsedMs),
    ...(options.waitForProjections
      ? { projected: throughput(events, result.elapsedMs + performance.now() - answered) }
      : {}),
    batches: batches.length,
    batchP50Ms: percentile(result.latenciesMs, 0.5),
    batchP99Ms: percentile(result.latenciesMs, 0.99),
  };
}

/**
 * @param rounds the HTTP rounds; the figure is the one whose acknowledged rate is the median.
 * @param rawRounds the raw append's rounds; the baseline is their median.
 * @param apart the same ingestion with the API's projections switched off (left to a worker, as a
 *   scaled deployment runs them): how much the projections running beside ingestion cost it.
 */
export function ingestFigure(
  key: string,
  backend: string,
  rounds: readonly HttpIngestRun[],
  rawRounds: readonly Throughput[],
  apart: HttpIngestRun | undefined,
): Figure {
  const http = medianRun(rounds);
  const raw = medianThroughput(rawRounds);
  const events = http.acknowledged.events;
  const projected = http.projected;
  return {
    kind: 'figure',
    key,
    title: `HTTP batch ingestion, ${backend}`,
    issue: 2,
    result: `${fmt(http.acknowledged.perSecond)} events/s`,
    baseline: `${fmt(raw.perSecond)} events/s (appendMany, 500 per transaction)`,
    ratio: http.acknowledged.perSecond / raw.perSecond,
    target: rateTarget(INGEST_TARGET, backend),
    met: http.acknowledged.perSecond >= INGEST_TARGET,
    details: [
      `${fmt(events)} demo events in ${fmt(http.batches)} batches (mean ${fmt(events / http.batches)} events), acknowledged in ${fmt(http.acknowledged.ms)} ms (median of ${rounds.length} rounds, each into a fresh API on fresh storage: ${rounds.map((round) => fmt(round.acknowledged.perSecond)).join(', ')} events/s)`,
      `per batch: p50 ${fmt(http.batchP50Ms, 1)} ms, p99 ${fmt(http.batchP99Ms, 1)} ms`,
      ...(projected
        ? [
            `until the API's projections had caught up: ${fmt(projected.perSecond)} events/s (${fmt(projected.ms)} ms)`,
          ]
        : []),
      ...(apart
        ? [
            `the same ingestion with projections left to a worker (not run in the API): ${fmt(apart.acknowledged.perSecond)} events/s (ratio to raw ${fmt(apart.acknowledged.perSecond / raw.perSecond, 3)}; per batch p50 ${fmt(apart.batchP50Ms, 1)} ms)`,
          ]
        : []),
      `raw store: ${fmt(raw.events)} events (the log as stored: the demo's events and the sharing agreement) in ${fmt(raw.ms)} ms into an empty store (median of ${rawRounds.length} rounds: ${rawRounds.map((round) => fmt(round.perSecond)).join(', ')} events/s)`,
    ],
  };
}

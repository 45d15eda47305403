import { loadavg } from 'node:os';
import { generateDemo } from '@throughline/demo';
import type { EventStore } from '@throughline/event-store';
import { type RunningApi, startApi } from './api-server';
import { type Backend, openLog, openRawStore, sqliteBackend } from './backends';
import { demoBatches, type IngestBatch } from './demo-batches';
import { percentile, runHttpJob } from './http-load';
import { type HttpIngestRun, ingestOverHttp, medianRun } from './ingest-figure';
import { formatLoad } from './machine';
import { measureReadCosts } from './policy-cost';
import { medianThroughput, rawBatches, readWholeLog, type Throughput, timeRawAppend } from './raw-store';
import { officerReads, READ_PURPOSE } from './reads-figure';
import { measureRebuild, type RebuildRun } from './rebuild-figure';
import { type Figure, fmt } from './report';
import type { Scratch } from './scratch';
import { type ThreadTimes, threadTimes, timesBetween } from './thread-cpu';

export const SCALE_TITLE = 'The same bench at the demo size and at ten times it, SQLite';
export const SCALE_ISSUE = 'lawful by construction';
/** The demo partnership's size, and the multiple the figure grows it by. */
export const DEMO_SUBJECTS = 320;
export const SCALE_FACTOR = 10;
/** The issue's target for audited subject reads at the larger size. */
export const SCALE_READS_TARGET = 4_000;
export const SCALE_P99_TARGET_MS = 15;
/** Connections of the read load, as the issue sets them. */
export const SCALE_CONNECTIONS = 16;
/**
 * Rounds of each part. A demo-size ingestion or raw append takes a second or two, which a burst of
 * other work on a shared machine moves by a fifth, so it runs three times and keeps the median;
 * at ten times the size one round is long enough to ride such bursts out, and the figure stays
 * within a few minutes.
 */
const INGEST_ROUNDS: Readonly<Record<number, number>> = { 1: 3, [SCALE_FACTOR]: 1 };
const REBUILD_ROUNDS = 3;
const READ_ROUNDS = 3;
const READ_WARMUP_MS = 1_000;
const READ_DURATION_MS = 4_000;

/** The audited read load at one size: its median round, with what the threads spent on it. */
export interface ScaleReads {
  readonly subjects: number;
  readonly rounds: readonly { readonly perSecond: number; readonly p99Ms: number }[];
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly statuses: Record<string, number>;
  /** The API's thread (the one answering requests) over the median round's measured window. */
  readonly api: ThreadTimes | undefined;
  /** The load generator's thread over the same window. */
  readonly generator: ThreadTimes | undefined;
  /** Whole-document loads in-process (the raw store's part of a read), mean µs. */
  readonly rawGetUs: number;
  /** `SubjectReader.read` in-process, serving kept cuts, mean µs. */
  readonly inProcessReadUs: number;
}

export interface SizeRun {
  readonly factor: number;
  readonly subjects: number;
  readonly events: number;
  readonly batches: number;
  readonly ingest: HttpIngestRun;
  readonly ingestRounds: readonly number[];
  readonly rawAppend: Throughput;
  readonly rebuild: RebuildRun;
  readonly reads: ScaleReads;
  readonly load: string;
}

export interface ScaleRun {
  readonly demo: SizeRun;
  readonly scaled: SizeRun;
}

const closeApi = (api: RunningApi): Promise<void> => api.close();
const closeStore = (store: EventStore): Promise<void> => store.close();

/**
 * The same bench at the demo size and at ten times its subjects (and so its events): HTTP batch
 * ingestion, a full rebuild and audited subject reads, each beside its raw-store baseline, on
 * fresh SQLite storage for each size.
 */
export async function measureScale(
  scratch: Scratch,
  seed: number,
  step: (text: string) => void,
): Promise<ScaleRun> {
  const demo = await measureSize(scratch, seed, 1, step);
  const scaled = await measureSize(scratch, seed, SCALE_FACTOR, step);
  return { demo, scaled };
}

async function measureSize(
  scratch: Scratch,
  seed: number,
  factor: number,
  step: (text: string) => void,
): Promise<SizeRun> {
  const subjects = DEMO_SUBJECTS * factor;
  step(`${factor}x: generating the demo partnership with ${fmt(subjects)} subjects`);
  const batches = demoPartnership(seed, subjects);
  const events = batches.reduce((sum, batch) => sum + batch.count, 0);
  const first = await sqliteBackend(scratch);

  step(`${factor}x: POST /v1/events, ${fmt(events)} events in ${fmt(batches.length)} batches, then reads`);
  const api = await startApi(first.env, { projections: 'thread' });
  const { ingested, reads } = await scratch.using('API', api, closeApi, async (running) => {
    const ingested = await ingestOverHttp(running, batches, { waitForProjections: true });
    step(`${factor}x: GET /v1/subjects/{id} audited, ${SCALE_CONNECTIONS} connections`);
    return { ingested, reads: await measureReads(running) };
  });
  const rounds = [ingested];
  while (rounds.length < (INGEST_ROUNDS[factor] ?? 1)) {
    step(`${factor}x: the same ingestion into fresh storage, round ${rounds.length + 1}`);
    const spare = await startApi(await first.spareEnv(), { projections: 'thread' });
    rounds.push(
      await scratch.using('API', spare, closeApi, (running) =>
        ingestOverHttp(running, batches, { waitForProjections: true }),
      ),
    );
  }

  step(`${factor}x: projection rebuild and raw readAll, ${REBUILD_ROUNDS} rounds each`);
  const rebuild = await measureRebuild(first.site, REBUILD_ROUNDS);
  const rawAppend = await measureRawAppend(scratch, first, rounds.length, step, factor);
  return {
    factor,
    subjects,
    events,
    batches: batches.length,
    ingest: medianRun(rounds),
    ingestRounds: rounds.map((round) => round.acknowledged.perSecond),
    rawAppend,
    rebuild,
    reads,
    load: formatLoad(loadavg()),
  };
}

/** The demo partnership at a size, as agency systems would batch it; the events themselves are let go. */
function demoPartnership(seed: number, subjects: number): IngestBatch[] {
  return demoBatches(generateDemo({ seed, subjects }).publications);
}

/** The log the API wrote, appended raw into empty stores: the ingestion's baseline. */
async function measureRawAppend(
  scratch: Scratch,
  backend: Backend,
  rounds: number,
  step: (text: string) => void,
  factor: number,
): Promise<Throughput> {
  const events = await scratch.using('log', await openLog(backend.site), closeStore, readWholeLog);
  const batches = rawBatches(events);
  const raw: Throughput[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    step(`${factor}x: raw appendMany of the same ${fmt(events.length)} events, round ${round}`);
    const store = await openRawStore(backend.site, round);
    raw.push(await scratch.using('raw store', store, closeStore, (empty) => timeRawAppend(empty, batches)));
  }
  return medianThroughput(raw);
}

/**
 * GET /v1/subjects/{id} as the reads figure drives it, with the issue's 16 connections: a few
 * short rounds, keeping the median by reads per second, with the CPU the API's thread and the
 * load generator's thread each spent in it. Then the in-process steps of the same read.
 */
async function measureReads(api: RunningApi): Promise<ScaleReads> {
  // Every subject is read once in-process first, so each cut is made before the clock starts.
  const { principal, docs, job } = await officerReads(api);
  const rounds: (Omit<ScaleReads, 'subjects' | 'rounds' | 'rawGetUs' | 'inProcessReadUs'> & {
    readonly latencies: number[];
  })[] = [];
  for (let round = 0; round < READ_ROUNDS; round += 1) {
    let from: ThreadTimes | undefined;
    let api: ThreadTimes | undefined;
    const atFrom = setTimeout(() => (from = threadTimes()), READ_WARMUP_MS);
    const atEnd = setTimeout(
      () => (api = timesBetween(from, threadTimes())),
      READ_WARMUP_MS + READ_DURATION_MS,
    );
    const load = await runHttpJob({
      ...job({ warmupMs: READ_WARMUP_MS, durationMs: READ_DURATION_MS }),
      connections: SCALE_CONNECTIONS,
    }).finally(() => {
      clearTimeout(atFrom);
      clearTimeout(atEnd);
    });
    if (load.firstError) throw new Error(`a read failed: ${load.firstError}`);
    rounds.push({
      perSecond: (load.requests / load.elapsedMs) * 1000,
      p50Ms: percentile(load.latenciesMs, 0.5),
      p99Ms: percentile(load.latenciesMs, 0.99),
      requests: load.requests,
      statuses: load.statuses,
      api,
      generator: load.generator,
      latencies: load.latenciesMs,
    });
  }
  const median = [...rounds].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(rounds.length / 2)]!;
  const { latencies: _latencies, ...kept } = median;
  const costs = await measureReadCosts(api.app, principal, READ_PURPOSE, docs);
  return {
    ...kept,
    subjects: docs.length,
    rounds: rounds.map(({ perSecond, p99Ms }) => ({ perSecond, p99Ms })),
    rawGetUs: costs.rawGetUs,
    inProcessReadUs: costs.readUs,
  };
}

const describeReads = (reads: ScaleReads): string =>
  `audited reads ${fmt(reads.perSecond)} reads/s, p50 ${fmt(reads.p50Ms, 1)} ms, p99 ${fmt(reads.p99Ms, 1)} ms`;

const describeSize = (run: SizeRun): string =>
  `${describeReads(run.reads)}; ingestion ${fmt(run.ingest.acknowledged.perSecond)} events/s; rebuild ${fmt(run.rebuild.rebuild.perSecond)} events/s`;

const sizeName = (run: SizeRun): string =>
  `${run.factor === 1 ? 'demo size' : `${run.factor}x`} (${fmt(run.subjects)} subjects, ${fmt(run.events)} events)`;

/** What the threads spent per read: the API's own, the load generator's, and their waits for a core. */
function threadsLine(reads: ScaleReads): string {
  const seconds = READ_DURATION_MS / 1000;
  const perRead = (times: ThreadTimes): string =>
    `${fmt((times.cpuMs * 1000) / reads.requests)} µs of CPU per read (${fmt(times.cpuMs / 10 / seconds)}% of a core; waited ${fmt(times.waitMs)} ms for one)`;
  const parts = [
    reads.api ? `the API's thread ${perRead(reads.api)}` : undefined,
    reads.generator ? `the load generator's thread ${perRead(reads.generator)}` : undefined,
  ].filter((part): part is string => part !== undefined);
  return parts.length > 0
    ? `over the median round's ${seconds} s: ${parts.join('; ')}`
    : 'thread CPU times are not available on this system';
}

function sizeDetails(run: SizeRun): string[] {
  const { ingest, rawAppend, rebuild, reads } = run;
  const name = sizeName(run);
  const rounds = run.ingestRounds.length;
  return [
    `${name}, ingestion: ${fmt(ingest.acknowledged.perSecond)} events/s over HTTP in ${fmt(run.batches)} batches (${rounds > 1 ? `median of ${rounds} rounds, each into a fresh API: ${run.ingestRounds.map((rate) => fmt(rate)).join(', ')}` : 'one round'}; per batch p50 ${fmt(ingest.batchP50Ms, 1)} ms, p99 ${fmt(ingest.batchP99Ms, 1)} ms); raw appendMany ${fmt(rawAppend.perSecond)} events/s; ratio ${fmt(ingest.acknowledged.perSecond / rawAppend.perSecond, 3)}`,
    `${name}, rebuild: ${fmt(rebuild.rebuild.perSecond)} events/s (${fmt(rebuild.rebuild.ms)} ms, median of ${REBUILD_ROUNDS}); raw readAll ${fmt(rebuild.readAll.perSecond)} events/s; ratio ${fmt(rebuild.rebuild.perSecond / rebuild.readAll.perSecond, 3)}`,
    `${name}, ${describeReads(reads)} over the ${fmt(reads.subjects)} subjects the officer may see (median of ${reads.rounds.length} rounds: ${reads.rounds.map((round) => `${fmt(round.perSecond)} reads/s, p99 ${fmt(round.p99Ms, 1)} ms`).join('; ')}); statuses ${JSON.stringify(reads.statuses)}; raw whole-document loads ${fmt(1e6 / reads.rawGetUs)} loads/s (${fmt(reads.rawGetUs)} µs each); ratio ${fmt((reads.perSecond * reads.rawGetUs) / 1e6, 3)}; the in-process read serving kept cuts ${fmt(reads.inProcessReadUs)} µs`,
    `${name}, ${threadsLine(reads)}; load average after this size ${run.load}`,
  ];
}

export function scaleFigure(key: string, run: ScaleRun): Figure {
  const { demo, scaled } = run;
  const growth = (of: (size: SizeRun) => number, digits = 2): string => fmt(of(scaled) / of(demo), digits);
  const reads = scaled.reads;
  return {
    kind: 'figure',
    key,
    title: SCALE_TITLE,
    issue: SCALE_ISSUE,
    result: `${sizeName(scaled)}: ${describeSize(scaled)}`,
    baseline: `${sizeName(demo)}: ${describeSize(demo)}`,
    ratio: reads.perSecond / demo.reads.perSecond,
    target: `audited reads at ${SCALE_FACTOR}x >= ${fmt(SCALE_READS_TARGET)} reads/s with p99 < ${SCALE_P99_TARGET_MS} ms`,
    met: reads.perSecond >= SCALE_READS_TARGET && reads.p99Ms < SCALE_P99_TARGET_MS,
    details: [
      `growth ${SCALE_FACTOR}x / demo size: ingestion rate ${growth((size) => size.ingest.acknowledged.perSecond)}, rebuild rate ${growth((size) => size.rebuild.rebuild.perSecond)}, audited read rate ${growth((size) => size.reads.perSecond)}, read p99 ${growth((size) => size.reads.p99Ms)}; raw append rate ${growth((size) => size.rawAppend.perSecond)}, raw readAll rate ${growth((size) => size.rebuild.readAll.perSecond)}, whole-document load time ${growth((size) => size.reads.rawGetUs)} (the ratio column is the audited read rate's growth)`,
      ...sizeDetails(demo),
      ...sizeDetails(scaled),
    ],
  };
}

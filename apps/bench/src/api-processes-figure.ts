import { TokenService } from '@throughline/auth';
import { DEMO_SOURCES } from '@throughline/demo';
import type { DefaultAgency } from '@throughline/domain';
import { BATCH } from '@throughline/ingestion';
import { loadConfig } from '@throughline/platform';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Backend } from './backends';
import type { IngestBatch } from './demo-batches';
import { percentile, runHttpJob } from './http-load';
import { formatLoad } from './machine';
import { medianRound, type Throughput, throughput } from './raw-store';
import { type Figure, fmt, rateTarget } from './report';
import { INGEST_TARGET } from './ingest-figure';
import type { Scratch } from './scratch';
import { type ServeProcess, startServe } from './serve-process';

export const API_PROCESSES_TITLE = 'HTTP batch ingestion, PostgreSQL: two API processes against one';

/** Each shape runs this many times, taking turns with the other, each on a fresh database. */
export const API_PROCESSES_ROUNDS = 5;
const LAG_SAMPLE_MS = 100;
const CATCH_UP_TIMEOUT_MS = 180_000;

const REGISTERED = 'iom.subject.registered.v1';
const LINKED = 'iom.subject.identifier-linked.v1';

/** What `GET /v1/projections` said, the worst projection's lag, and when. */
interface LagSample {
  readonly atMs: number;
  /** Positions behind the head of the log, the most of any projection (about that many events). */
  readonly lag: number;
}

export interface ShapeRun {
  readonly processes: number;
  readonly acknowledged: Throughput;
  readonly batchP50Ms: number;
  readonly batchP99Ms: number;
  /** The most any projection lagged while the batches were being sent. */
  readonly maxLag: number;
  /** The lag when the last batch was acknowledged. */
  readonly lagAtEnd: number;
  /** From the last acknowledgement until every projection had reached the head. */
  readonly catchUpMs: number;
  readonly samples: number;
  /** CPU time the API processes used while the batches were sent (the first one's projections thread included). */
  readonly apiCpuMs: number | undefined;
}

export interface ApiProcessesRun {
  readonly one: readonly ShapeRun[];
  readonly two: readonly ShapeRun[];
  readonly events: number;
  readonly batches: number;
  readonly clients: number;
  /** The load average (1, 5, 15 min) before the first round and after the last. */
  readonly load: { readonly before: readonly number[]; readonly after: readonly number[] };
}

/** Bearer tokens minted from the keys under the shared DATA_DIR, which every process verifies with. */
interface Tokens {
  readonly systems: ReadonlyMap<DefaultAgency, string>;
  readonly operator: string;
}

/**
 * The demo batches as agency systems send them at once: first the identity batches (registrations,
 * then links) from one client in order, since an event about a subject not yet registered is
 * refused; then each agency's other batches from a client of its own, in its order, all agencies
 * together.
 */
function phasesOf(batches: readonly IngestBatch[]): IngestBatch[][][] {
  const identity = (batch: IngestBatch): boolean =>
    (JSON.parse(batch.body) as { type: string }[]).every(
      (event) => event.type === REGISTERED || event.type === LINKED,
    );
  const firstOther = batches.findIndex((batch) => !identity(batch));
  const split = firstOther === -1 ? batches.length : firstOther;
  const byAgency = new Map<DefaultAgency, IngestBatch[]>();
  for (const batch of batches.slice(split)) {
    byAgency.set(batch.agency, [...(byAgency.get(batch.agency) ?? []), batch]);
  }
  return [[batches.slice(0, split)], [...byAgency.values()]];
}

/**
 * One round of one shape on a fresh database: `processes` API processes (`serve`, spawned from the
 * built CLI), the first running the projections (RUN_PROJECTIONS=true, on its thread) and the
 * others none (RUN_PROJECTIONS=false), so both shapes do the same projection work in one process;
 * the agencies' clients spread their batches over them. The projections' lag is sampled from the
 * first process every 100 ms until every projection has reached the head.
 */
async function runShape(
  scratch: Scratch,
  env: Backend['env'],
  tokens: Tokens,
  phases: readonly (readonly (readonly IngestBatch[])[])[],
  processes: number,
): Promise<ShapeRun> {
  const started: ServeProcess[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(started.map((process) => process.stop()));
  };
  const config = {
    DATA_DIR: env.DATA_DIR,
    ...(env.DATABASE_URL ? { DATABASE_URL: env.DATABASE_URL } : {}),
    ...(env.AUDIT_SIGNING_KEY_FILE ? { AUDIT_SIGNING_KEY_FILE: env.AUDIT_SIGNING_KEY_FILE } : {}),
  };
  return scratch.using(`${processes} serve process(es)`, started, stopAll, async () => {
    // One after the other: the first creates the schema, which the others then find.
    for (let n = 0; n < processes; n += 1) {
      started.push(await startServe({ ...config, RUN_PROJECTIONS: n === 0 ? 'true' : 'false' }));
    }
    const projector = started[0]!.baseUrl;
    const lagNow = async (): Promise<LagSample> => {
      const response = await fetch(`${projector}/v1/projections`, {
        headers: { authorization: `Bearer ${tokens.operator}` },
      });
      if (!response.ok) throw new Error(`GET /v1/projections answered ${response.status}`);
      const body = (await response.json()) as { projections: { lag: number }[] };
      return { atMs: performance.now(), lag: Math.max(0, ...body.projections.map((p) => p.lag)) };
    };

    const events = phases.flat(2).reduce((sum, batch) => sum + batch.count, 0);
    const cpuBefore = started.map((process) => cpuMsOf(process.pid));
    const load = runHttpJob({
      kind: 'spread',
      urls: started.map((process) => `${process.baseUrl}/v1/events`),
      contentType: BATCH,
      phases: phases.map((clients) =>
        clients.map((batches) =>
          batches.map((batch) => {
            const token = tokens.systems.get(batch.agency);
            if (!token) throw new Error(`no system token for ${batch.agency}`);
            return { token, body: batch.body };
          }),
        ),
      ),
    });
    let ended: number | undefined;
    const finished = load.then(
      () => (ended = performance.now()),
      () => (ended = performance.now()),
    );
    const during: LagSample[] = [];
    while (ended === undefined) {
      during.push(await lagNow());
      await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, LAG_SAMPLE_MS))]);
    }
    const result = await load;
    if (result.firstError) throw new Error(`an API process refused a batch: ${result.firstError}`);
    const cpuAfter = started.map((process) => cpuMsOf(process.pid));
    const atEnd = await lagNow();
    let last = atEnd;
    let samples = during.length + 1;
    while (last.lag > 0) {
      if (last.atMs - ended > CATCH_UP_TIMEOUT_MS) {
        throw new Error(
          `the projections were still ${last.lag} behind ${CATCH_UP_TIMEOUT_MS} ms after the load`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, LAG_SAMPLE_MS));
      last = await lagNow();
      samples += 1;
    }
    return {
      processes,
      acknowledged: throughput(events, result.elapsedMs),
      batchP50Ms: percentile(result.latenciesMs, 0.5),
      batchP99Ms: percentile(result.latenciesMs, 0.99),
      maxLag: Math.max(atEnd.lag, ...during.map((sample) => sample.lag)),
      lagAtEnd: atEnd.lag,
      catchUpMs: last.atMs - ended,
      samples,
      apiCpuMs: sumDifferences(cpuBefore, cpuAfter),
    };
  });
}

/** Clock ticks a second, for the times in /proc/<pid>/stat. */
let ticksPerSecond: number | undefined;

/** The CPU time (user and system, every thread) a process has used so far; undefined off Linux. */
function cpuMsOf(pid: number): number | undefined {
  try {
    // The command name, field 2, is in parentheses and may hold spaces: count from after it.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    // utime and stime are fields 14 and 15, so 11 and 12 after the name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

function sumDifferences(
  before: readonly (number | undefined)[],
  after: readonly (number | undefined)[],
): number | undefined {
  let sum = 0;
  for (const [index, start] of before.entries()) {
    const end = after[index];
    if (start === undefined || end === undefined) return undefined;
    sum += end - start;
  }
  return sum;
}

async function mintTokens(dataDir: string): Promise<Tokens> {
  const tokens = new TokenService(loadConfig({ DATA_DIR: dataDir }));
  const systems = new Map<DefaultAgency, string>();
  for (const [agency, sources] of Object.entries(DEMO_SOURCES) as [DefaultAgency, readonly string[]][]) {
    systems.set(agency, await tokens.mint({ agency, system: true, sources, ttlSeconds: 3600 }));
  }
  const operator = await tokens.mint({
    agency: 'police',
    role: 'partnership-admin',
    user: 'bench-operator',
    ttlSeconds: 3600,
  });
  return { systems, operator };
}

/**
 * The demo's HTTP batch ingestion into PostgreSQL (event log, read models and audit log), through
 * one API process and through two, taking turns, each round on a fresh database; the keys under
 * the one DATA_DIR every process shares are made (by minting the tokens) before any starts.
 */
export async function measureApiProcesses(
  scratch: Scratch,
  backend: Backend,
  batches: readonly IngestBatch[],
  onRound: (text: string) => void,
): Promise<ApiProcessesRun> {
  if (backend.site.kind !== 'postgres') throw new Error('the two-process figure is measured on PostgreSQL');
  const tokens = await mintTokens(backend.env.DATA_DIR);
  const phases = phasesOf(batches);
  const before = loadavg();
  const one: ShapeRun[] = [];
  const two: ShapeRun[] = [];
  for (let round = 1; round <= API_PROCESSES_ROUNDS; round += 1) {
    // Which shape goes first alternates, so neither always has the machine fresher.
    for (const processes of round % 2 === 1 ? [1, 2] : [2, 1]) {
      onRound(`${processes === 1 ? 'one API process' : 'two API processes'}, round ${round}`);
      const run = await runShape(scratch, await backend.spareEnv(), tokens, phases, processes);
      (processes === 1 ? one : two).push(run);
    }
  }
  return {
    one,
    two,
    events: batches.reduce((sum, batch) => sum + batch.count, 0),
    batches: batches.length,
    clients: Math.max(...phases.map((phase) => phase.length)),
    load: { before, after: loadavg() },
  };
}

const median = (runs: readonly ShapeRun[]): ShapeRun =>
  medianRound(runs, (run) => run.acknowledged.perSecond);

/** The CPU the API processes used per 1,000 events, the median of the rounds; undefined off Linux. */
const cpuPerThousand = (runs: readonly ShapeRun[]): number | undefined => {
  const perRound = runs.map((run) =>
    run.apiCpuMs === undefined ? undefined : (run.apiCpuMs * 1000) / run.acknowledged.events,
  );
  if (perRound.some((value) => value === undefined)) return undefined;
  const sorted = (perRound as number[]).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const describeShape = (label: string, runs: readonly ShapeRun[]): string => {
  const run = median(runs);
  const cpu = cpuPerThousand(runs);
  return [
    `${label}: ${fmt(run.acknowledged.perSecond)} events/s (median of ${runs.length} rounds: ${runs.map((r) => fmt(r.acknowledged.perSecond)).join(', ')})`,
    `per batch p50 ${fmt(run.batchP50Ms, 1)} ms, p99 ${fmt(run.batchP99Ms, 1)} ms`,
    `projection lag at most ${fmt(run.maxLag)}, ${fmt(run.lagAtEnd)} when the last batch was acknowledged, every projection at the head ${fmt(run.catchUpMs)} ms after it (that round; the most in each round: ${runs.map((r) => fmt(r.maxLag)).join(', ')})`,
    ...(cpu === undefined
      ? []
      : [
          `CPU of the API processes while the batches were sent: ${fmt(cpu, 1)} ms per 1,000 events (median of the rounds)`,
        ]),
  ].join('; ');
};

export function apiProcessesFigure(key: string, run: ApiProcessesRun): Figure {
  const one = median(run.one);
  const two = median(run.two);
  return {
    kind: 'figure',
    key,
    title: API_PROCESSES_TITLE,
    issue: 'scale-out',
    result: `${fmt(two.acknowledged.perSecond)} events/s with two API processes`,
    baseline: `${fmt(one.acknowledged.perSecond)} events/s with one API process`,
    ratio: two.acknowledged.perSecond / one.acknowledged.perSecond,
    target: rateTarget(INGEST_TARGET, 'PostgreSQL'),
    met: two.acknowledged.perSecond >= INGEST_TARGET,
    details: [
      `${fmt(run.events)} demo events in ${fmt(run.batches)} batches, sent by ${run.clients} agency clients at once (the identity batches first, from one), each client's batches taking turns over the processes`,
      describeShape('one API process (projections on its thread)', run.one),
      describeShape("two API processes (projections on the first one's thread, none on the second)", run.two),
      `load average ${formatLoad(run.load.before)} before the first round, ${formatLoad(run.load.after)} after the last: the machine's other work shares its cores with everything measured here`,
    ],
  };
}

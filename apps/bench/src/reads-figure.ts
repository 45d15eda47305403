import type { Principal } from '@throughline/auth';
import { type SubjectDoc, SubjectDocs, SubjectReader } from '@throughline/subjects';
import type { RunningApi } from './api-server';
import { percentile, runHttpJob } from './http-load';
import type { GetJob } from './http-worker';
import { measureReadCosts, type ReadCosts } from './policy-cost';
import { type Figure, fmt } from './report';

export const READS_TARGET = 2_000;
export const P99_TARGET_MS = 25;
export const READ_CONNECTIONS = 32;
const WARMUP_MS = 2_000;
const DURATION_MS = 10_000;
export const READ_PURPOSE = 'case-management' as const;

export interface ReadsRun {
  readonly subjects: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly statuses: Record<string, number>;
  readonly costs: ReadCosts;
}

/** The read both reads figures drive: one view, as one officer, over every subject they may see. */
export interface OfficerReads {
  readonly principal: Principal;
  readonly docs: readonly SubjectDoc[];
  readonly job: (timing: { readonly warmupMs: number; readonly durationMs: number }) => GetJob;
}

export async function officerReads(api: RunningApi): Promise<OfficerReads> {
  const principal: Principal = {
    kind: 'person',
    id: 'bench-iom-officer',
    agency: 'police',
    role: 'iom-officer',
    sources: [],
  };
  const reader = api.app.get(SubjectReader);
  const docs: SubjectDoc[] = [];
  // Only subjects the officer may see, so every request does the whole read and answers 200.
  for (const doc of await api.app.get(SubjectDocs).currentAll()) {
    if (await reader.read(principal, doc.subjectId, READ_PURPOSE)) docs.push(doc);
  }
  if (docs.length === 0) throw new Error('the police IOM officer can see no subject: is the demo loaded?');
  const token = await api.mintPerson(principal.agency, principal.role, principal.id);
  return {
    principal,
    docs,
    job: (timing) => ({
      kind: 'get',
      baseUrl: api.baseUrl,
      paths: docs.map((doc) => `/v1/subjects/${doc.subjectId}`),
      headers: { authorization: `Bearer ${token}`, 'x-purpose-of-use': READ_PURPOSE },
      connections: READ_CONNECTIONS,
      ...timing,
    }),
  };
}

/**
 * Drives GET /v1/subjects/{id} as a police IOM officer over every subject that officer may see,
 * closed loop from a worker thread, then times the steps of the same read in-process.
 */
export async function measureReads(api: RunningApi): Promise<ReadsRun> {
  const { principal, docs, job } = await officerReads(api);
  const load = await runHttpJob(job({ warmupMs: WARMUP_MS, durationMs: DURATION_MS }));
  if (load.firstError) throw new Error(`a read failed: ${load.firstError}`);
  return {
    subjects: docs.length,
    perSecond: (load.requests / load.elapsedMs) * 1000,
    p50Ms: percentile(load.latenciesMs, 0.5),
    p99Ms: percentile(load.latenciesMs, 0.99),
    requests: load.requests,
    statuses: load.statuses,
    costs: await measureReadCosts(api.app, principal, READ_PURPOSE, docs),
  };
}

export function readsFigure(key: string, run: ReadsRun): Figure {
  const { costs } = run;
  const rawPerSecond = 1e6 / costs.rawGetUs;
  const policyUs = costs.buildPolicyUs + costs.discloseUs;
  // The API answers on one thread and 32 connections keep it busy, so each read costs it about
  // 1/throughput of wall time; the policy's share of that is what the ability costs a served read.
  const serviceUs = 1e6 / run.perSecond;
  const pct = (part: number, whole: number): string => `${fmt((part / whole) * 100, 1)}%`;
  return {
    kind: 'figure',
    key,
    title: 'Subject reads over HTTP, SQLite',
    issue: 3,
    result: `${fmt(run.perSecond)} reads/s, p50 ${fmt(run.p50Ms, 1)} ms, p99 ${fmt(run.p99Ms, 1)} ms`,
    baseline: `${fmt(rawPerSecond)} loads/s (the same subjects' whole documents, stored document and stream, in-process)`,
    ratio: run.perSecond / rawPerSecond,
    target: `>= ${fmt(READS_TARGET)} reads/s with p99 < ${P99_TARGET_MS} ms`,
    met: run.perSecond >= READS_TARGET && run.p99Ms < P99_TARGET_MS,
    details: [
      `GET /v1/subjects/{id} as a police iom-officer (purpose ${READ_PURPOSE}) over the ${run.subjects} subjects the officer may see; ${READ_CONNECTIONS} connections, closed loop, ${DURATION_MS / 1000} s measured after ${WARMUP_MS / 1000} s warm-up; ${fmt(run.requests)} reads, statuses ${JSON.stringify(run.statuses)}`,
      `policy step computed afresh (buildReadPolicy + discloseSubject): ${fmt(policyUs)} µs (building the ability ${fmt(costs.buildPolicyUs)} µs, applying it to the entries ${fmt(costs.discloseUs)} µs)`,
      `the API computes it once per document version, agency and purpose (afresh for sharing events not yet projected and for a reader holding break-glass) and serves that cut to later reads; computed on every read it would be ${pct(policyUs, serviceUs + policyUs)} of a served read (${fmt(serviceUs)} µs, the API's time per read at this throughput, plus the step)`,
      `the in-process read (SubjectReader.read, no HTTP), serving kept cuts: ${fmt(costs.readUs)} µs; loading a whole document (stored document and stream), which the read path does only when its version changes: ${fmt(costs.rawGetUs)} µs`,
    ],
  };
}

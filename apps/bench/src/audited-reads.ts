import { type AuditRecord, AuditService, type NewDisclosure } from '@throughline/audit';
import type { RunningApi } from './api-server';
import { percentile, runHttpJob } from './http-load';
import { officerReads } from './reads-figure';

export const WARMUP_MS = 1_500;
export const DURATION_MS = 4_000;
/**
 * Audited first, then taking turns, so a burst of other work on a shared machine falls on both
 * sides; five rounds a side, so each side's median sets aside its two worst and two best rounds.
 */
export const ORDER = [true, false, true, false, true, false, true, false, true, false] as const;

export interface ReadsRound {
  readonly audited: boolean;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** How far the audit log grew during the round: the reads' records, or none with auditing off. */
  readonly recordsWritten: number;
}

export interface AuditedReadsRun {
  readonly subjects: number;
  readonly rounds: readonly ReadsRound[];
  /** `AuditService.verify` over the API's own log: records the reads of this run really wrote. */
  readonly ownLog: { readonly records: number; readonly ms: number; readonly meanBytes: number };
}

/**
 * Auditing off, for the measurement only: the instance's `record` is shadowed by one that answers
 * at once with a record that was never written. Nothing in the API can do this; the returned
 * function deletes the shadow, so the prototype's `record` serves again.
 */
function switchAuditingOff(service: AuditService): () => void {
  if (Object.prototype.hasOwnProperty.call(service, 'record')) {
    throw new Error('AuditService.record is already replaced on this instance');
  }
  service.record = (disclosure: NewDisclosure): Promise<AuditRecord> =>
    Promise.resolve({
      seq: 0,
      content: { ...disclosure, id: 'unaudited', at: new Date().toISOString() },
      contentHash: '',
      prevHash: '',
      hash: '',
    });
  return () => {
    Reflect.deleteProperty(service, 'record');
  };
}

const lastSeq = async (service: AuditService): Promise<number> => (await service.store.last())?.seq ?? 0;

/**
 * The reads figure's load (GET /v1/subjects/{id} as a police IOM officer), run ten times in the
 * same API: as served, with a durable disclosure record per read, and with auditing switched off,
 * taking turns. Each round checks from the log's length that the toggle did what it says.
 */
export async function measureAuditedReads(api: RunningApi): Promise<AuditedReadsRun> {
  const service = api.app.get(AuditService);
  const { docs, job } = await officerReads(api);
  const rounds: ReadsRound[] = [];
  for (const audited of ORDER) {
    const before = await lastSeq(service);
    const restore = audited ? () => undefined : switchAuditingOff(service);
    const load = await runHttpJob(job({ warmupMs: WARMUP_MS, durationMs: DURATION_MS })).finally(restore);
    if (load.firstError) throw new Error(`a read failed: ${load.firstError}`);
    const recordsWritten = (await lastSeq(service)) - before;
    if (audited ? recordsWritten < load.requests : recordsWritten !== 0) {
      throw new Error(
        `${audited ? 'audited' : 'unaudited'} round wrote ${recordsWritten} audit records for ${load.requests} reads`,
      );
    }
    rounds.push({
      audited,
      perSecond: (load.requests / load.elapsedMs) * 1000,
      p50Ms: percentile(load.latenciesMs, 0.5),
      p99Ms: percentile(load.latenciesMs, 0.99),
      requests: load.requests,
      recordsWritten,
    });
  }
  return { subjects: docs.length, rounds, ownLog: await verifyOwnLog(service) };
}

/** Verifies the log the API wrote in this run, with the load stopped: real records, real sizes. */
async function verifyOwnLog(service: AuditService): Promise<AuditedReadsRun['ownLog']> {
  const started = performance.now();
  const result = await service.verify();
  const ms = performance.now() - started;
  if (!result.ok) throw new Error(`the API's audit log did not verify: ${JSON.stringify(result.firstFault)}`);
  let bytes = 0;
  for await (const page of service.store.scan()) {
    for (const record of page) bytes += Buffer.byteLength(JSON.stringify(record.content));
  }
  return { records: result.records, ms, meanBytes: result.records > 0 ? bytes / result.records : 0 };
}

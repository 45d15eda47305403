import type { EventStore } from '@throughline/event-store';
import { type RunningApi, startApi } from './api-server';
import { AUDIT_TITLE, auditFigure } from './audit-figure';
import { measureVerify, VERIFY_RECORDS } from './audit-verify';
import { measureAuditedReads } from './audited-reads';
import { type Backend, openLog, openRawStore } from './backends';
import type { IngestBatch } from './demo-batches';
import { type HttpIngestRun, INGEST_ROUNDS, ingestFigure, ingestOverHttp, medianRun } from './ingest-figure';
import { rawBatches, readWholeLog, type Throughput, timeRawAppend } from './raw-store';
import { measureReads, readsFigure } from './reads-figure';
import { measureRebuild, rebuildFigure } from './rebuild-figure';
import type { Outcome, Report } from './report';
import type { Scratch } from './scratch';

export interface Keys {
  readonly ingest: string;
  readonly rebuild: string;
  /** Reads are measured on SQLite only: the embedded default the issue's target is set for. */
  readonly reads?: string;
  /** So is the audit figure: its reads share the reads figure's API, its log is the SQLite one. */
  readonly audit?: string;
}

const failure = (key: string, title: string, issue: number, error: unknown): Outcome => ({
  kind: 'failed',
  key,
  title,
  issue,
  error: error instanceof Error ? error.message : String(error),
});

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** A figure's measurement that may fail without taking the backend's other figures with it. */
const settle = <T>(work: Promise<T>): Promise<Settled<T>> =>
  work.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );

const closeApi = (api: RunningApi): Promise<void> => api.close();

const closeStore = (store: EventStore): Promise<void> => store.close();

/**
 * One backend end to end: HTTP ingestion into a fresh API (and reads, audited and not, while it is
 * up), the same ingestion again into fresh storage for the figure's other rounds, and once with
 * projections off; then, with the APIs closed, the rebuild and raw readAll over the log the first
 * one wrote, the raw append of that same log into empty stores, and last the audit log
 * verification. Figures are added once both their sides are measured.
 * The HTTP run is handed to `onHttp` as soon as it is measured: the Kafka figure is set against it.
 */
async function runBackend(
  report: Report,
  scratch: Scratch,
  backend: Backend,
  batches: readonly IngestBatch[],
  keys: Keys,
  onHttp: (run: HttpIngestRun) => void,
): Promise<void> {
  const api = await startApi(backend.env, { projections: 'thread' });
  const { http, reads, audited } = await scratch.using('API', api, closeApi, async () => {
    report.step(`${backend.name}: POST /v1/events, ${batches.length} batches, projections running`);
    const ingested = await ingestOverHttp(api, batches, { waitForProjections: true });
    if (!keys.reads) return { http: ingested, reads: undefined, audited: undefined };
    const key = keys.reads;
    report.step(`${backend.name}: GET /v1/subjects/{id} under load`);
    const measured = await measureReads(api).then(
      (run) => readsFigure(key, run),
      (error: unknown) => failure(key, `Subject reads over HTTP, ${backend.name}`, 3, error),
    );
    if (!keys.audit) return { http: ingested, reads: measured, audited: undefined };
    report.step(`${backend.name}: the same reads audited and unaudited, taking turns`);
    return { http: ingested, reads: measured, audited: await settle(measureAuditedReads(api)) };
  });
  const rounds = [http];
  while (rounds.length < INGEST_ROUNDS) {
    report.step(`${backend.name}: the same ingestion into fresh storage, round ${rounds.length + 1}`);
    rounds.push(await ingestFresh(scratch, backend, batches, 'thread'));
  }
  const ingestion = medianRun(rounds);
  onHttp(ingestion);
  if (reads) report.add(reads);

  report.step(`${backend.name}: the same ingestion with projections left to a worker`);
  const apart = await ingestFresh(scratch, backend, batches, 'off');

  report.step(`${backend.name}: projection rebuild and raw readAll`);
  const rebuild = await measureRebuild(backend.site);
  report.add(rebuildFigure(keys.rebuild, backend.name, rebuild));

  const events = await scratch.using('log', await openLog(backend.site), closeStore, readWholeLog);
  const raw: Throughput[] = [];
  for (let round = 1; round <= INGEST_ROUNDS; round += 1) {
    report.step(`${backend.name}: raw appendMany of the same ${events.length} events, round ${round}`);
    const store = await openRawStore(backend.site, round);
    raw.push(
      await scratch.using('raw store', store, closeStore, (empty) =>
        timeRawAppend(empty, rawBatches(events)),
      ),
    );
  }
  report.add(ingestFigure(keys.ingest, backend.name, rounds, raw, apart));

  // Last, with everything else closed, so the long verification has the machine to itself.
  if (keys.audit && audited) {
    if (!audited.ok) {
      report.add(failure(keys.audit, AUDIT_TITLE, 4, audited.error));
      return;
    }
    const records = VERIFY_RECORDS.toLocaleString('en-GB');
    report.step(`${backend.name}: appending and verifying ${records} disclosure records`);
    const verify = await settle(measureVerify(scratch, (text) => report.step(`${backend.name}: ${text}`)));
    report.add(
      verify.ok
        ? auditFigure(keys.audit, audited.value, verify.value)
        : failure(keys.audit, AUDIT_TITLE, 4, verify.error),
    );
  }
}

/**
 * The ingestion into a fresh API on fresh storage: with its projections running (another round of
 * the figure), or with them off (a diagnostic beside it: what the projections beside cost).
 */
async function ingestFresh(
  scratch: Scratch,
  backend: Backend,
  batches: readonly IngestBatch[],
  projections: 'thread' | 'off',
): Promise<HttpIngestRun> {
  const api = await startApi(await backend.spareEnv(), { projections });
  return scratch.using(`API, projections ${projections}`, api, closeApi, () =>
    ingestOverHttp(api, batches, { waitForProjections: projections !== 'off' }),
  );
}

/**
 * Runs a backend; whatever it could not measure is reported as failed, and the run goes on.
 * Resolves with the HTTP batch ingestion run, if it was measured, for the figures set against it.
 */
export async function runOrReport(
  report: Report,
  scratch: Scratch,
  open: () => Promise<Backend>,
  name: string,
  batches: readonly IngestBatch[],
  keys: Keys,
): Promise<HttpIngestRun | undefined> {
  const before = report.outcomes.length;
  let http: HttpIngestRun | undefined;
  try {
    await runBackend(report, scratch, await open(), batches, keys, (run) => (http = run));
  } catch (error) {
    const reported = new Set(report.outcomes.slice(before).map((o) => o.key));
    if (!reported.has(keys.ingest))
      report.add(failure(keys.ingest, `HTTP batch ingestion, ${name}`, 2, error));
    if (!reported.has(keys.rebuild))
      report.add(failure(keys.rebuild, `Full projection rebuild, ${name}`, 2, error));
    if (keys.reads && !reported.has(keys.reads)) {
      report.add(failure(keys.reads, `Subject reads over HTTP, ${name}`, 3, error));
    }
    if (keys.audit && !reported.has(keys.audit)) report.add(failure(keys.audit, AUDIT_TITLE, 4, error));
  }
  return http;
}

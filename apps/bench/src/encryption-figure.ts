import { startApi } from './api-server';
import { type Backend, sqliteBackend } from './backends';
import type { IngestBatch } from './demo-batches';
import { type HttpIngestRun, INGEST_ROUNDS, ingestOverHttp, medianRun } from './ingest-figure';
import { measureRebuild, type RebuildRun } from './rebuild-figure';
import { type Figure, fmt } from './report';
import type { Scratch } from './scratch';

export const ENCRYPTION_TITLES = {
  ingest: 'Encryption at rest: HTTP batch ingestion, SQLite, sealed against unsealed',
  rebuild: 'Encryption at rest: full projection rebuild, SQLite, sealed against unsealed',
} as const;

const ENCRYPTION_ISSUE = 'crypto-shredding';
const RATIO_TARGET = 0.8;

export interface EncryptionRun {
  readonly sealed: readonly HttpIngestRun[];
  readonly unsealed: readonly HttpIngestRun[];
  readonly sealedRebuild: RebuildRun;
  readonly unsealedRebuild: RebuildRun;
}

/**
 * The same demo ingestion into fresh APIs with EVENT_ENCRYPTION on and off, taking turns round by
 * round so both sides see the same machine; then the subject-views rebuild over the first log of
 * each side, each in a process of its own.
 */
export async function measureEncryption(
  scratch: Scratch,
  batches: readonly IngestBatch[],
  step: (text: string) => void,
): Promise<EncryptionRun> {
  const sealed: HttpIngestRun[] = [];
  const unsealed: HttpIngestRun[] = [];
  const sites: Partial<Record<'on' | 'off', Backend>> = {};
  for (let round = 1; round <= INGEST_ROUNDS; round += 1) {
    for (const mode of ['on', 'off'] as const) {
      step(`encryption ${mode}: POST /v1/events, round ${round}`);
      const backend = await sqliteBackend(scratch);
      sites[mode] ??= backend;
      const api = await startApi({ ...backend.env, EVENT_ENCRYPTION: mode }, { projections: 'thread' });
      const run = await scratch.using(
        `API, encryption ${mode}`,
        api,
        (open) => open.close(),
        () => ingestOverHttp(api, batches, { waitForProjections: true }),
      );
      (mode === 'on' ? sealed : unsealed).push(run);
    }
  }
  step('encryption on and off: projection rebuild');
  const sealedRebuild = await measureRebuild({ ...sites.on!.site, encryption: true });
  const unsealedRebuild = await measureRebuild({ ...sites.off!.site, encryption: false });
  return { sealed, unsealed, sealedRebuild, unsealedRebuild };
}

const rounds = (runs: readonly HttpIngestRun[]): string =>
  runs.map((run) => fmt(run.acknowledged.perSecond)).join(', ');

export function encryptionFigures(ingestKey: string, rebuildKey: string, run: EncryptionRun): Figure[] {
  const sealed = medianRun(run.sealed);
  const unsealed = medianRun(run.unsealed);
  const ingestRatio = sealed.acknowledged.perSecond / unsealed.acknowledged.perSecond;
  const rebuildRatio = run.sealedRebuild.rebuild.perSecond / run.unsealedRebuild.rebuild.perSecond;
  return [
    {
      kind: 'figure',
      key: ingestKey,
      title: ENCRYPTION_TITLES.ingest,
      issue: ENCRYPTION_ISSUE,
      result: `${fmt(sealed.acknowledged.perSecond)} events/s sealed`,
      baseline: `${fmt(unsealed.acknowledged.perSecond)} events/s unsealed (EVENT_ENCRYPTION=off)`,
      ratio: ingestRatio,
      target: `ratio >= ${RATIO_TARGET}`,
      met: ingestRatio >= RATIO_TARGET,
      details: [
        `${fmt(sealed.acknowledged.events)} demo events in ${fmt(sealed.batches)} batches, each round into a fresh API on fresh storage, the two sides taking turns (median of ${run.sealed.length}; sealed: ${rounds(run.sealed)}; unsealed: ${rounds(run.unsealed)} events/s)`,
        `per batch p50: ${fmt(sealed.batchP50Ms, 1)} ms sealed, ${fmt(unsealed.batchP50Ms, 1)} ms unsealed`,
        ...(sealed.projected && unsealed.projected
          ? [
              `until the projections had caught up: ${fmt(sealed.projected.perSecond)} events/s sealed, ${fmt(unsealed.projected.perSecond)} unsealed`,
            ]
          : []),
      ],
    },
    {
      kind: 'figure',
      key: rebuildKey,
      title: ENCRYPTION_TITLES.rebuild,
      issue: ENCRYPTION_ISSUE,
      result: `${fmt(run.sealedRebuild.rebuild.perSecond)} events/s sealed`,
      baseline: `${fmt(run.unsealedRebuild.rebuild.perSecond)} events/s unsealed`,
      ratio: rebuildRatio,
      target: `ratio >= ${RATIO_TARGET}`,
      met: rebuildRatio >= RATIO_TARGET,
      details: [
        `subject-views over ${fmt(run.sealedRebuild.rebuild.events)} events (median of ${run.sealedRebuild.rebuildRounds.length}; sealed rounds: ${run.sealedRebuild.rebuildRounds.map((r) => fmt(r)).join(', ')}; unsealed rounds: ${run.unsealedRebuild.rebuildRounds.map((r) => fmt(r)).join(', ')} events/s)`,
        `readAll of the same logs: ${fmt(run.sealedRebuild.readAll.perSecond)} events/s sealed (opened), ${fmt(run.unsealedRebuild.readAll.perSecond)} unsealed`,
      ],
    },
  ];
}

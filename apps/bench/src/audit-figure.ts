import { type AuditedReadsRun, DURATION_MS, ORDER, type ReadsRound, WARMUP_MS } from './audited-reads';
import type { VerifyRun } from './audit-verify';
import { READ_CONNECTIONS, READ_PURPOSE } from './reads-figure';
import { type Figure, fmt } from './report';

export const AUDITED_RATIO_TARGET = 0.85;
export const VERIFY_TARGET_S = 60;
export const AUDIT_TITLE = 'Audited vs unaudited reads; verifying the audit log';

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 === 1 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

interface Side {
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const sideOf = (rounds: readonly ReadsRound[], audited: boolean): Side => {
  const mine = rounds.filter((round) => round.audited === audited);
  return {
    perSecond: median(mine.map((round) => round.perSecond)),
    p50Ms: median(mine.map((round) => round.p50Ms)),
    p99Ms: median(mine.map((round) => round.p99Ms)),
  };
};

const describeSide = (side: Side): string =>
  `${fmt(side.perSecond)} reads/s, p50 ${fmt(side.p50Ms, 1)} ms, p99 ${fmt(side.p99Ms, 1)} ms`;

const mb = (bytes: number): string => `${fmt(bytes / 1e6)} MB`;

/**
 * Issue 4 in one figure: the ratio is audited over unaudited reads of the same view; verification
 * of a million records has its own target, and the figure is met only when both are.
 */
export function auditFigure(key: string, reads: AuditedReadsRun, verify: VerifyRun): Figure {
  const audited = sideOf(reads.rounds, true);
  const unaudited = sideOf(reads.rounds, false);
  const ratio = audited.perSecond / unaudited.perSecond;
  const verifyS = verify.verifyMs / 1000;
  const verifyRate = verify.records / verifyS;
  const ownRate = reads.ownLog.records / (reads.ownLog.ms / 1000);
  const rounds = reads.rounds
    .map((round) => `${round.audited ? 'audited' : 'unaudited'} ${fmt(round.perSecond)}`)
    .join(', ');
  return {
    kind: 'figure',
    key,
    title: AUDIT_TITLE,
    issue: 4,
    result: `audited ${describeSide(audited)}; verified ${fmt(verify.records)} records in ${fmt(verifyS, 1)} s`,
    baseline: `unaudited ${describeSide(unaudited)} (the same reads with the disclosure record switched off inside the bench)`,
    ratio,
    target: `audited/unaudited >= ${AUDITED_RATIO_TARGET}; verifying ${fmt(verify.records)} records < ${VERIFY_TARGET_S} s`,
    met: ratio >= AUDITED_RATIO_TARGET && verifyS < VERIFY_TARGET_S && verify.ok,
    details: [
      `reads: GET /v1/subjects/{id} as a police iom-officer (purpose ${READ_PURPOSE}) over the ${reads.subjects} subjects the officer may see, ${READ_CONNECTIONS} connections, closed loop; ${ORDER.length} rounds of ${WARMUP_MS / 1000} s warm-up and ${DURATION_MS / 1000} s measured, taking turns (${rounds} reads/s); medians of each side`,
      `audit records written during the audited rounds: ${reads.rounds
        .filter((round) => round.audited)
        .map((round) => fmt(round.recordsWritten))
        .join(', ')} (one per read, warm-up included); during the unaudited rounds: none, as checked`,
      `verification (AuditService.verify, what GET /v1/audit/verify runs): ${fmt(verifyRate)} records/s, ${mb(verify.contentBytes / verifyS)}/s of record content; ${verify.ok ? 'the chain and every checkpoint verified' : `it FAILED: ${verify.fault ?? 'no fault named'}`}`,
      `the log verified: ${fmt(verify.records)} synthetic disclosure records (mean ${fmt(verify.contentBytes / verify.records)} bytes of content, ${mb(verify.contentBytes)} in all, ${mb(verify.fileBytes)} on disk) and ${verify.checkpoints} signed checkpoints, built with SqliteAuditStore.append in batches of 10,000 in ${fmt(verify.appendMs / 1000, 1)} s (${fmt(verify.records / (verify.appendMs / 1000))} records/s)`,
      `the API's own log, as the reads of this run wrote it: ${fmt(reads.ownLog.records)} records (mean ${fmt(reads.ownLog.meanBytes)} bytes of content) verified in ${fmt(reads.ownLog.ms)} ms, ${fmt(ownRate)} records/s; at that rate a million such records would take ${fmt(1e6 / ownRate)} s`,
    ],
  };
}

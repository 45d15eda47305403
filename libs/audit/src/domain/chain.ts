import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import {
  type AuditCheckpoint,
  type AuditRecord,
  type DisclosureContent,
  type IndexedColumns,
  indexedColumnsOf,
} from './disclosure';

export const GENESIS_HASH = '0'.repeat(64);

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

const sameColumns = (a: IndexedColumns, b: IndexedColumns): boolean =>
  a.id === b.id &&
  a.at === b.at &&
  a.agency === b.agency &&
  a.user === b.user &&
  a.purpose === b.purpose &&
  a.outcome === b.outcome &&
  a.action === b.action &&
  a.subjects.length === b.subjects.length &&
  a.subjects.every((subject, index) => subject === b.subjects[index]);

// A kept cut is served again and again with the same (immutable) subject disclosure: its canonical
// form is made once. Held weakly, so it goes when the cut does.
const canonicalSubjects = new WeakMap<object, string>();

/** The RFC 8785 canonical JSON of a record's content: the bytes its content hash is taken over. */
export function canonicalContent(content: DisclosureContent): string {
  for (const subject of content.subjects) {
    if (!canonicalSubjects.has(subject)) canonicalSubjects.set(subject, canonicalJson(subject));
  }
  return canonicalJson(content, canonicalSubjects);
}

export const contentHashOf = (content: DisclosureContent): string => sha256(canonicalContent(content));

/** Each link commits to the previous one and to its own content: change, drop, add or move one and every later link differs. */
export const chainHash = (prevHash: string, seq: number, contentHash: string): string =>
  sha256(`${prevHash}\n${seq}\n${contentHash}`);

export const checkpointPayload = (checkpoint: Omit<AuditCheckpoint, 'signature'>): string =>
  canonicalJson({ seq: checkpoint.seq, hash: checkpoint.hash, at: checkpoint.at, keyId: checkpoint.keyId });

/**
 * What can be checked of one record on its own, apart from its neighbours: the part of verification
 * that parallelises. Only linking each record to the one before it must run in order.
 */
export interface CheckedRecord {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  /** The hash of the content as stored equals the recorded content hash. */
  readonly contentMatches: boolean;
  /** The recorded hash is the chain hash of the record's own link, seq and content. */
  readonly hashMatches: boolean;
  /** The recorded hash is the one this record would have one place earlier: a sign of renumbering. */
  readonly hashMatchesOneBack: boolean;
  /** The filter columns and subject index (when read) say what the content says. */
  readonly columnsMatch: boolean;
}

const columnsMatch = (record: AuditRecord): boolean => {
  if (!record.indexed) return true;
  try {
    return sameColumns(record.indexed, indexedColumnsOf(record.content));
  } catch {
    // Content that is not a disclosure at all cannot match its columns.
    return false;
  }
};

export function checkRecord(record: AuditRecord): CheckedRecord {
  const contentHash =
    record.canonical === undefined ? contentHashOf(record.content) : sha256(record.canonical);
  const contentMatches = contentHash === record.contentHash;
  const hashMatches = record.hash === chainHash(record.prevHash, record.seq, contentHash);
  return {
    seq: record.seq,
    prevHash: record.prevHash,
    hash: record.hash,
    contentMatches,
    hashMatches,
    hashMatchesOneBack:
      !hashMatches && record.hash === chainHash(record.prevHash, record.seq - 1, contentHash),
    // Only a record whose content hash holds has its columns read: other content may not parse.
    columnsMatch: contentMatches && columnsMatch(record),
  };
}

export type ChainFault =
  | { readonly kind: 'altered'; readonly seq: number; readonly detail: string }
  | { readonly kind: 'removed'; readonly seq: number; readonly detail: string }
  | { readonly kind: 'inserted'; readonly seq: number; readonly detail: string }
  | { readonly kind: 'reordered'; readonly seq: number; readonly detail: string }
  | { readonly kind: 'broken-link'; readonly seq: number; readonly detail: string }
  | { readonly kind: 'bad-checkpoint'; readonly seq: number; readonly detail: string };

/** What one witness holds: every checkpoint it was given, read back at verification. */
export interface WitnessedCheckpoints {
  readonly witness: string;
  readonly checkpoints: readonly AuditCheckpoint[];
  /** Entries that were not checkpoints at all. */
  readonly unreadable?: number;
}

/** How the log stands against one witness. */
export interface WitnessReport {
  readonly witness: string;
  /**
   * `consistent`: the log holds every checkpoint the witness holds; `behind`: it does, but the log
   * has a later stored checkpoint the witness has not been given yet (publishing lags or failed);
   * `unreachable`: it could not be read (`detail` says why); `inconsistent`: see `firstFault`;
   * `not-compared`: the log failed on its own first.
   */
  readonly status: 'consistent' | 'behind' | 'unreachable' | 'inconsistent' | 'not-compared';
  /** The latest checkpoint the witness holds that verifies under a key of this log. */
  readonly latestSeq: number | null;
  readonly checkpoints: number;
  /** Entries that are not checkpoints, or whose signature does not verify under a key of this log: ignored. */
  readonly ignored: number;
  readonly detail: string | null;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly records: number;
  readonly checkpoints: number;
  readonly lastSeq: number;
  readonly lastHash: string;
  /** The first entry found wrong, if any. */
  readonly firstFault: ChainFault | null;
  /** The log against each witness configured (none: the log vouches only for itself). */
  readonly witnesses: readonly WitnessReport[];
}

/**
 * True when a checkpoint's signature verifies; otherwise false, or why it cannot be checked (a key
 * this log does not know).
 */
export type SignatureCheck = (checkpoint: AuditCheckpoint) => boolean | string;

/**
 * Verifies records in stored order against the chain and the signed checkpoints, each record checked
 * on its own first (`checkRecord`). A missing row shows as a gap in `seq`, a swapped pair as a gap
 * filled by the row after it, an inserted row as a link that skips one back, and an edited row as a
 * content hash, link or filter column that no longer matches. Each fault names the first entry
 * found wrong.
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private beforePrevHash: string | null = null;
  private count = 0;
  private fault: ChainFault | null = null;
  /** A gap seen at expectedSeq; the next row tells a removal from a swap. */
  private gapAt: number | null = null;
  private readonly hashBySeq = new Map<number, string>();

  constructor(private readonly checkpointSeqs: ReadonlySet<number>) {}

  get failed(): boolean {
    return this.fault !== null;
  }

  /** The next record in stored order, already checked on its own by `checkRecord`. */
  push(record: CheckedRecord): void {
    if (this.fault) return;
    this.count++;
    if (this.gapAt !== null) {
      this.fault =
        record.seq === this.gapAt
          ? {
              kind: 'reordered',
              seq: this.gapAt,
              detail: `entry ${this.gapAt} is stored after a later entry`,
            }
          : { kind: 'removed', seq: this.gapAt, detail: `entry ${this.gapAt} is missing` };
      return;
    }
    if (record.seq !== this.expectedSeq) {
      if (record.seq > this.expectedSeq) this.gapAt = this.expectedSeq;
      else if (record.seq === this.expectedSeq - 1) {
        this.fault = {
          kind: 'inserted',
          seq: record.seq,
          detail: `a second entry ${record.seq} follows the first`,
        };
      } else {
        this.fault = {
          kind: 'reordered',
          seq: record.seq,
          detail: `entry ${record.seq} appears again after ${this.expectedSeq - 1}`,
        };
      }
      return;
    }
    if (!record.contentMatches) {
      this.fault = {
        kind: 'altered',
        seq: record.seq,
        detail: 'the content does not match its recorded hash',
      };
      return;
    }
    if (record.prevHash !== this.prevHash) {
      // A row slipped in after entry seq-2 pushes the rest down one: the next row still links two back,
      // and its hash, computed for its old place, gives it away. An edited link alone does not.
      const renumbered =
        this.beforePrevHash !== null && record.prevHash === this.beforePrevHash && record.hashMatchesOneBack;
      this.fault = renumbered
        ? {
            kind: 'inserted',
            seq: record.seq - 1,
            detail: `entry ${record.seq - 1} was not part of the chain`,
          }
        : { kind: 'broken-link', seq: record.seq, detail: 'the entry does not link to the entry before it' };
      return;
    }
    if (!record.hashMatches) {
      this.fault = {
        kind: 'altered',
        seq: record.seq,
        detail: 'the chain hash does not match the content and link',
      };
      return;
    }
    if (!record.columnsMatch) {
      this.fault = {
        kind: 'altered',
        seq: record.seq,
        detail: 'the register columns or subject index do not match the recorded content',
      };
      return;
    }
    if (this.checkpointSeqs.has(record.seq)) this.hashBySeq.set(record.seq, record.hash);
    this.beforePrevHash = this.prevHash;
    this.prevHash = record.hash;
    this.expectedSeq++;
  }

  /**
   * Checks each signed checkpoint against the chain just walked (`verifySignature` checks the
   * Ed25519 signature), then each witnessed checkpoint: the log must still hold every entry a
   * witness saw signed, and hash through it as it did then. Every seq in `witnessed` must have been
   * among the constructor's `checkpointSeqs`.
   */
  finish(
    checkpoints: readonly AuditCheckpoint[],
    verifySignature: SignatureCheck,
    witnessed: readonly WitnessedCheckpoints[] = [],
  ): VerifyResult {
    if (!this.fault && this.gapAt !== null)
      this.fault = { kind: 'removed', seq: this.gapAt, detail: `entry ${this.gapAt} is missing` };
    for (const checkpoint of checkpoints) {
      if (this.fault) break;
      const signature = verifySignature(checkpoint);
      if (signature !== true) {
        this.fault = {
          kind: 'bad-checkpoint',
          seq: checkpoint.seq,
          detail: signature === false ? 'the checkpoint signature is not valid' : signature,
        };
      } else if (checkpoint.seq > this.expectedSeq - 1) {
        this.fault = {
          kind: 'removed',
          seq: this.expectedSeq,
          detail: `a signed checkpoint covers entry ${checkpoint.seq}, but the log ends at ${this.expectedSeq - 1}`,
        };
      } else if (this.hashBySeq.get(checkpoint.seq) !== checkpoint.hash) {
        this.fault = {
          kind: 'altered',
          seq: checkpoint.seq,
          detail: 'the chain no longer matches the signed checkpoint',
        };
      }
    }
    const latestStored = checkpoints.at(-1)?.seq ?? 0;
    const witnesses = witnessed.map((held) => this.against(held, verifySignature, latestStored));
    return {
      ok: this.fault === null,
      records: this.count,
      checkpoints: checkpoints.length,
      lastSeq: this.expectedSeq - 1,
      lastHash: this.prevHash,
      firstFault: this.fault,
      witnesses,
    };
  }

  /** The log against what one witness holds, in order of seq: the first disagreement is the earliest. */
  private against(
    { witness, checkpoints, unreadable = 0 }: WitnessedCheckpoints,
    verifySignature: SignatureCheck,
    latestStored: number,
  ): WitnessReport {
    const lastSeq = this.expectedSeq - 1;
    const checked = checkpoints.map((checkpoint) => ({ checkpoint, signature: verifySignature(checkpoint) }));
    const trusted = checked
      .filter(({ signature }) => signature === true)
      .map(({ checkpoint }) => checkpoint)
      .sort((a, b) => a.seq - b.seq);
    const latest = trusted.at(-1);
    const report = {
      witness,
      latestSeq: latest?.seq ?? null,
      checkpoints: checkpoints.length,
      ignored: unreadable + checkpoints.length - trusted.length,
    };
    if (this.fault) return { ...report, status: 'not-compared', detail: null };
    // A bad signature under a key of this log is noise anyone able to append to the witness could
    // add; a key this log does not know is what re-signing the log with a key of one's own leaves.
    const foreign = checked.find(({ signature }) => typeof signature === 'string');
    if (foreign) {
      this.fault = {
        kind: 'bad-checkpoint',
        seq: foreign.checkpoint.seq,
        detail: `${witness} holds a checkpoint over entry ${foreign.checkpoint.seq} (signed ${foreign.checkpoint.at}) that no key of this log verifies: ${String(foreign.signature)}`,
      };
      return { ...report, status: 'inconsistent', detail: this.fault.detail };
    }
    let agreedUpTo = 0;
    for (const checkpoint of trusted) {
      if (checkpoint.seq > lastSeq) {
        this.fault = {
          kind: 'removed',
          seq: lastSeq + 1,
          detail: `${witness} holds a checkpoint signed ${checkpoint.at} over entries 1 to ${latest!.seq}, but the log ends at ${lastSeq}: entries ${lastSeq + 1} to ${latest!.seq} are missing`,
        };
        return { ...report, status: 'inconsistent', detail: this.fault.detail };
      }
      if (this.hashBySeq.get(checkpoint.seq) !== checkpoint.hash) {
        this.fault = {
          kind: 'altered',
          seq: checkpoint.seq,
          detail: `the chain through entry ${checkpoint.seq} differs from the checkpoint ${witness} holds (signed ${checkpoint.at}): an entry from ${agreedUpTo + 1} to ${checkpoint.seq} was rewritten`,
        };
        return { ...report, status: 'inconsistent', detail: this.fault.detail };
      }
      agreedUpTo = checkpoint.seq;
    }
    const behind = latestStored > (latest?.seq ?? 0);
    return {
      ...report,
      status: behind ? 'behind' : 'consistent',
      detail: behind
        ? `the witness holds checkpoints up to entry ${latest?.seq ?? 0}; the log's latest is at ${latestStored}`
        : null,
    };
  }
}

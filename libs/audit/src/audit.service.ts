import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { THROUGHLINE_CONFIG, type ThroughlineConfig } from '@throughline/platform';
import { AuditSigner } from './audit-signer';
import { ChainVerifier, chainHash, type VerifyResult } from './domain/chain';
import type { AuditCheckpoint, AuditRecord, DisclosureContent } from './domain/disclosure';
import { AuditStore } from './store/audit-store';

/**
 * Sign a checkpoint after this many records, or config.auditCheckpointSeconds after the first record
 * not yet covered by one, whichever comes first (and on demand for a receipt, and at shutdown).
 */
const CHECKPOINT_EVERY = 256;

export type NewDisclosure = Omit<DisclosureContent, 'id' | 'at'> & { readonly at?: string };
/** A disclosure that names its own record: recorded once under that id, however often offered. */
export type IdentifiedDisclosure = NewDisclosure & { readonly id: string };

/** A receipt a third party can check: the record, the chain links from it to a signed checkpoint, the key. */
export interface DisclosureReceipt {
  readonly record: AuditRecord;
  /** Content hashes of the records after this one, up to and including the checkpoint's. */
  readonly proof: readonly { readonly seq: number; readonly contentHash: string }[];
  readonly checkpoint: AuditCheckpoint;
  readonly publicKey: string;
  readonly howToVerify: string;
}

/**
 * Records every disclosure before the read is answered: a request waits for the durable write that
 * includes its record. Each record goes to the store at once; the store commits the records that
 * reach it together (group commit), so the fsync is paid once per group rather than once per read.
 */
@Injectable()
export class AuditService implements OnApplicationShutdown {
  readonly signer: AuditSigner;
  private readonly logger = new Logger(AuditService.name);
  private readonly appending = new Set<Promise<void>>();
  private checkpointing: Promise<unknown> | undefined;
  private lastCheckpointSeq: number | undefined;
  /** The highest seq of a record this service has seen made durable. */
  private highestSeq = 0;
  private readonly checkpointAfterMs: number;
  /** Pending while some durable record may not be covered by a checkpoint yet. */
  private tailTimer: NodeJS.Timeout | undefined;
  /** Set when the tail has waited checkpointAfterMs: the next check signs whatever is uncovered. */
  private tailDue = false;

  constructor(
    readonly store: AuditStore,
    @Inject(THROUGHLINE_CONFIG) config: ThroughlineConfig,
  ) {
    this.signer = new AuditSigner(config.auditSigningKeyFile);
    this.checkpointAfterMs = config.auditCheckpointSeconds * 1000;
  }

  /** Resolves once the record is durable. */
  async record(disclosure: NewDisclosure): Promise<AuditRecord> {
    const content: DisclosureContent = {
      ...disclosure,
      id: randomUUID(),
      at: disclosure.at ?? new Date().toISOString(),
    };
    const [record] = await this.durably(this.store.append([content]));
    return record!;
  }

  /**
   * Records, in one durable write, each disclosure whose id is not on the log yet, and answers the
   * records added. A disclosure offered again (a retried batch, another process doing the same
   * work) keeps the one record it has: the first, with its own `at`.
   */
  async recordOnce(disclosures: readonly IdentifiedDisclosure[]): Promise<AuditRecord[]> {
    if (disclosures.length === 0) return [];
    const at = new Date().toISOString();
    return this.durably(
      this.store.appendNew(disclosures.map((disclosure) => ({ ...disclosure, at: disclosure.at ?? at }))),
    );
  }

  /** Tracks an append until it settles (shutdown waits for it) and checkpoints after it. */
  private durably(appended: Promise<AuditRecord[]>): Promise<AuditRecord[]> {
    const durable = appended.then((records) => {
      const last = records.at(-1);
      if (last) this.checkpointIfDue(last.seq);
      return records;
    });
    const settled = durable.then(
      () => undefined,
      () => undefined,
    );
    this.appending.add(settled);
    void settled.then(() => this.appending.delete(settled));
    return durable;
  }

  async verify(): Promise<VerifyResult> {
    const checkpoints = await this.store.checkpoints();
    const verifier = new ChainVerifier(new Set(checkpoints.map((checkpoint) => checkpoint.seq)));
    for await (const page of this.store.checkedScan()) {
      for (const record of page) verifier.push(record);
      if (verifier.failed) break;
    }
    return verifier.finish(checkpoints, (checkpoint) => this.signer.verify(checkpoint));
  }

  /** Signs the chain's current end, if anything was added since the last checkpoint. */
  async checkpoint(): Promise<AuditCheckpoint | undefined> {
    const last = await this.store.last();
    if (!last) return undefined;
    const latest = (await this.store.checkpoints(this.lastCheckpointSeq ?? 0)).at(-1);
    if (latest && latest.seq >= last.seq) {
      this.lastCheckpointSeq = latest.seq;
      return latest;
    }
    const checkpoint = this.signer.sign(last.seq, last.hash, new Date().toISOString());
    await this.store.addCheckpoint(checkpoint);
    this.lastCheckpointSeq = checkpoint.seq;
    if (checkpoint.seq >= this.highestSeq) this.tailDue = false;
    return checkpoint;
  }

  async receipt(id: string): Promise<DisclosureReceipt | undefined> {
    const record = await this.store.get(id);
    if (!record) return undefined;
    let checkpoint = (await this.store.checkpoints(record.seq))[0];
    checkpoint ??= await this.checkpoint();
    if (!checkpoint) return undefined;
    const later = await this.store.range(record.seq + 1, checkpoint.seq);
    return {
      record,
      proof: later.map((link) => ({ seq: link.seq, contentHash: link.contentHash })),
      checkpoint,
      publicKey: this.signer.publicKeyPem,
      howToVerify:
        'contentHash = SHA-256(RFC 8785 canonical JSON of record.content); hash = SHA-256(prevHash + "\\n" + seq + "\\n" + contentHash); ' +
        'fold hash through each proof entry in order; the result must equal checkpoint.hash, and checkpoint.signature must verify (Ed25519) ' +
        'over the canonical JSON of {seq, hash, at, keyId} with publicKey.',
    };
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.tailTimer);
    this.tailTimer = undefined;
    await this.settled();
    await this.checkpoint().catch(() => undefined);
    await this.store.close();
  }

  /**
   * Signs a checkpoint once CHECKPOINT_EVERY records have been added since the last one, or once the
   * oldest of them has waited checkpointAfterMs, off the reads' path and one signing at a time;
   * records durable meanwhile are looked at when it is done.
   */
  private checkpointIfDue(seq: number): void {
    this.highestSeq = Math.max(this.highestSeq, seq);
    if (this.lastCheckpointSeq === undefined || this.highestSeq > this.lastCheckpointSeq) {
      this.tailTimer ??= setTimeout(() => {
        this.tailTimer = undefined;
        this.tailDue = true;
        this.checkpointIfDue(this.highestSeq);
      }, this.checkpointAfterMs).unref();
    }
    if (this.checkpointing) return;
    const due = (): boolean => {
      if (this.lastCheckpointSeq === undefined) return false;
      const uncovered = this.highestSeq - this.lastCheckpointSeq;
      return uncovered >= CHECKPOINT_EVERY || (this.tailDue && uncovered > 0);
    };
    this.checkpointing = (async () => {
      this.lastCheckpointSeq ??= (await this.store.checkpoints()).at(-1)?.seq ?? 0;
      if (due()) await this.checkpoint();
      return true;
    })()
      .catch((error: unknown) => {
        this.logger.error(`audit checkpoint failed: ${String(error)}`);
        return false;
      })
      .then((signed) => {
        this.checkpointing = undefined;
        // Records made durable while this one was signed; after a failure, the next record retries.
        if (signed && due()) this.checkpointIfDue(this.highestSeq);
      });
  }

  /** Until every record asked for is durable (or has failed), and no checkpoint is being signed. */
  private async settled(): Promise<void> {
    while (this.appending.size > 0 || this.checkpointing) {
      await Promise.allSettled([...this.appending, this.checkpointing]);
    }
  }
}

/** Recomputes a receipt's chain from the record to its checkpoint: what a third party does. */
export function receiptReachesCheckpoint(
  receipt: Pick<DisclosureReceipt, 'record' | 'proof' | 'checkpoint'>,
  contentHashOfRecord: string,
): boolean {
  if (contentHashOfRecord !== receipt.record.contentHash) return false;
  let hash = chainHash(receipt.record.prevHash, receipt.record.seq, contentHashOfRecord);
  for (const link of receipt.proof) hash = chainHash(hash, link.seq, link.contentHash);
  return hash === receipt.checkpoint.hash;
}

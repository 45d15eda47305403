import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown, Optional } from '@nestjs/common';
import type { Histogram } from 'prom-client';
import { Metrics, THROUGHLINE_CONFIG, type ThroughlineConfig } from '@throughline/platform';
import { AuditKeyring, auditKeySettings, MissingAuditKeyError, type PublicAuditKey } from './audit-keys';
import { type AuditSigner, createAuditSigningKey, verifyCheckpoint } from './audit-signer';
import {
  ChainVerifier,
  chainHash,
  type SignatureCheck,
  type VerifyResult,
  type WitnessedCheckpoints,
  type WitnessReport,
} from './domain/chain';
import type { AuditCheckpoint, AuditRecord, DisclosureContent } from './domain/disclosure';
import { AuditStore } from './store/audit-store';
import { openAuditWitnesses } from './witness/open-audit-witnesses';
import { type WitnessDelivery, WitnessPublisher } from './witness/witness-publisher';

/**
 * Sign a checkpoint after this many records, or config.auditCheckpointSeconds after the first record
 * not yet covered by one, whichever comes first (and on demand for a receipt, and at shutdown).
 */
const CHECKPOINT_EVERY = 256;
/** How long a stopping process waits for its last checkpoints to reach the witnesses. */
const WITNESS_GRACE_MS = 5_000;

export type NewDisclosure = Omit<DisclosureContent, 'id' | 'at'> & { readonly at?: string };
/** A disclosure that names its own record: recorded once under that id, however often offered. */
export type IdentifiedDisclosure = NewDisclosure & { readonly id: string };

/** A receipt a third party can check: the record, the chain links from it to a signed checkpoint, the key. */
export interface DisclosureReceipt {
  readonly record: AuditRecord;
  /** Content hashes of the records after this one, up to and including the checkpoint's. */
  readonly proof: readonly { readonly seq: number; readonly contentHash: string }[];
  readonly checkpoint: AuditCheckpoint;
  /** The public key of the key that signed the checkpoint (its id is checkpoint.keyId). */
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
  private keys: AuditKeyring;
  private signingKey: Promise<AuditSigner> | undefined;
  private readonly witnessing: WitnessPublisher;
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

  /** How long a disclosure waits to be durable (the time every audited read adds). */
  private readonly writeSeconds: Histogram<'kind'> | undefined;

  constructor(
    readonly store: AuditStore,
    @Inject(THROUGHLINE_CONFIG) private readonly config: ThroughlineConfig,
    @Optional() metrics?: Metrics,
  ) {
    this.writeSeconds = metrics?.histogram(
      'throughline_audit_write_seconds',
      'Time from offering audit records to their durable write, by kind (record, record-once)',
      ['kind'],
    );
    this.keys = AuditKeyring.load(config);
    this.witnessing = new WitnessPublisher(openAuditWitnesses(config));
    this.checkpointAfterMs = config.auditCheckpointSeconds * 1000;
  }

  /** The key that signs new checkpoints, when this process has it. */
  get currentKey(): PublicAuditKey | undefined {
    return this.keys.signer ? this.keys.get(this.keys.signer.keyId) : undefined;
  }

  /** Every key this log's checkpoints may be signed by: the signing key's and the earlier ones. */
  get publicKeys(): readonly PublicAuditKey[] {
    return this.keys.all();
  }

  /** How publishing to each witness stands in this process. */
  witnessDeliveries(): WitnessDelivery[] {
    return this.witnessing.deliveries();
  }

  /**
   * The signing key. Embedded mode creates one when the log has no checkpoint yet (its first
   * start); otherwise a missing key is a MissingAuditKeyError naming the setting, never a new key
   * that would sign over the old one's checkpoints. A process that signs calls this at start.
   */
  signing(): Promise<AuditSigner> {
    const signing = (this.signingKey ??= this.loadSigningKey());
    // A failure is tried afresh next time (the key may have been restored meanwhile).
    signing.catch(() => {
      if (this.signingKey === signing) this.signingKey = undefined;
    });
    return signing;
  }

  private async loadSigningKey(): Promise<AuditSigner> {
    if (this.keys.signer) return this.keys.signer;
    // Another process sharing the key file may have made it, or an operator restored it, since.
    this.keys = AuditKeyring.load(this.config);
    if (this.keys.signer) return this.keys.signer;
    const { file, mayCreate } = auditKeySettings(this.config);
    const signed = (await this.store.checkpoints()).at(-1);
    if (file && mayCreate && !signed) {
      createAuditSigningKey(file);
      this.logger.warn(
        `Created the audit signing key at ${file} (embedded mode, first start). Keep a copy of its public key (GET /v1/audit/public-key) away from DATA_DIR; a server deployment supplies its own key (AUDIT_SIGNING_KEY_FILE).`,
      );
      this.keys = AuditKeyring.load(this.config);
      if (this.keys.signer) return this.keys.signer;
    }
    throw new MissingAuditKeyError(
      signed
        ? `${this.keys.signerProblem}, and the audit log has checkpoints signed by key ${signed.keyId}. Restore that key, or rotate: a new key at AUDIT_SIGNING_KEY_FILE and the old public key in AUDIT_PUBLIC_KEYS_DIR (docs/audit.md)`
        : `${this.keys.signerProblem}`,
    );
  }

  /** Resolves once the record is durable. */
  async record(disclosure: NewDisclosure): Promise<AuditRecord> {
    const content: DisclosureContent = {
      ...disclosure,
      id: randomUUID(),
      at: disclosure.at ?? new Date().toISOString(),
    };
    const timer = this.writeSeconds?.startTimer({ kind: 'record' });
    const [record] = await this.durably(this.store.append([content]));
    timer?.();
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
    const timer = this.writeSeconds?.startTimer({ kind: 'record-once' });
    const records = await this.durably(
      this.store.appendNew(disclosures.map((disclosure) => ({ ...disclosure, at: disclosure.at ?? at }))),
    );
    timer?.();
    return records;
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

  /**
   * Walks the log against its stored checkpoints, then against what each witness holds. Never
   * creates a key: a checkpoint signed by a key this process does not know is a fault naming the
   * settings that would supply it.
   */
  async verify(): Promise<VerifyResult> {
    // The keys as they are now: another process may have made the signing key since this one started.
    try {
      this.keys = AuditKeyring.load(this.config);
    } catch (error) {
      this.logger.warn(`audit keys not read again, verifying with those read before: ${String(error)}`);
    }
    // Read before the log: anything a witness holds was stored before the walk begins.
    const read = await Promise.all(this.witnessing.witnesses.map((witness) => this.readWitness(witness)));
    const witnessed = read.filter((held): held is WitnessedCheckpoints => !('status' in held));
    const checkpoints = await this.store.checkpoints();
    const verifier = new ChainVerifier(
      new Set([...checkpoints, ...witnessed.flatMap((held) => held.checkpoints)].map(({ seq }) => seq)),
    );
    for await (const page of this.store.checkedScan()) {
      for (const record of page) verifier.push(record);
      if (verifier.failed) break;
    }
    const result = verifier.finish(checkpoints, this.signatureCheck(), witnessed);
    // In the order configured, those unreadable where they stand.
    const reports = read.map(
      (held) =>
        ('status' in held
          ? held
          : result.witnesses.find((report) => report.witness === held.witness)) as WitnessReport,
    );
    return { ...result, witnesses: reports };
  }

  private async readWitness(witness: {
    readonly name: string;
    read(): Promise<{ checkpoints: AuditCheckpoint[]; unreadable: number }>;
  }): Promise<WitnessedCheckpoints | WitnessReport> {
    try {
      const { checkpoints, unreadable } = await witness.read();
      return { witness: witness.name, checkpoints, unreadable };
    } catch (error) {
      return {
        witness: witness.name,
        status: 'unreachable',
        latestSeq: null,
        checkpoints: 0,
        ignored: 0,
        detail: error instanceof Error ? error.message : String(error),
      };
    }
  }

  private signatureCheck(): SignatureCheck {
    return (checkpoint) => {
      const key = this.keys.get(checkpoint.keyId);
      if (!key) return this.keys.unknownKey(checkpoint.keyId);
      return verifyWith(checkpoint, key);
    };
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
    const signer = await this.signing();
    const checkpoint = signer.sign(last.seq, last.hash, new Date().toISOString());
    await this.store.addCheckpoint(checkpoint);
    // After the commit, and not awaited: a witness that is slow or down holds up nothing.
    this.witnessing.publish(checkpoint);
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
      publicKey: this.keys.get(checkpoint.keyId)?.publicKeyPem ?? '',
      howToVerify:
        'contentHash = SHA-256(RFC 8785 canonical JSON of record.content); hash = SHA-256(prevHash + "\\n" + seq + "\\n" + contentHash); ' +
        'fold hash through each proof entry in order; the result must equal checkpoint.hash, and checkpoint.signature must verify (Ed25519) ' +
        "over the canonical JSON of {seq, hash, at, keyId} with the partnership's published key whose id is keyId " +
        '(`npx throughline audit verify-receipt RECEIPT --public-key KEY.pem` does all of this).',
    };
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.tailTimer);
    this.tailTimer = undefined;
    await this.settled();
    // Only a process that recorded something signs on its way out: `audit verify` signs nothing.
    if (this.highestSeq > 0) await this.checkpoint().catch(() => undefined);
    await this.witnessing.close(WITNESS_GRACE_MS);
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

const verifyWith = (checkpoint: AuditCheckpoint, key: PublicAuditKey): boolean =>
  verifyCheckpoint(checkpoint, key.key);

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

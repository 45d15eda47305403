import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { keyIdOf, verifyCheckpoint } from '../audit-signer';
import { canonicalJson } from '../domain/canonical-json';
import { chainHash, sha256 } from '../domain/chain';
import { parseCheckpoint } from '../witness/audit-witness';

/** What checking one receipt found: `problem` names the first check that failed. */
export type ReceiptVerdict =
  | {
      readonly ok: true;
      readonly disclosureId: string | null;
      readonly seq: number;
      readonly checkpointSeq: number;
      readonly checkpointAt: string;
      readonly keyId: string;
    }
  | { readonly ok: false; readonly problem: string };

const HEX64 = /^[0-9a-f]{64}$/;
const isSeq = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
const record = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

/**
 * Checks a receipt (GET /v1/audit/disclosures/{id}) with a public key obtained apart from it,
 * needing nothing else: the record's content hashes to its contentHash, the chain from it through
 * the proof reaches the checkpoint's hash at the checkpoint's seq, and the checkpoint is signed by
 * that key. The receipt's own `publicKey` is not trusted: whoever forged a receipt would send theirs.
 */
export function verifyReceipt(receipt: unknown, publicKey: KeyObject | string): ReceiptVerdict {
  const fail = (problem: string): ReceiptVerdict => ({ ok: false, problem });
  let key: KeyObject;
  try {
    key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  } catch (error) {
    return fail(`the public key is not a PEM public key (${(error as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') return fail('the public key is not an Ed25519 key');
  const body = record(receipt);
  const entry = record(body?.record);
  if (!body || !entry) return fail('not a receipt: no record');
  const { seq, contentHash, prevHash, hash, content } = entry;
  if (!isSeq(seq)) return fail('record.seq is not a positive integer');
  if (typeof contentHash !== 'string' || !HEX64.test(contentHash))
    return fail('record.contentHash is not a SHA-256 hash');
  if (typeof prevHash !== 'string' || !HEX64.test(prevHash))
    return fail('record.prevHash is not a SHA-256 hash');
  if (typeof hash !== 'string' || !HEX64.test(hash)) return fail('record.hash is not a SHA-256 hash');
  if (!record(content)) return fail('record.content is not an object');
  const checkpoint = parseCheckpoint(body.checkpoint);
  if (!checkpoint) return fail('checkpoint is not a signed checkpoint {seq, hash, at, keyId, signature}');
  if (!Array.isArray(body.proof)) return fail('proof is not a list');

  let canonical: string;
  try {
    canonical = canonicalJson(content);
  } catch (error) {
    return fail(`record.content cannot be put in canonical form (${(error as Error).message})`);
  }
  if (sha256(canonical) !== contentHash)
    return fail('the record content does not hash to record.contentHash');
  if (chainHash(prevHash, seq, contentHash) !== hash)
    return fail('record.hash is not the chain hash of record.prevHash, record.seq and record.contentHash');
  let through = hash;
  let at = seq;
  for (const [index, raw] of (body.proof as unknown[]).entries()) {
    const link = record(raw);
    if (!link || !isSeq(link.seq) || typeof link.contentHash !== 'string' || !HEX64.test(link.contentHash))
      return fail(`proof[${index}] is not {seq, contentHash}`);
    if (link.seq !== at + 1) return fail(`proof[${index}] is entry ${link.seq}, not ${at + 1}`);
    through = chainHash(through, link.seq, link.contentHash);
    at = link.seq;
  }
  if (at !== checkpoint.seq)
    return fail(`the proof ends at entry ${at}, but the checkpoint is at entry ${checkpoint.seq}`);
  if (through !== checkpoint.hash)
    return fail("the chain through the proof does not reach the checkpoint's hash");
  const keyId = keyIdOf(key);
  if (keyId !== checkpoint.keyId)
    return fail(`the checkpoint is signed by key ${checkpoint.keyId}, and the key given is ${keyId}`);
  if (!verifyCheckpoint(checkpoint, key))
    return fail('the checkpoint signature does not verify under the key given');
  const id = record(content)!.id;
  return {
    ok: true,
    disclosureId: typeof id === 'string' ? id : null,
    seq,
    checkpointSeq: checkpoint.seq,
    checkpointAt: checkpoint.at,
    keyId,
  };
}

/** `npx throughline audit verify-receipt FILE --public-key FILE`: files in, a verdict out. */
export function verifyReceiptFile(receiptFile: string, publicKeyFile: string): ReceiptVerdict {
  const key = readFileSync(publicKeyFile, 'utf8');
  let receipt: unknown;
  try {
    receipt = JSON.parse(readFileSync(receiptFile, 'utf8'));
  } catch (error) {
    return { ok: false, problem: `${receiptFile} is not JSON (${(error as Error).message})` };
  }
  return verifyReceipt(receipt, key);
}

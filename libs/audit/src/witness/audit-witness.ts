import type { AuditCheckpoint } from '../domain/disclosure';

/**
 * Somewhere outside DATA_DIR that keeps every signed checkpoint it is given, so that a log cut
 * short or rewritten, checkpoints and all, disagrees with what was witnessed. Two kinds: an
 * append-only file on other storage, and a Kafka topic (decision 0024).
 */
export interface AuditWitness {
  /** Names it in reports and logs, e.g. `file /mnt/witness/audit.jsonl`. */
  readonly name: string;
  /** Resolves once the witness holds the checkpoint durably. */
  publish(checkpoint: AuditCheckpoint): Promise<void>;
  /** Every checkpoint it holds, as read back now; entries that are not checkpoints are counted, not returned. */
  read(): Promise<{ readonly checkpoints: AuditCheckpoint[]; readonly unreadable: number }>;
  close(): Promise<void>;
}

const HEX64 = /^[0-9a-f]{64}$/;
const KEY_ID = /^[0-9a-f]{16}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A checkpoint as read from outside (a witness, a receipt), or undefined when it is not one. */
export function parseCheckpoint(value: unknown): AuditCheckpoint | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { seq, hash, at, keyId, signature } = value as Record<string, unknown>;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return undefined;
  if (typeof hash !== 'string' || !HEX64.test(hash)) return undefined;
  if (typeof at !== 'string' || at.length > 64) return undefined;
  if (typeof keyId !== 'string' || !KEY_ID.test(keyId)) return undefined;
  if (typeof signature !== 'string' || signature.length > 256 || !BASE64URL.test(signature)) return undefined;
  return { seq, hash, at, keyId, signature };
}

/** One line of a witness: the signed checkpoint as canonical as JSON.stringify makes it. */
export const witnessLine = ({ seq, hash, at, keyId, signature }: AuditCheckpoint): string =>
  JSON.stringify({ seq, hash, at, keyId, signature });

export const parseWitnessLine = (line: string): AuditCheckpoint | undefined => {
  try {
    return parseCheckpoint(JSON.parse(line));
  } catch {
    return undefined;
  }
};

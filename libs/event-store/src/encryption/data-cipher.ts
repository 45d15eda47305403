import { createCipheriv, createDecipheriv, randomBytes, randomFillSync } from 'node:crypto';

/** AES-256-GCM: a 32-byte key, a fresh random 12-byte nonce per event, a 16-byte tag. */
const ALGORITHM = 'aes-256-gcm';
export const DATA_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * What the log stores in place of an encrypted event's `data`: the id of the data key (`k`) and,
 * base64 in one string (`v`), the nonce, the tag and the ciphertext of the data's JSON text. The
 * event id is bound in as associated data, so a sealed value copied onto another event does not open.
 */
export interface SealedData {
  readonly $sealed: { readonly k: string; readonly v: string };
}

export const newDataKey = (): Buffer => randomBytes(DATA_KEY_BYTES);

/** Random bytes for nonces, drawn from the system a page at a time rather than 12 bytes per event. */
const pool = Buffer.alloc(NONCE_BYTES * 512);
let used = pool.length;

function nonce(): Buffer {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const next = Buffer.from(pool.subarray(used, used + NONCE_BYTES));
  used += NONCE_BYTES;
  return next;
}

export function isSealed(data: unknown): data is SealedData {
  if (typeof data !== 'object' || data === null || !('$sealed' in data)) return false;
  const sealed = data.$sealed as { k?: unknown; v?: unknown } | null;
  return (
    typeof sealed === 'object' &&
    sealed !== null &&
    typeof sealed.k === 'string' &&
    typeof sealed.v === 'string'
  );
}

export function seal(data: unknown, keyId: string, key: Buffer, eventId: string): SealedData {
  const iv = nonce();
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(eventId, 'utf8'));
  const first = cipher.update(JSON.stringify(data) ?? 'null', 'utf8');
  const last = cipher.final();
  const value = Buffer.concat([iv, cipher.getAuthTag(), first, last]);
  return { $sealed: { k: keyId, v: value.toString('base64') } };
}

/** The data sealed for `eventId`; throws when the key, the event id or the bytes are not those sealed. */
export function open(sealed: SealedData, key: Buffer, eventId: string): unknown {
  const value = Buffer.from(sealed.$sealed.v, 'base64');
  const decipher = createDecipheriv(ALGORITHM, key, value.subarray(0, NONCE_BYTES));
  decipher.setAAD(Buffer.from(eventId, 'utf8'));
  decipher.setAuthTag(value.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
  const first = decipher.update(value.subarray(NONCE_BYTES + TAG_BYTES));
  const last = decipher.final();
  return JSON.parse(
    last.length === 0 ? first.toString('utf8') : Buffer.concat([first, last]).toString('utf8'),
  );
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM: a 32-byte key, a fresh 12-byte nonce per event, a 16-byte tag. */
const ALGORITHM = 'aes-256-gcm';
export const DATA_KEY_BYTES = 32;
const NONCE_BYTES = 12;

/**
 * What the log stores in place of an encrypted event's `data`: the id of the data key, the nonce,
 * the tag and the ciphertext of the JSON text, base64. The event id is bound in as associated data,
 * so a sealed value copied onto another event does not open.
 */
export interface SealedData {
  readonly $sealed: { readonly k: string; readonly n: string; readonly t: string; readonly c: string };
}

export const newDataKey = (): Buffer => randomBytes(DATA_KEY_BYTES);

export function isSealed(data: unknown): data is SealedData {
  if (typeof data !== 'object' || data === null || !('$sealed' in data)) return false;
  const sealed = data.$sealed;
  return (
    typeof sealed === 'object' &&
    sealed !== null &&
    ['k', 'n', 't', 'c'].every((name) => typeof (sealed as Record<string, unknown>)[name] === 'string')
  );
}

export function seal(data: unknown, keyId: string, key: Buffer, eventId: string): SealedData {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, nonce);
  cipher.setAAD(Buffer.from(eventId, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(data) ?? 'null', 'utf8'), cipher.final()]);
  return {
    $sealed: {
      k: keyId,
      n: nonce.toString('base64'),
      t: cipher.getAuthTag().toString('base64'),
      c: ciphertext.toString('base64'),
    },
  };
}

/** The data sealed for `eventId`; throws when the key, the event id or the bytes are not those sealed. */
export function open(sealed: SealedData, key: Buffer, eventId: string): unknown {
  const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(sealed.$sealed.n, 'base64'));
  decipher.setAAD(Buffer.from(eventId, 'utf8'));
  decipher.setAuthTag(Buffer.from(sealed.$sealed.t, 'base64'));
  const text = Buffer.concat([
    decipher.update(Buffer.from(sealed.$sealed.c, 'base64')),
    decipher.final(),
  ]).toString('utf8');
  return JSON.parse(text) as unknown;
}

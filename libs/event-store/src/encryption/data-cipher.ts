import { createCipheriv, createDecipheriv, randomBytes, randomFillSync } from 'node:crypto';

/**
 * Events are sealed with ChaCha20-Poly1305 (RFC 8439): a 32-byte key, a fresh random 12-byte nonce
 * per event, a 16-byte tag. Events sealed before it (no `a` in their sealed form) used AES-256-GCM,
 * which still opens them (decision 0034).
 */
export const CIPHER = 'chacha20-poly1305';
const EARLIER_CIPHER = 'aes-256-gcm';
export const DATA_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * What the log stores in place of an encrypted event's `data`: the id of the data key (`k`) and,
 * base64 in one string, the sealed bytes of the data's JSON text: `c` for ChaCha20-Poly1305 (the
 * nonce, the ciphertext, the tag), or `v` for AES-256-GCM, as sealed before it (the nonce, the tag,
 * the ciphertext). The event id is bound in as associated data, so a sealed value copied onto
 * another event does not open.
 */
export interface SealedData {
  readonly $sealed: {
    readonly k: string;
    readonly c?: string;
    readonly v?: string;
    /**
     * The data's field names, when it is an object: the sharing engine cuts an event by its field
     * names, so a projection can fold it without opening it (see `lazilyOpened`). Names are the
     * catalogue's, never a value.
     */
    readonly f?: readonly string[];
  };
}

/**
 * One implementation of ChaCha20-Poly1305 in the combined layout (ciphertext then tag). libsodium's
 * (through `sodium-native`) is a single call that makes no cipher object, a third of node:crypto's
 * cost for an event's few hundred bytes; node:crypto's is the same cipher, used where the native
 * module cannot load. Each opens what the other sealed.
 */
export interface Aead {
  readonly name: string;
  /** Writes the ciphertext and tag of `plain` into `out` (plain's length plus 16 bytes). */
  seal(out: Buffer, plain: Buffer, ad: Buffer, nonce: Buffer, key: Buffer): void;
  /** The plain bytes of `sealed` (ciphertext then tag); throws when the key, `ad` or a byte is not those sealed. */
  open(sealed: Buffer, ad: Buffer, nonce: Buffer, key: Buffer): Buffer;
}

interface Sodium {
  crypto_aead_chacha20poly1305_ietf_encrypt(
    c: Buffer,
    m: Buffer,
    ad: Buffer,
    nsec: null,
    npub: Buffer,
    k: Buffer,
  ): number;
  crypto_aead_chacha20poly1305_ietf_decrypt(
    m: Buffer,
    nsec: null,
    c: Buffer,
    ad: Buffer,
    npub: Buffer,
    k: Buffer,
  ): number;
}

function sodiumAead(): Aead | undefined {
  let sodium: Sodium;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    sodium = require('sodium-native') as Sodium;
  } catch {
    return undefined;
  }
  return {
    name: 'libsodium',
    seal: (out, plain, ad, nonce, key) => {
      sodium.crypto_aead_chacha20poly1305_ietf_encrypt(out, plain, ad, null, nonce, key);
    },
    open: (sealed, ad, nonce, key) => {
      const plain = Buffer.allocUnsafe(sealed.length - TAG_BYTES);
      sodium.crypto_aead_chacha20poly1305_ietf_decrypt(plain, null, sealed, ad, nonce, key);
      return plain;
    },
  };
}

export const nodeAead: Aead = {
  name: 'node:crypto',
  seal: (out, plain, ad, nonce, key) => {
    const cipher = createCipheriv(CIPHER, key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(ad, { plaintextLength: plain.length });
    const written = cipher.update(plain).copy(out);
    cipher.final().copy(out, written);
    cipher.getAuthTag().copy(out, plain.length);
  },
  open: (sealed, ad, nonce, key) => {
    const decipher = createDecipheriv(CIPHER, key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(ad, { plaintextLength: sealed.length - TAG_BYTES });
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const first = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
    const last = decipher.final();
    return last.length === 0 ? first : Buffer.concat([first, last]);
  },
};

/** The implementation this process seals and opens with. */
export const aead: Aead = sodiumAead() ?? nodeAead;

export const newDataKey = (): Buffer => randomBytes(DATA_KEY_BYTES);

/**
 * `count` new keys whose ids follow the order they were made in (the layout of a version 7 UUID:
 * the milliseconds first, then random bits, here with a counter last), so a batch of keys sits side
 * by side in the key store's indexes and giving them out, in that order, writes few pages.
 */
export function newDataKeys(count: number): { id: string; key: Buffer }[] {
  const ms = Date.now().toString(16).padStart(12, '0');
  const random = randomBytes(6).toString('hex');
  const variant = ((parseInt(random[3]!, 16) & 0x3) | 0x8).toString(16);
  const prefix = `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${random.slice(0, 3)}-${variant}${random.slice(4, 7)}-${random.slice(7, 12)}`;
  // One draw from the system for all of them; each key is a copy of its own 32 bytes.
  const bytes = randomBytes(count * DATA_KEY_BYTES);
  return Array.from({ length: count }, (_, index) => ({
    id: `${prefix}${index.toString(16).padStart(7, '0')}`,
    key: Buffer.from(bytes.subarray(index * DATA_KEY_BYTES, (index + 1) * DATA_KEY_BYTES)),
  }));
}

/** Random bytes for nonces, drawn from the system a page at a time rather than 12 bytes per event. */
const pool = Buffer.alloc(NONCE_BYTES * 512);
let used = pool.length;

function writeNonce(out: Buffer): void {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  pool.copy(out, 0, used, used + NONCE_BYTES);
  used += NONCE_BYTES;
}

export function isSealed(data: unknown): data is SealedData {
  if (typeof data !== 'object' || data === null || !('$sealed' in data)) return false;
  const sealed = data.$sealed;
  if (typeof sealed !== 'object' || sealed === null) return false;
  const { k, c, v, f } = sealed as { k?: unknown; c?: unknown; v?: unknown; f?: unknown };
  return (
    typeof k === 'string' &&
    (typeof c === 'string' ? v === undefined : typeof v === 'string') &&
    (f === undefined || areNames(f))
  );
}

/** A loop, not `every` with a closure: this runs for every event a rebuild reads. */
function areNames(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (const name of value) if (typeof name !== 'string') return false;
  return true;
}

export function seal(
  data: unknown,
  keyId: string,
  key: Buffer,
  eventId: string,
  using: Aead = aead,
): SealedData {
  const plain = Buffer.from(JSON.stringify(data) ?? 'null', 'utf8');
  const value = Buffer.allocUnsafe(NONCE_BYTES + plain.length + TAG_BYTES);
  const nonce = value.subarray(0, NONCE_BYTES);
  writeNonce(nonce);
  using.seal(value.subarray(NONCE_BYTES), plain, Buffer.from(eventId, 'utf8'), nonce, key);
  const fields = isRecord(data) ? Object.keys(data) : undefined;
  return { $sealed: { k: keyId, c: value.toString('base64'), ...(fields ? { f: fields } : {}) } };
}

/** The data sealed for `eventId`; throws when the key, the event id or the bytes are not those sealed. */
export function open(sealed: SealedData, key: Buffer, eventId: string, using: Aead = aead): unknown {
  const { c, v } = sealed.$sealed;
  const ad = Buffer.from(eventId, 'utf8');
  let plain: Buffer;
  if (c !== undefined) {
    const value = Buffer.from(c, 'base64');
    plain = using.open(value.subarray(NONCE_BYTES), ad, value.subarray(0, NONCE_BYTES), key);
  } else plain = openEarlier(Buffer.from(v!, 'base64'), ad, key);
  return JSON.parse(plain.toString('utf8'));
}

/** What was sealed with AES-256-GCM, laid out nonce, tag, ciphertext. */
function openEarlier(value: Buffer, ad: Buffer, key: Buffer): Buffer {
  const decipher = createDecipheriv(EARLIER_CIPHER, key, value.subarray(0, NONCE_BYTES));
  decipher.setAAD(ad);
  decipher.setAuthTag(value.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
  const first = decipher.update(value.subarray(NONCE_BYTES + TAG_BYTES));
  const last = decipher.final();
  return last.length === 0 ? first : Buffer.concat([first, last]);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Where a lazily opened object keeps how to open itself: a symbol, so no copy or JSON carries it. */
const LAZY = Symbol('lazily opened');

interface Lazy {
  [LAZY]: {
    /** What to open, until it is opened. */
    sealed: SealedData | undefined;
    readonly key: Buffer;
    readonly eventId: string;
    opened: Record<string, unknown> | undefined;
  };
}

const openedOf = (data: Lazy): Record<string, unknown> => {
  const state = data[LAZY];
  if (state.sealed) {
    state.opened = open(state.sealed, state.key, state.eventId) as Record<string, unknown>;
    state.sealed = undefined;
  }
  return state.opened!;
};

/** One descriptor per field name, shared by every lazily opened object: a rebuild makes thousands. */
const descriptors = new Map<string, PropertyDescriptor>();

function descriptorOf(name: string): PropertyDescriptor {
  let descriptor = descriptors.get(name);
  if (!descriptor) {
    descriptor = {
      enumerable: true,
      configurable: true,
      get(this: Lazy): unknown {
        return openedOf(this)[name];
      },
      set(this: Lazy, value: unknown): void {
        Object.defineProperty(this, name, { value, writable: true, enumerable: true, configurable: true });
      },
    };
    descriptors.set(name, descriptor);
  }
  return descriptor;
}

/**
 * The sealed data as an object whose fields (named in the clear) open the whole of it the first time
 * any value is read: folds that need only the field names (the sharing engine's cuts) never pay for
 * the cipher. Writing a field replaces it with a plain value, as on any object. Holds what it needs
 * to open in one object, not a closure: a rebuild keeps thousands of these until it writes.
 */
export function lazilyOpened(
  fields: readonly string[],
  sealed: SealedData,
  key: Buffer,
  eventId: string,
): Record<string, unknown> {
  const data = {} as Record<string, unknown>;
  Object.defineProperty(data, LAZY, { value: { sealed, key, eventId, opened: undefined } });
  for (const name of fields) Object.defineProperty(data, name, descriptorOf(name));
  return data;
}

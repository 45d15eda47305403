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
  readonly $sealed: {
    readonly k: string;
    readonly v: string;
    /**
     * The data's field names, when it is an object: the sharing engine cuts an event by its field
     * names, so a projection can fold it without opening it (see `lazilyOpened`). Names are the
     * catalogue's, never a value.
     */
    readonly f?: readonly string[];
  };
}

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
  return Array.from({ length: count }, (_, index) => ({
    id: `${prefix}${index.toString(16).padStart(7, '0')}`,
    key: newDataKey(),
  }));
}

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
  const sealed = data.$sealed;
  if (typeof sealed !== 'object' || sealed === null) return false;
  const { k, v, f } = sealed as { k?: unknown; v?: unknown; f?: unknown };
  return (
    typeof k === 'string' &&
    typeof v === 'string' &&
    (f === undefined || (Array.isArray(f) && f.every((name) => typeof name === 'string')))
  );
}

export function seal(data: unknown, keyId: string, key: Buffer, eventId: string): SealedData {
  const iv = nonce();
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(eventId, 'utf8'));
  const first = cipher.update(JSON.stringify(data) ?? 'null', 'utf8');
  const last = cipher.final();
  const value = Buffer.concat([iv, cipher.getAuthTag(), first, last]);
  const fields = isRecord(data) ? Object.keys(data) : undefined;
  return { $sealed: { k: keyId, v: value.toString('base64'), ...(fields ? { f: fields } : {}) } };
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

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Where a lazily opened object keeps how to open itself: a symbol, so no copy or JSON carries it. */
const LAZY = Symbol('lazily opened');

interface Lazy {
  [LAZY]: { open: (() => unknown) | undefined; opened: Record<string, unknown> | undefined };
}

const openedOf = (data: Lazy): Record<string, unknown> => {
  const state = data[LAZY];
  if (state.open) {
    state.opened = state.open() as Record<string, unknown>;
    state.open = undefined;
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
 * the cipher. Writing a field replaces it with a plain value, as on any object.
 */
export function lazilyOpened(fields: readonly string[], open: () => unknown): Record<string, unknown> {
  const data = {} as Record<string, unknown>;
  Object.defineProperty(data, LAZY, { value: { open, opened: undefined } });
  for (const name of fields) Object.defineProperty(data, name, descriptorOf(name));
  return data;
}

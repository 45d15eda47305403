import { hash as digest } from 'node:crypto';

// A fixed namespace so that the same (source, id) always maps to the same stored id, on any node.
const NAMESPACE = Buffer.from('4c1f6bd2a8e94a0f9a3e7d0b5e2c9f61', 'hex');

/** The namespace followed by room for a name; grown when a name needs more. */
let hashed = Buffer.alloc(1024);
NAMESPACE.copy(hashed);

/** RFC 9562 name-based (SHA-1, version 5) UUID. */
export function uuidFromName(name: string): string {
  // A UTF-16 code unit takes at most three bytes of UTF-8.
  if (NAMESPACE.length + name.length * 3 > hashed.length) {
    hashed = Buffer.alloc(NAMESPACE.length + name.length * 3);
    NAMESPACE.copy(hashed);
  }
  const length = NAMESPACE.length + hashed.write(name, NAMESPACE.length, 'utf8');
  const hash = digest('sha1', hashed.subarray(0, length), 'buffer');
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The stored event id for a CloudEvent: idempotency on (source, id) rests on this being stable. */
export const storedEventId = (source: string, ceId: string): string =>
  uuidFromName(`event\n${source}\n${ceId}`);

/** The partnership id given to a subject first registered by the event with this stored id. */
export const partnershipIdFor = (registeringEventId: string): string =>
  uuidFromName(`subject\n${registeringEventId}`);

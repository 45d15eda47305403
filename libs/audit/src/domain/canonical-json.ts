/**
 * RFC 8785 JSON Canonicalization for the values audit records hold (objects, arrays, strings,
 * finite numbers, booleans, null): object keys sorted by UTF-16 code units, no whitespace, and
 * ECMAScript's own number and string serialisation, which is what RFC 8785 specifies. Written as
 * plain loops: every read of subject data canonicalises its disclosure record once.
 */
export function canonicalJson(value: unknown, known?: KnownSerialisations): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error('Canonical JSON cannot hold a non-finite number');
      return JSON.stringify(value);
    case 'object':
      return value === null ? 'null' : (known?.get(value) ?? canonicalObject(value, known));
    default:
      throw new Error(`Canonical JSON cannot hold a ${typeof value}`);
  }
}

/** Serialisations already made of objects that do not change, reused wherever those objects appear. */
export type KnownSerialisations = Pick<WeakMap<object, string>, 'get'>;

function canonicalObject(value: object, known: KnownSerialisations | undefined): string {
  // Serialise what JSON.stringify would store: a toJSON() result (Dates), holes in arrays as null.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((value as { toJSON: () => unknown }).toJSON(), known);
  }
  if (Array.isArray(value)) {
    // A list of strings or finite numbers (a record's field names, its event positions) serialises
    // the same either way; natively is faster.
    if (value.every(isPlainScalar)) return JSON.stringify(value);
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      out += `${i === 0 ? '' : ','}${item === undefined ? 'null' : canonicalJson(item, known)}`;
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // Array.prototype.sort with no comparator orders strings by UTF-16 code units, as RFC 8785 asks.
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item, known)}`;
  }
  return `${out}}`;
}

const isPlainScalar = (item: unknown): boolean =>
  typeof item === 'string' || (typeof item === 'number' && Number.isFinite(item));

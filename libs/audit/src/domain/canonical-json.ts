/**
 * RFC 8785 JSON Canonicalization for the values audit records hold (objects, arrays, strings,
 * finite numbers, booleans, null): object keys sorted by UTF-16 code units, no whitespace, and
 * ECMAScript's own number and string serialisation, which is what RFC 8785 specifies.
 */
export function canonicalJson(value: unknown): string {
  // Serialise what JSON.stringify would store: a toJSON() result (Dates), holes in arrays as null.
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  }
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('Canonical JSON cannot hold a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value))
    return `[${Array.from(value, (item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  throw new Error(`Canonical JSON cannot hold a ${typeof value}`);
}

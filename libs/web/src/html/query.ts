/**
 * Query values as single strings. A form can send a name twice (the board's sort buttons and its
 * hidden sort field); the later one is what the person clicked, so it wins.
 */
export function queryValues(raw: Record<string, unknown>): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(raw)) {
    const last = Array.isArray(value) ? (value as unknown[])[value.length - 1] : value;
    values[name] = typeof last === 'string' ? last : undefined;
  }
  return values;
}

/** A link to the same page with some parameters changed (null removes one). */
export function withQuery(
  path: string,
  current: Record<string, string | null | undefined>,
  changes: Record<string, string | null>,
): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...current, ...changes })) {
    if (value !== null && value !== undefined && value !== '') params.set(name, value);
  }
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

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

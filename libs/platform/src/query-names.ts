/**
 * The names of a URL's query parameters, each once, in order, decoded: all a log line or a trace
 * keeps of a query, whose values can hold a person's name (a search of the board or the IG
 * console). Imports nothing, so the tracing set-up can load it before anything it instruments.
 */
export function queryParameterNames(url: string): string[] {
  const start = url.indexOf('?');
  if (start < 0) return [];
  const names = new Set<string>();
  for (const pair of url.slice(start + 1).split('&')) {
    const name = pair.split('=', 1)[0]!;
    if (name === '') continue;
    try {
      names.add(decodeURIComponent(name.replace(/\+/g, ' ')).slice(0, 64));
    } catch {
      names.add('(undecodable)');
    }
  }
  return [...names];
}

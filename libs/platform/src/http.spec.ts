import { isFresh, pathOf, weakEtag } from './http';

const asked = (headers: Record<string, string>) => ({ headers });

describe('entity tags', () => {
  it('tags a body with its length in hex and the start of its SHA-1, as clients hold them', () => {
    expect(weakEtag('')).toBe('W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"');
    expect(weakEtag('{"a":1}')).toBe(weakEtag(Buffer.from('{"a":1}')));
    expect(weakEtag('é')).toMatch(/^W\/"2-/);
  });

  it.each([
    [{ 'if-none-match': 'W/"3-abc"' }, true],
    [{ 'if-none-match': '"3-abc"' }, true],
    [{ 'if-none-match': '"x", W/"3-abc" ' }, true],
    [{ 'if-none-match': '*' }, true],
    [{ 'if-none-match': 'W/"3-abd"' }, false],
    [{}, false],
    [{ 'if-none-match': 'W/"3-abc"', 'cache-control': 'no-cache' }, false],
    [{ 'if-none-match': 'W/"3-abc"', 'if-modified-since': 'Sun, 06 Dec 2026 10:00:00 GMT' }, false],
  ])('answers %j from the cache: %s', (headers, fresh) => {
    expect(isFresh(asked(headers), 'W/"3-abc"')).toBe(fresh);
  });

  it('reads the path without its query', () => {
    expect(pathOf({ url: '/app/board?q=x' })).toBe('/app/board');
    expect(pathOf({ url: '/v1/events' })).toBe('/v1/events');
  });
});

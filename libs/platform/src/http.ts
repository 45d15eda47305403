import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A request as the HTTP server (Fastify) hands it to controllers, guards and filters. */
export type HttpRequest = FastifyRequest;
/** The answer to a request: `header`, `code`, `type`, `send`, `redirect`, `setCookie`. */
export type HttpResponse = FastifyReply;

/** The path a request was sent to, without its query string, not decoded. */
export function pathOf(request: { readonly url: string }): string {
  const query = request.url.indexOf('?');
  return query < 0 ? request.url : request.url.slice(0, query);
}

/**
 * The weak entity tag of a body: its length in hex and the start of its SHA-1 in base64, the tag
 * the API has always sent, so a client's cached tag still matches after an upgrade.
 */
export function weakEtag(body: string | Buffer): string {
  const bytes = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
  const hash = createHash('sha1').update(body).digest('base64').slice(0, 27);
  return `W/"${bytes.toString(16)}-${hash}"`;
}

/**
 * Whether the client's cached copy is the answer (RFC 9110 §13.1.2, as `fresh` decides it for
 * `If-None-Match`): a `no-cache` request is never answered from its cache, and a tag matches
 * weakly.
 */
export function isFresh(request: { readonly headers: FastifyRequest['headers'] }, etag: string): boolean {
  const noneMatch = request.headers['if-none-match'];
  // With a date to compare and no date on any answer here, the copy is stale.
  if (!noneMatch || request.headers['if-modified-since']) return false;
  const cacheControl = request.headers['cache-control'];
  if (cacheControl && /(?:^|,)\s*?no-cache\s*?(?:,|$)/.test(cacheControl)) return false;
  if (noneMatch.trim() === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  return noneMatch
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => (tag.startsWith('W/') ? tag.slice(2) : tag) === opaque);
}

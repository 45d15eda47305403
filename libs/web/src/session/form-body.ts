import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse } from 'node:querystring';
import { type HttpRequest, ProblemException } from '@throughline/platform';

export const FORM_TYPE = 'application/x-www-form-urlencoded';
/** Page forms are small and flat. */
const FORM_LIMIT_BYTES = 16 * 1024;
const FORM_FIELDS = 20;

const tooLarge = (): ProblemException =>
  new ProblemException(413, 'form-too-large', 'Form too large', 'The form is over the size limit.');
const notUnderstood = (): ProblemException =>
  new ProblemException(400, 'form-not-understood', 'Form not understood', 'The form could not be read.');

/**
 * The routes that take form posts: the pages' (sign-in and out, the IG console's and the meetings'
 * actions), not the catch-all that answers an unknown page.
 */
const takesForms = (route: string | undefined): boolean =>
  route !== undefined && route !== '/app/*' && (route === '/app' || route.startsWith('/app/'));

/**
 * Parses the form posts of the pages (`application/x-www-form-urlencoded`, flat `name=value`
 * pairs, UTF-8, at most 16 KiB and 20 fields); the API reads JSON only, so on any other route such
 * a body is left unread and the route sees none. A bad form is refused with a 400 or a 413, which
 * the pages answer with a page.
 */
export function parseFormBody(
  request: HttpRequest,
  payload: IncomingMessage,
  done: (error: Error | null, body?: unknown) => void,
): void {
  if (!takesForms(request.routeOptions.url)) {
    done(null, undefined);
    return;
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
  const encoding = request.headers['content-encoding'];
  if ((charset && charset.toLowerCase() !== 'utf-8') || (encoding && encoding.toLowerCase() !== 'identity')) {
    done(notUnderstood());
    return;
  }
  if (Number(request.headers['content-length']) > FORM_LIMIT_BYTES) {
    done(tooLarge());
    return;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  let finished = false;
  const finish = (error: Error | null, body?: unknown): void => {
    if (finished) return;
    finished = true;
    payload.removeAllListeners('data');
    done(error, body);
  };
  payload.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > FORM_LIMIT_BYTES) finish(tooLarge());
    else chunks.push(chunk);
  });
  payload.on('error', () => finish(notUnderstood()));
  payload.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.split('&').length > FORM_FIELDS) finish(tooLarge());
    else finish(null, parse(text, '&', '=', { maxKeys: FORM_FIELDS }));
  });
}

/**
 * Security headers for every page: no framing, no inline script or style, nothing cached. The only
 * script is the pages' own file (the inbox's count and live list), which may talk to this origin.
 */
export function pageHeaders(_request: IncomingMessage, response: ServerResponse, next: () => void): void {
  response.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
  response.setHeader('X-Content-Type-Options', 'nosniff');
  // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on our own form posts.
  response.setHeader('Referrer-Policy', 'same-origin');
  response.setHeader('X-Frame-Options', 'DENY');
  // A page that may be cached says so itself (the stylesheet, the icon), which overrides this.
  response.setHeader('Cache-Control', 'no-store');
  next();
}

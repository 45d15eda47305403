import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type HttpRequest, type HttpResponse, ProblemException } from '@throughline/platform';
import { CSRF_COOKIE, readCookies, SESSION_COOKIE, SESSION_SECONDS, setCookie } from './cookies';

export const CSRF_FIELD = '_csrf';

/**
 * Double submit, bound to the session: the form carries HMAC(csrf cookie, session cookie). A site
 * that could plant a csrf cookie still cannot compute the field without the HttpOnly session
 * token, and a form from before sign-in stops working after it. The session cookie is also
 * SameSite=Strict, so a cross-site post does not carry it in the first place.
 */
const bind = (secret: string, session: string): string =>
  createHmac('sha256', secret).update(`throughline-csrf\n${session}`).digest('base64url');

/** The token for forms on this page; sets the csrf cookie when the browser has none yet. */
export function csrfToken(request: HttpRequest, response: HttpResponse): string {
  const cookies = readCookies(request);
  let secret = cookies.get(CSRF_COOKIE);
  if (!secret || !/^[\w-]{32,}$/.test(secret)) {
    secret = randomBytes(32).toString('base64url');
    setCookie(request, response, CSRF_COOKIE, secret, SESSION_SECONDS);
    // Later reads in this request (another form on the page) must see the same secret.
    request.headers.cookie = `${request.headers.cookie ? `${request.headers.cookie}; ` : ''}${CSRF_COOKIE}=${secret}`;
  }
  return bind(secret, cookies.get(SESSION_COOKIE) ?? '');
}

const refused = (detail: string): ProblemException =>
  new ProblemException(403, 'csrf', 'The form could not be accepted', detail);

/** Throws 403 unless the post came from one of our own forms in this browser session. */
export function verifyCsrf(request: HttpRequest, submitted: unknown): void {
  const origin = request.headers.origin;
  if (origin !== undefined) {
    let host: string | null = null;
    try {
      host = new URL(origin).host;
    } catch {
      host = null;
    }
    if (host === null || host !== request.headers.host) throw refused('The form was sent from another site');
  }
  if (request.headers['sec-fetch-site'] === 'cross-site')
    throw refused('The form was sent from another site');
  const cookies = readCookies(request);
  const secret = cookies.get(CSRF_COOKIE);
  if (!secret || typeof submitted !== 'string' || submitted.length === 0) {
    throw refused('The form has expired. Go back, reload the page and try again.');
  }
  const expected = Buffer.from(bind(secret, cookies.get(SESSION_COOKIE) ?? ''));
  const given = Buffer.from(submitted);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw refused('The form has expired. Go back, reload the page and try again.');
  }
}

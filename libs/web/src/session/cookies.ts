import type { HttpRequest, HttpResponse } from '@throughline/platform';

/** The signed-in person's token. HttpOnly: page scripts never see it. */
export const SESSION_COOKIE = 'throughline_session';
/** The random half of the CSRF double submit. */
export const CSRF_COOKIE = 'throughline_csrf';
/** Pages and their form posts live under /app; the API never reads these cookies. */
export const COOKIE_PATH = '/app';
export const SESSION_SECONDS = 8 * 3600;
/**
 * State, nonce and PKCE verifier of a sign-in at the provider, sealed. SameSite=Lax and only for
 * the callback: the provider's redirect back is a cross-site navigation, which a Strict cookie
 * would not follow.
 */
export const SIGN_IN_COOKIE = 'throughline_oidc';
export const SIGN_IN_COOKIE_PATH = '/app/oidc';
export const SIGN_IN_SECONDS = 10 * 60;

/** A cookie other than the session's: its own path and SameSite. */
export interface CookieScope {
  readonly path: string;
  readonly sameSite: 'strict' | 'lax';
}
const PAGES: CookieScope = { path: COOKIE_PATH, sameSite: 'strict' };

/** Reads the Cookie header (cookies are not parsed for every request; the format is simple). */
export function readCookies(request: HttpRequest): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index <= 0) continue;
    const name = part.slice(0, index).trim();
    const raw = part.slice(index + 1).trim();
    try {
      if (!cookies.has(name)) cookies.set(name, decodeURIComponent(raw));
    } catch {
      // A malformed value is treated as absent.
    }
  }
  return cookies;
}

/**
 * Secure when the request came over TLS, or a proxy says so. The header cannot weaken anything:
 * at worst it makes the cookie Secure on a plain-HTTP hop, which only loses the session.
 */
const overTls = (request: HttpRequest): boolean =>
  request.protocol === 'https' || String(request.headers['x-forwarded-proto'] ?? '').startsWith('https');

/** One `Set-Cookie` value; the attributes in the order browsers and the tests have always seen. */
function setCookieHeader(
  request: HttpRequest,
  name: string,
  value: string,
  scope: CookieScope,
  lifetime: { readonly maxAgeSeconds: number } | 'expired',
): string {
  const parts = [`${name}=${encodeURIComponent(value)}`];
  if (lifetime !== 'expired') parts.push(`Max-Age=${Math.floor(lifetime.maxAgeSeconds)}`);
  parts.push(`Path=${scope.path}`);
  const expires = lifetime === 'expired' ? new Date(1) : new Date(Date.now() + lifetime.maxAgeSeconds * 1000);
  parts.push(`Expires=${expires.toUTCString()}`, 'HttpOnly');
  if (overTls(request)) parts.push('Secure');
  parts.push(`SameSite=${scope.sameSite === 'strict' ? 'Strict' : 'Lax'}`);
  return parts.join('; ');
}

export function setCookie(
  request: HttpRequest,
  response: HttpResponse,
  name: string,
  value: string,
  maxAgeSeconds: number,
  scope: CookieScope = PAGES,
): void {
  response.header('Set-Cookie', setCookieHeader(request, name, value, scope, { maxAgeSeconds }));
}

export function clearCookie(
  request: HttpRequest,
  response: HttpResponse,
  name: string,
  scope: CookieScope = PAGES,
): void {
  response.header('Set-Cookie', setCookieHeader(request, name, '', scope, 'expired'));
}

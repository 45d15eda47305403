import type { Request, Response } from 'express';

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

/** Reads the Cookie header (no cookie-parser in the app; the format is simple). */
export function readCookies(request: Request): Map<string, string> {
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
const overTls = (request: Request): boolean =>
  request.secure || String(request.headers['x-forwarded-proto'] ?? '').startsWith('https');

export function setCookie(
  request: Request,
  response: Response,
  name: string,
  value: string,
  maxAgeSeconds: number,
  scope: CookieScope = PAGES,
): void {
  response.cookie(name, value, {
    httpOnly: true,
    sameSite: scope.sameSite,
    secure: overTls(request),
    path: scope.path,
    maxAge: maxAgeSeconds * 1000,
  });
}

export function clearCookie(
  request: Request,
  response: Response,
  name: string,
  scope: CookieScope = PAGES,
): void {
  response.clearCookie(name, {
    httpOnly: true,
    sameSite: scope.sameSite,
    secure: overTls(request),
    path: scope.path,
  });
}

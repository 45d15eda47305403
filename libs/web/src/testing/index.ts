import { seal } from '../session/oidc/sealed';

/**
 * A session cookie as the OpenID Connect callback makes it, ending at `endsAt` (seconds since the
 * epoch): lets a test present a session that has run out without waiting for one to.
 */
export const oidcSessionCookie = (
  cookieSecret: string,
  person: { sub: string; agency: string; role: string },
  endsAt: number,
): Promise<string> => seal(cookieSecret, 'session', { ...person }, endsAt);

/** Every persona the demo sign-in page offers, for tests that count or pick them. */
export { PERSONAS } from '../session/personas';

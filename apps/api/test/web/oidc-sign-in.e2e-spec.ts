import { AuditService } from '@throughline/audit';
import { oidcSessionCookie } from '@throughline/web/testing';
import { ProviderBrowser, TestOidcProvider, unescapeAttribute } from '../oidc-provider';
import { startTestApp, type TestApp } from '../test-app';
import { CookieJar, csrfOf } from './page-session';

/** Where the deployment says it lives; the app under test answers in process whatever the host. */
const ORIGIN = 'http://127.0.0.1:3999';
const CLIENT = { clientId: 'throughline-pages', clientSecret: 'a-client-secret-for-the-test-provider' };
const COOKIE_SECRET = 'sealing-secret-shared-by-every-api-process-0123456789';
const ACCOUNTS = {
  'om-204': { iom_agency: 'probation', iom_role: 'offender-manager' },
  'astro-1': { iom_agency: 'probation', iom_role: 'astronaut' },
  'martian-1': { iom_agency: 'mars-council', iom_role: 'offender-manager' },
};

const refreshTarget = (page: string): string => {
  const match = /<meta http-equiv="refresh" content="0;url=([^"]+)"/.exec(page);
  if (!match) throw new Error(`No onward address on the page:\n${page}`);
  return unescapeAttribute(match[1]!);
};

describe('OpenID Connect sign-in for the pages', () => {
  let provider: TestOidcProvider;
  let t: TestApp;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    provider = await TestOidcProvider.start({
      ...CLIENT,
      redirectUri: `${ORIGIN}/app/oidc/callback`,
      postLogoutRedirectUri: `${ORIGIN}/app/sign-in`,
      agencyClaim: 'iom_agency',
      roleClaim: 'iom_role',
      accounts: ACCOUNTS,
    });
    env = {
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: CLIENT.clientId,
      OIDC_CLIENT_SECRET: CLIENT.clientSecret,
      OIDC_REDIRECT_URI: `${ORIGIN}/app/oidc/callback`,
      OIDC_SCOPES: 'openid iom',
      OIDC_AGENCY_CLAIM: 'iom_agency',
      OIDC_ROLE_CLAIM: 'iom_role',
      OIDC_COOKIE_SECRET: COOKIE_SECRET,
    };
    t = await startTestApp(env);
  });
  afterAll(async () => {
    await t?.close();
    await provider?.stop();
  });

  /** From the sign-in page to the provider and back: the callback address the provider sent. */
  const toProviderAndBack = async (jar: CookieJar, login: string, next = '/app/subjects') => {
    const signInPage = await t.http.get(`/app/sign-in?next=${encodeURIComponent(next)}`).expect(200);
    const start = unescapeAttribute(/href="(\/app\/oidc\/start[^"]*)"/.exec(signInPage.text)?.[1] ?? '');
    expect(start).toBe(`/app/oidc/start?next=${encodeURIComponent(next)}`);
    const toProvider = await t.http.get(start).expect(303);
    jar.take(toProvider.headers['set-cookie']);
    const authorize = new URL(toProvider.headers.location as string);
    expect(authorize.origin).toBe(provider.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    return new ProviderBrowser().until(authorize.href, `${ORIGIN}/app/oidc/callback`, login);
  };

  const callback = (jar: CookieJar, url: URL) =>
    t.http.get(`${url.pathname}${url.search}`).set('Cookie', jar.header());

  it('signs a person in through the provider, serves their pages, and signs them out there too', async () => {
    const jar = new CookieJar();
    const back = await toProviderAndBack(jar, 'om-204');
    expect(back.searchParams.get('code')).toBeTruthy();
    const signedIn = await callback(jar, back).expect(200);
    jar.take(signedIn.headers['set-cookie']);
    expect(jar.get('throughline_session')).toBeTruthy();
    expect(jar.get('throughline_oidc')).toBeUndefined();
    expect(refreshTarget(signedIn.text)).toBe('/app/subjects');

    const subjects = await t.http.get('/app/subjects').set('Cookie', jar.header()).expect(200);
    jar.take(subjects.headers['set-cookie']);
    expect(subjects.text).toContain('om-204');
    expect(subjects.text).toContain('offender-manager');

    const signedOut = await t.http
      .post('/app/sign-out')
      .set('Cookie', jar.header())
      .type('form')
      .send({ _csrf: csrfOf(subjects.text) })
      .expect(200);
    jar.take(signedOut.headers['set-cookie']);
    expect(jar.get('throughline_session')).toBeUndefined();
    const endSession = new URL(refreshTarget(signedOut.text));
    expect(endSession.origin).toBe(provider.issuer);
    expect(endSession.searchParams.get('id_token_hint')).toBeTruthy();
    const afterLogout = await new ProviderBrowser().until(endSession.href, `${ORIGIN}/app/sign-in`, 'om-204');
    expect(afterLogout.pathname).toBe('/app/sign-in');
    await t.http.get('/app/subjects').set('Cookie', jar.header()).expect(303);
  });

  it('refuses a callback whose state was tampered with, and opens no session', async () => {
    const jar = new CookieJar();
    const back = await toProviderAndBack(jar, 'om-204');
    back.searchParams.set('state', `${back.searchParams.get('state')}x`);
    const refused = await callback(jar, back).expect(400);
    expect(refused.text).toContain('Sign-in could not be completed');
    expect(refused.text).toContain('state');
    jar.take(refused.headers['set-cookie']);
    expect(jar.get('throughline_session')).toBeUndefined();
    // The attempt is spent: the same callback again finds no sign-in in flight.
    await callback(jar, back).expect(400);
  });

  it('refuses a role the agreement does not name, with a page, on the record', async () => {
    const jar = new CookieJar();
    const refused = await callback(jar, await toProviderAndBack(jar, 'astro-1')).expect(403);
    expect(refused.text).toContain('Role not in the agreement');
    expect(refused.text).toContain('astronaut');
    jar.take(refused.headers['set-cookie']);
    expect(jar.get('throughline_session')).toBeUndefined();
    const record = await t.app.get(AuditService).store.get(String(refused.headers['x-disclosure-id']));
    expect(record?.content).toMatchObject({
      principal: { user: 'astro-1', agency: 'probation', role: 'astronaut' },
      outcome: 'refused',
      refusal: { status: 403, rule: 'unknown-role', route: 'GET /app/oidc/callback' },
    });
  });

  it('refuses an agency the agreement does not name, on the record', async () => {
    const jar = new CookieJar();
    const refused = await callback(jar, await toProviderAndBack(jar, 'martian-1')).expect(403);
    expect(refused.text).toContain('Agency not in the partnership');
    const record = await t.app.get(AuditService).store.get(String(refused.headers['x-disclosure-id']));
    expect(record?.content.refusal).toMatchObject({ rule: 'unknown-agency' });
  });

  it('completes a sign-in started on one API process at another sharing the cookie secret', async () => {
    const other = await startTestApp(env);
    try {
      const jar = new CookieJar();
      const back = await toProviderAndBack(jar, 'om-204');
      const signedIn = await other.http
        .get(`${back.pathname}${back.search}`)
        .set('Cookie', jar.header())
        .expect(200);
      jar.take(signedIn.headers['set-cookie']);
      await t.http.get('/app/subjects').set('Cookie', jar.header()).expect(200);
    } finally {
      await other.close();
    }
  });

  it('sends a session past its end back to sign in', async () => {
    const now = Math.floor(Date.now() / 1000);
    const person = { sub: 'om-204', agency: 'probation', role: 'offender-manager' };
    const live = await oidcSessionCookie(COOKIE_SECRET, person, now + 60);
    await t.http.get('/app/subjects').set('Cookie', `throughline_session=${live}`).expect(200);
    const ended = await oidcSessionCookie(COOKIE_SECRET, person, now - 1);
    const answer = await t.http
      .get('/app/subjects')
      .set('Cookie', `throughline_session=${ended}`)
      .expect(303);
    expect(answer.headers.location).toBe('/app/sign-in?next=%2Fapp%2Fsubjects');
    const forged = await oidcSessionCookie('another-secret-that-is-at-least-32-chars', person, now + 60);
    await t.http.get('/app/subjects').set('Cookie', `throughline_session=${forged}`).expect(303);
  });
});

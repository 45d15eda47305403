import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import { assertBuilt, freePort, ServerProcess } from './child-process';
import { ProviderBrowser, TestOidcProvider } from './oidc-provider';

interface LogLine {
  readonly event?: string;
  readonly what?: string;
  readonly url?: string;
  readonly error?: string;
}

/**
 * The identity provider stops answering: sign-in and bearer tokens cannot be checked. That is a
 * 503 naming the provider, and a log line saying which address failed and how; never a 401 that
 * tells the person their credentials are wrong while the operator sees nothing.
 */
describe('an identity provider that does not answer', () => {
  let dataDir: string;
  let provider: TestOidcProvider;
  let server: ServerProcess | undefined;

  beforeAll(() => {
    assertBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'throughline-idp-down-'));
  });
  afterAll(async () => {
    await server?.signal('SIGTERM');
    await provider?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 to the pages and the API, and logs the address and the error', async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    provider = await TestOidcProvider.start({
      clientId: 'throughline-pages',
      clientSecret: 'a-client-secret-for-the-test-provider',
      redirectUri: `${origin}/app/oidc/callback`,
      postLogoutRedirectUri: `${origin}/app/sign-in`,
      agencyClaim: 'agency',
      roleClaim: 'role',
      accounts: {},
    });
    const jwksUrl = `${provider.issuer}/jwks`;
    server = ServerProcess.start(dataDir, port, {
      LOG_LEVEL: 'info',
      JWT_JWKS_URL: jwksUrl,
      JWT_ISSUER: provider.issuer,
      JWT_AUDIENCE: 'throughline-api',
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: 'throughline-pages',
      OIDC_CLIENT_SECRET: 'a-client-secret-for-the-test-provider',
      OIDC_REDIRECT_URI: `${origin}/app/oidc/callback`,
      OIDC_COOKIE_SECRET: 'sealing-secret-shared-by-every-api-process-0123456789',
    });
    await server.ready();
    // A person is part way through signing in when the provider goes down.
    const started = await fetch(`${origin}/app/oidc/start`, { redirect: 'manual' });
    expect(started.status).toBe(303);
    const cookie = started.headers.getSetCookie()[0]!.split(';')[0]!;
    const back = await new ProviderBrowser().until(
      started.headers.get('location')!,
      `${origin}/app/oidc/callback`,
      'pc-1',
    );

    await provider.stop();

    const page = await fetch(back.href, { headers: { cookie }, redirect: 'manual' });
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('Identity provider unavailable');
    const tokenLine = JSON.parse(await server.logged('"what":"OpenID token endpoint"', 10_000)) as LogLine;
    expect(tokenLine).toMatchObject({
      event: 'identity-provider-unreachable',
      url: `${provider.issuer}/token`,
    });
    expect(tokenLine.error).toMatch(/ECONNREFUSED/);

    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({ agency: 'police', role: 'iom-officer' })
      .setProtectedHeader({ alg: 'ES256', kid: 'a-key-the-server-has-not-fetched' })
      .setSubject('pc-1')
      .setIssuer(provider.issuer)
      .setAudience('throughline-api')
      .setExpirationTime('5m')
      .sign(privateKey);
    const api = await fetch(`${origin}/v1/subjects`, {
      headers: { authorization: `Bearer ${token}`, 'x-purpose-of-use': 'case-management' },
    });
    expect(api.status).toBe(503);
    expect(api.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await api.json()).toMatchObject({
      status: 503,
      type: 'https://throughline.dev/problems/identity-provider-unavailable',
    });
    const keySetLine = JSON.parse(await server.logged(`"url":"${jwksUrl}"`, 10_000)) as LogLine;
    expect(keySetLine).toMatchObject({ event: 'identity-provider-unreachable', what: 'JWKS', url: jwksUrl });
    expect(keySetLine.error).toMatch(/ECONNREFUSED/);
  });
});

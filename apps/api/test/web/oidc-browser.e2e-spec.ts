import type { Browser } from 'playwright-core';
import { freePort } from '../child-process';
import { TestOidcProvider } from '../oidc-provider';
import { startTestApp, type TestApp } from '../test-app';
import { describeWithChromium, launchChromium } from './chromium';

/**
 * The flow in a real browser, with the provider on another site (localhost against 127.0.0.1):
 * what SameSite cookies, the CSP and the provider's redirects do is the browser's to decide.
 */
describeWithChromium('OpenID Connect sign-in in headless Chromium', () => {
  let provider: TestOidcProvider;
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    provider = await TestOidcProvider.start({
      clientId: 'throughline-pages',
      clientSecret: 'a-client-secret-for-the-test-provider',
      redirectUri: `${base}/app/oidc/callback`,
      postLogoutRedirectUri: `${base}/app/sign-in`,
      agencyClaim: 'agency',
      roleClaim: 'role',
      accounts: { 'ig-01': { agency: 'partnership', role: 'ig-lead' } },
      hostname: 'localhost',
    });
    t = await startTestApp({
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: 'throughline-pages',
      OIDC_CLIENT_SECRET: 'a-client-secret-for-the-test-provider',
      OIDC_REDIRECT_URI: `${base}/app/oidc/callback`,
      OIDC_SCOPES: 'openid iom',
      OIDC_COOKIE_SECRET: 'sealing-secret-shared-by-every-api-process-0123456789',
    });
    await t.app.listen(port, '127.0.0.1');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await provider?.stop();
  });

  it('signs in at the provider, lands on the page asked for, and signs out there', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/app/ig`);
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    await page.getByRole('link', { name: 'Sign in with your organisation account' }).click();
    await page.waitForURL((url) => url.hostname === 'localhost');
    await page.locator('input[name="login"]').fill('ig-01');
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]', { hasText: 'Continue' }).click();
    await page.waitForURL((url) => url.origin === base && url.pathname === '/app/ig');
    expect(await page.locator('.who').textContent()).toContain('ig-01');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.hostname === 'localhost');
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL((url) => url.origin === base && url.pathname === '/app/sign-in');
    await page.goto(`${base}/app/ig`);
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    await context.close();
  });
});

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AuditService } from '@throughline/audit';
import { startTestApp, type TestApp } from '../test-app';
import { expectAccessible } from './axe';
import { loadSmallPartnership } from './small-partnership';
import { SCREENSHOTS, describeWithChromium, launchChromium } from './chromium';

describeWithChromium('the tasking meeting in headless Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];

  async function signedInAsChair(): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${base}/app/sign-in`);
    await page.getByRole('radio', { name: /Tasking meeting chair/ }).check();
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/app/board'),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    return page;
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await startTestApp();
    await loadSmallPartnership(t.app, { seed: 1, subjects: 40 });
    await t.settle();
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
  });

  it('lists the demo’s meetings; the chair opens one, records a decision and an action, closes it and prints the minutes', async () => {
    const page = await signedInAsChair();
    await page.getByRole('link', { name: 'Meetings' }).click();
    await page.waitForURL(`${base}/app/meetings`);
    const rows = page.getByRole('region', { name: 'Meetings' }).locator('tbody tr');
    expect(await rows.count()).toBe(3);
    await expectAccessible(page);

    // The last demo meeting's minutes: what it decided, nothing of the board beside it.
    await rows.first().getByRole('link', { name: 'Minutes' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^Minutes: tasking meeting/);
    expect(await page.locator('.minutes').textContent()).toMatch(/Agencies present/);
    await page.goBack();

    await page.getByRole('checkbox', { name: 'probation' }).check();
    await Promise.all([
      page.waitForURL(/\/app\/meetings\/[0-9a-f-]{36}\?done=opened$/),
      page.getByRole('button', { name: 'Open the meeting' }).click(),
    ]);
    expect(await page.getByRole('status').textContent()).toContain('The meeting is open.');
    expect(await page.getByRole('heading', { name: 'Band movement since the last meeting' }).count()).toBe(1);
    // The last meeting is read from the log, never typed.
    expect(await page.locator('dl.facts').textContent()).toMatch(/Last meeting\s+\d/);
    await page.screenshot({ path: join(SCREENSHOTS, 'meeting.png'), fullPage: false });
    await expectAccessible(page);

    const decision = page.locator('form', { has: page.getByRole('heading', { name: 'Record a decision' }) });
    const person = await decision.getByLabel('Person').locator('option').first().textContent();
    await decision.getByLabel('Decision').selectOption('escalate');
    await decision.getByLabel(/^Reason \(escalation/).fill('Refer to MARAC: repeat victim at the address');
    await Promise.all([
      page.waitForURL(/\?done=decision#recorded$/),
      decision.getByRole('button', { name: 'Record the decision' }).click(),
    ]);
    const action = page.locator('form', { has: page.getByRole('heading', { name: 'Set an action' }) });
    await action.getByLabel('Owner agency').selectOption('housing');
    await action.getByLabel('Due').fill(new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10));
    await action.getByLabel('Action').fill('Find a hostel place before Friday');
    await Promise.all([
      page.waitForURL(/\?done=action#recorded$/),
      action.getByRole('button', { name: 'Set the action' }).click(),
    ]);
    const recorded = await page.getByRole('region', { name: 'Decisions' }).textContent();
    expect(recorded).toContain(person!.trim());
    expect(recorded).toContain('Escalate: Refer to MARAC');

    await Promise.all([
      page.waitForURL(/\/minutes$/),
      page.getByRole('button', { name: 'Close the meeting' }).click(),
    ]);
    const minutesUrl = page.url();
    expect(await page.locator('.minutes').textContent()).toContain('Find a hostel place before Friday');
    expect(await page.getByText('Draft: the meeting is still open').count()).toBe(0);
    await expectAccessible(page);

    // Print: the navigation and the page's own links go; the minutes stay.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.site nav').isVisible()).toBe(false);
    expect(await page.locator('.no-print').isVisible()).toBe(false);
    expect(await page.locator('.print-only').isVisible()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'minutes.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download (Markdown)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('tasking-minutes.md');
    const text = readFileSync(await download.path(), 'utf8');
    expect(text).toContain('## Decisions');
    expect(text).toContain('Escalate: Refer to MARAC');

    // Each opening of the minutes was recorded, by the one audited read.
    const records = await t.app.get(AuditService).store.query({ limit: 1000 });
    const minutesReads = records.filter((record) => record.content.action === 'tasking.minutes');
    expect(minutesReads.length).toBeGreaterThanOrEqual(3);
    expect(minutesUrl).toMatch(/\/app\/meetings\/[0-9a-f-]{36}\/minutes$/);
  });
});

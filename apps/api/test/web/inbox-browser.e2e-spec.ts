import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '@throughline/kafka/testing';
import { type Browser, type Locator } from 'playwright-core';
import { InboxFeed } from '@throughline/subjects';
import { cloudEvent, POLICE, SubjectJourney } from '../cloud-events';
import { startTestApp, type TestApp } from '../test-app';
import { expectAccessible } from './axe';
import { SCREENSHOTS, describeWithChromium, launchChromium } from './chromium';

const BATCH = 'application/cloudevents-batch+json';

/** The text of the first element a locator finds, its white space as it reads. */
const textOf = async (locator: Locator): Promise<string> =>
  ((await locator.first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

const showsText = (locator: Locator, text: string) =>
  eventually(
    () => textOf(locator),
    (found) => found === text,
    `"${text}"`,
    15_000,
  );
const containsText = (locator: Locator, text: string) =>
  eventually(
    () => textOf(locator),
    (found) => found.includes(text),
    `text containing "${text}"`,
    15_000,
  );
const counts = (locator: Locator, count: number) =>
  eventually(
    () => locator.count(),
    (found) => found === count,
    `${count} items`,
    15_000,
  );

describeWithChromium('the inbox page in headless Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  const journey = new SubjectJourney();
  const pollMs = InboxFeed.pollMs;

  const publish = async (events: unknown[]): Promise<void> => {
    const police = await t.systemToken('police', [POLICE]);
    await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${police}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify(events))
      .expect(200);
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    InboxFeed.pollMs = 100;
    t = await startTestApp();
    await publish([
      journey.registered('Rowan', 'Quillfeather'),
      cloudEvent(POLICE, 'iom.key-worker.assigned.v1', `pnc:${journey.pnc}`, {
        agency: 'police',
        worker: 'PC 101',
        contact: '01782 000101',
        user: 'pc-101',
      }),
      journey.arrested('Theft of a canal boat tiller'),
    ]);
    await t.settle();
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    browser = await launchChromium();
  });

  afterAll(async () => {
    InboxFeed.pollMs = pollMs;
    await browser?.close();
    await t?.close();
  });

  it('shows a wanted flag arriving live, with the unread count in the navigation, and opens it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/app/sign-in`);
    await page.getByRole('radio', { name: /IOM police officer/ }).check();
    await Promise.all([
      page.waitForURL((url) => !url.pathname.endsWith('/sign-in')),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    // Another page first: its navigation gets the count from the page's script.
    const inboxLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Inbox/ });
    await showsText(inboxLink.locator('[data-unread]'), '1');
    await inboxLink.click();
    await page.waitForURL(/\/app\/inbox/);
    const items = page.locator('ul.notifications li.notification');
    await counts(items, 1);
    await containsText(items.first(), 'Arrest: Rowan Quillfeather');
    // The list is as of a log position, and the live feed follows on from it: nothing is missed.
    expect(Number(await page.locator('[data-inbox-live]').getAttribute('data-from'))).toBeGreaterThan(0);

    await publish([
      cloudEvent(POLICE, 'iom.wanted.flagged.v1', `pnc:${journey.pnc}`, { reason: 'recall', warrant: true }),
    ]);

    await counts(items, 2);
    await containsText(items.first(), 'Wanted: Rowan Quillfeather');
    await containsText(items.first(), 'Yours');
    await showsText(inboxLink.locator('[data-unread]'), '2');
    await showsText(page.locator('[data-inbox-status]'), 'New notification: Wanted: Rowan Quillfeather');
    await page.screenshot({ path: join(SCREENSHOTS, 'inbox.png') });
    await expectAccessible(page);

    await items.first().getByRole('link').click();
    await page.waitForURL(/\/app\/inbox\/[0-9a-f-]{36}/);
    await showsText(page.getByRole('heading', { level: 1 }), 'Wanted: Rowan Quillfeather');
    await containsText(page.locator('body'), 'recorded in the audit log as disclosure');
    await showsText(inboxLink.locator('[data-unread]'), '1');
    expect(await textOf(page.locator('dl.facts'))).toContain('Warrant yes');
    await expectAccessible(page);
    await context.close();
  });
});

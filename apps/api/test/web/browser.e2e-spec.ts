import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { cloudEvent, POLICE, SubjectJourney } from '../cloud-events';
import { startTestApp, type TestApp } from '../test-app';
import { expectAccessible } from './axe';
import { loadSmallPartnership } from './small-partnership';
import { PERSONAS } from '@throughline/web/testing';
import { SCREENSHOTS, describeWithChromium, launchChromium } from './chromium';

const OFFENCE = 'Theft of a tandem bicycle from Longton';
const JUSTIFICATION = 'Reported missing after an overdose; need treatment contacts now';

describeWithChromium('web pages in headless Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let subjectId: string;
  const contexts: BrowserContext[] = [];

  /** A fresh browser profile (its own cookies) signed in through the form, as a person would. */
  async function signedIn(persona: string, width = 1280): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${base}/app/sign-in`);
    await page.getByRole('radio', { name: new RegExp(persona) }).check();
    await Promise.all([
      page.waitForURL((url) => !url.pathname.endsWith('/sign-in')),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    return page;
  }

  /** Every page a test opens is checked against WCAG A and AA before its screenshot is written. */
  const shot = async (page: Page, name: string, fullPage = false) => {
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await startTestApp();
    await loadSmallPartnership(t.app, { seed: 1, subjects: 40 });
    // One person of our own, with an arrest whose text cannot appear anywhere by chance.
    const journey = new SubjectJourney();
    const pnc = `pnc:${journey.pnc}`;
    const police = await t.systemToken('police', [POLICE]);
    const published = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${police}`)
      .set('Content-Type', 'application/cloudevents-batch+json')
      .send(
        JSON.stringify([
          journey.registered('Morgan', 'Achterberg'),
          journey.arrested(OFFENCE),
          journey.scored(47, 'red'),
          cloudEvent(POLICE, 'iom.cohort.adopted.v1', pnc, {
            cohortClass: 'PPO',
            category: 1,
            statutory: true,
            reviewDue: '2026-12-01',
          }),
          // The mentor's caseload holds the person through the key worker the voluntary sector gives.
          cloudEvent(POLICE, 'iom.key-worker.assigned.v1', pnc, {
            agency: 'voluntary',
            worker: 'Jordan Mentor',
            contact: '01782 000002',
          }),
        ]),
      )
      .expect(200);
    subjectId = published.body.results[0].subjectId;
    // A person whose police data is due for review (an arrest years ago), for the records review.
    const old = new SubjectJourney();
    await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${police}`)
      .set('Content-Type', 'application/cloudevents-batch+json')
      .send(
        JSON.stringify([
          old.registered('Ray', 'Holt'),
          { ...old.arrested('Theft from a shop'), time: '2014-05-01T10:00:00Z' },
        ]),
      )
      .expect(200);
    const officer = await t.personToken('police', 'iom-officer', 'pc-101');
    await t.http
      .post(`/v1/subjects/${subjectId}/break-glass`)
      .set('Authorization', `Bearer ${officer}`)
      .send({ justification: JUSTIFICATION, categories: ['drugs'], minutes: 30 })
      .expect(201);
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

  it('shows the sign-in page with every demo persona, and a skip link first in the tab order', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${base}/app/board`);
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    // One radio per persona the sign-in page offers.
    expect(await page.getByRole('radio').count()).toBe(PERSONAS.length);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to main content');
    await shot(page, 'sign-in');
  });

  it('lets a tasking chair filter and sort the board', async () => {
    const page = await signedIn('Tasking meeting chair');
    expect(new URL(page.url()).pathname).toBe('/app/board');
    await shot(page, 'board');
    await page.evaluate("document.querySelector('#released').scrollIntoView()");
    await shot(page, 'board-released');
    await page.getByLabel('Band', { exact: true }).selectOption('red');
    await Promise.all([page.waitForURL(/band=red/), page.getByRole('button', { name: 'Apply' }).click()]);
    const bands = await page.locator('table').first().locator('tbody tr .badge').allTextContents();
    expect(bands.length).toBeGreaterThan(0);
    expect(new Set(bands.map((band) => band.toLowerCase()))).toEqual(new Set(['red']));
    await Promise.all([page.waitForURL(/sort=name/), page.getByRole('button', { name: /^Person/ }).click()]);
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).toContain('Person');
    const names = await page.locator('table').first().locator('tbody th').allTextContents();
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    expect(await page.content()).not.toContain(OFFENCE);
    await page.evaluate("document.querySelector('#measures').scrollIntoView()");
    await shot(page, 'board-measures');
  });

  it('shows a police officer the subject picture with the arrest', async () => {
    const page = await signedIn('IOM police officer');
    await shot(page, 'subjects');
    await page.goto(`${base}/app/subjects/${subjectId}`);
    expect(await page.locator('h1').textContent()).toBe('Morgan Achterberg');
    expect(await page.getByRole('region', { name: 'Alerts' }).textContent()).toContain(OFFENCE);
    await shot(page, 'subject-police');
  });

  it('filters the timeline by category, agency and type, keeping the choice on the page', async () => {
    const page = await signedIn('IOM police officer');
    await page.goto(`${base}/app/subjects/${subjectId}/timeline`);
    await expectAccessible(page);
    await page.getByLabel('Category', { exact: true }).selectOption('offending');
    await page.getByLabel('Agency', { exact: true }).selectOption('police');
    await Promise.all([
      page.waitForURL(/category=offending/),
      page.getByRole('button', { name: 'Filter' }).click(),
    ]);
    expect(new URL(page.url()).searchParams.get('agency')).toBe('police');
    expect(await page.getByRole('status').textContent()).toMatch(
      /1 entry matches: category Offending, published by police\./,
    );
    const entries = await page.locator('ol.timeline > li > strong').allTextContents();
    expect(entries).toEqual(['Arrest recorded']);
    expect(await page.locator('ol.timeline').textContent()).toContain(OFFENCE);
    // Only what the officer may see is offered: every category offered has an entry behind it.
    const options = await page.locator('#f-category option').all();
    const offered = await Promise.all(options.map((option) => option.getAttribute('value')));
    expect(offered).toEqual(expect.arrayContaining(['', 'identity', 'offending', 'cohort']));
    expect(offered).not.toContain('health');
    await shot(page, 'timeline-filtered', true);
  });

  it('never shows a voluntary-sector mentor an arrest, whatever page or purpose', async () => {
    const page = await signedIn('Mentor');
    const list = await page.content();
    expect(list).toContain('Morgan Achterberg');
    expect(await page.getByRole('row', { name: /Morgan Achterberg/ }).textContent()).toContain(
      'Wanted: Not shared with your agency',
    );
    await shot(page, 'subjects-mentor');
    await page.getByRole('link', { name: 'Morgan Achterberg' }).click();
    await page.waitForURL(new RegExp(subjectId));
    for (const purpose of ['case-management', 'continuity-of-care', 'safeguarding']) {
      await page.getByLabel('Purpose of use').selectOption(purpose);
      await Promise.all([
        page.waitForURL(new RegExp(`purpose=${purpose}`)),
        page.getByRole('button', { name: 'Show' }).click(),
      ]);
      const text = (await page.locator('main').textContent()) ?? '';
      expect(text).not.toContain(OFFENCE);
      expect(text).not.toMatch(/Arrest recorded/);
      // "Wanted" may label a withheld fact; the flag itself never shows.
      expect(await page.locator('main .flag-warn').count()).toBe(0);
    }
    await page.getByLabel('Purpose of use').selectOption('case-management');
    await Promise.all([
      page.waitForURL(/purpose=case-management/),
      page.getByRole('button', { name: 'Show' }).click(),
    ]);
    // Withheld reads as withheld, with its basis: never 0 arrests, never nothing recorded.
    const custody = (await page.getByRole('region', { name: 'Custody' }).textContent()) ?? '';
    expect(custody).not.toContain('Nothing recorded');
    expect(custody).toMatch(/Not shared with your agency: [^.]*\barrests\b/);
    expect(custody).toMatch(/Not shared with your agency: [^.]*\bwanted\b/);
    expect(await page.getByRole('region', { name: 'Supervision' }).textContent()).toContain(
      'Shared only with consent; none in force for you',
    );
    await page.getByText('What the agreement lets your agency see').click();
    expect(
      await page
        .getByRole('table', { name: /basis for each category/ })
        .getByRole('row', { name: /Offending/ })
        .textContent(),
    ).toContain('Not shared with your agency');
    await shot(page, 'subject-mentor', true);
    await page.goto(`${base}/app/board`);
    expect(await page.locator('h1').textContent()).toBe('Role may not read this view');
  });

  it('lets an IG lead review a break-glass claim and read the register', async () => {
    const page = await signedIn('Information-governance lead');
    expect(await page.getByText('The audit log verifies').count()).toBe(1);
    const claim = page.locator('article', { hasText: JUSTIFICATION });
    await claim.getByLabel(/Review note/).fill('Justified: overdose reported by the hostel');
    await shot(page, 'ig-console');
    await Promise.all([
      page.waitForURL(/reviewed=approved/),
      claim.getByRole('button', { name: 'Approve' }).click(),
    ]);
    expect(await page.getByRole('status').textContent()).toContain('approved');
    expect(await page.locator('article', { hasText: JUSTIFICATION }).count()).toBe(0);
    expect(await page.getByRole('table', { name: /Recently reviewed/ }).textContent()).toContain(
      'Justified: overdose reported by the hostel',
    );
    await Promise.all([
      page.waitForURL(/disclosures/),
      page.getByRole('link', { name: 'Disclosure register' }).click(),
    ]);
    await shot(page, 'disclosure-register');
    await page.goto(`${base}/app/ig/disclosures`);
    await page.getByLabel('User', { exact: true }).fill('pc-101');
    await Promise.all([page.waitForURL(/user=pc-101/), page.getByRole('button', { name: 'Filter' }).click()]);
    const users = await page.locator('tbody td:nth-child(3)').allTextContents();
    expect(users.length).toBeGreaterThan(0);
    expect(users.every((cell) => cell.includes('pc-101'))).toBe(true);
  });

  it("shows the police IG lead its agency's records to review and restrict", async () => {
    const page = await signedIn('Police information-governance lead');
    await page.goto(`${base}/app/ig/records`);
    expect(await page.locator('h1').textContent()).toBe('Records management');
    // The review due names the person, the partnership id beside the name.
    const reviews = page.getByRole('table', { name: /due for review/ });
    expect(await reviews.getByRole('row', { name: /Ray Holt/ }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /Restrict/ }).count()).toBeGreaterThan(0);
    await shot(page, 'ig-records', true);
  });

  it('fits a tablet width without sideways scrolling of the page', async () => {
    const chair = await signedIn('Tasking meeting chair', 768);
    expect(await chair.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(768);
    await shot(chair, 'board-768');
    const officer = await signedIn('IOM police officer', 768);
    await officer.goto(`${base}/app/subjects/${subjectId}`);
    expect(await officer.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(768);
    await shot(officer, 'subject-768');
  });
});

import { AuditService, type AuditRecord, SubjectSearchService } from '@throughline/audit';
import { cloudEvent, POLICE, PRISON, SubjectJourney } from '../cloud-events';
import { startTestApp, type TestApp } from '../test-app';
import { csrfOf, type CookieJar, signIn } from './page-session';

const BATCH = 'application/cloudevents-batch+json';
const VOLUNTARY = 'urn:throughline:voluntary:crm';
/** Distinctive enough that finding it anywhere on a page can only mean the arrest leaked. */
const OFFENCE = 'Theft of a tandem bicycle from Longton';

describe('web pages', () => {
  let t: TestApp;
  let subjectId: string;
  let claimId: string;
  const journey = new SubjectJourney();

  const publish = async (agency: string, source: string, events: unknown[]) => {
    const token = await t.systemToken(agency, [source]);
    const response = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify(events))
      .expect(200);
    return response.body;
  };
  const page = (jar: CookieJar, path: string) => t.http.get(path).set('Cookie', jar.header());
  const audit = () => t.app.get(AuditService);
  const recordsOf = async (response: { headers: Record<string, string> }): Promise<AuditRecord[]> => {
    const ids = String(response.headers['x-disclosure-id'] ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    const records = await Promise.all(ids.map((id) => audit().store.get(id)));
    return records.filter((record): record is AuditRecord => record !== undefined);
  };

  beforeAll(async () => {
    t = await startTestApp();
    const registration = journey.registered('Morgan', 'Achterberg<script>alert(1)</script>');
    const pnc = `pnc:${journey.pnc}`;
    const body = await publish('police', POLICE, [
      registration,
      journey.arrested(OFFENCE),
      journey.scored(41, 'amber'),
      journey.scored(47, 'red'),
      cloudEvent(POLICE, 'iom.cohort.adopted.v1', pnc, {
        cohortClass: 'PPO',
        category: 1,
        statutory: true,
        reviewDue: '2025-06-01',
      }),
      cloudEvent(POLICE, 'iom.wanted.flagged.v1', pnc, { reason: 'failed-to-appear', warrant: true }),
      cloudEvent(POLICE, 'iom.tasking.action-assigned.v1', pnc, {
        actionId: `A-${journey.crn}`,
        meeting: 'North tasking',
        ownerAgency: 'housing',
        due: '2025-01-10',
        text: 'Find accommodation before release',
      }),
    ]);
    subjectId = body.results[0].subjectId;
    await publish('prison', PRISON, [journey.linked('prison'), journey.receivedIntoCustody()]);
    await publish('voluntary', VOLUNTARY, [
      cloudEvent(VOLUNTARY, 'iom.key-worker.assigned.v1', pnc, {
        agency: 'voluntary',
        worker: 'Ali Shah',
        contact: '01782 000505',
      }),
    ]);
    const officer = await t.personToken('police', 'iom-officer', 'pc-101');
    const claim = await t.http
      .post(`/v1/subjects/${subjectId}/break-glass`)
      .set('Authorization', `Bearer ${officer}`)
      .send({
        justification: 'Reported missing after an overdose; need contacts now',
        categories: ['drugs'],
        minutes: 30,
      })
      .expect(201);
    claimId = claim.body.eventId;
    await t.settle();
  });
  afterAll(() => t.close());

  describe('sign-in', () => {
    it("sets an HttpOnly, SameSite=Strict session cookie and goes to the persona's page", async () => {
      const form = await t.http.get('/app/sign-in').expect(200);
      expect(form.text).toContain('Tasking meeting chair');
      const csrfCookie = [form.headers['set-cookie']].flat().find((c) => c?.startsWith('throughline_csrf='));
      const signedIn = await t.http
        .post('/app/sign-in')
        .set('Cookie', csrfCookie!.split(';')[0]!)
        .type('form')
        .send({ _csrf: csrfOf(form.text), persona: 'police-tasking-chair' })
        .expect(303);
      expect(signedIn.headers.location).toBe('/app/board');
      const session = [signedIn.headers['set-cookie']]
        .flat()
        .find((c) => c?.startsWith('throughline_session='));
      expect(session).toMatch(/HttpOnly/);
      expect(session).toMatch(/SameSite=Strict/);
      expect(session).toMatch(/Path=\/app/);
    });

    it('refuses a sign-in without the CSRF token or from another site', async () => {
      const form = await t.http.get('/app/sign-in').expect(200);
      const cookie = [form.headers['set-cookie']].flat()[0]!.split(';')[0]!;
      const missing = await t.http
        .post('/app/sign-in')
        .set('Cookie', cookie)
        .type('form')
        .send({ persona: 'police-iom-officer' })
        .expect(403);
      expect(missing.headers['set-cookie']?.toString() ?? '').not.toMatch(/throughline_session=ey/);
      expect(missing.text).toContain('The form could not be accepted');
      await t.http
        .post('/app/sign-in')
        .set('Cookie', cookie)
        .set('Origin', 'https://elsewhere.example')
        .type('form')
        .send({ _csrf: csrfOf(form.text), persona: 'police-iom-officer' })
        .expect(403);
    });

    it('sends a page request without a session to sign-in, and back afterwards', async () => {
      const response = await t.http.get('/app/board?band=red').expect(303);
      expect(response.headers.location).toBe('/app/sign-in?next=%2Fapp%2Fboard%3Fband%3Dred');
      const form = await t.http.get('/app/sign-in?next=%2Fapp%2Fboard%3Fband%3Dred').expect(200);
      expect(form.text).toContain('name="next" value="/app/board?band&#61;red"');
      const offsite = await t.http.get('/app/sign-in?next=https://elsewhere.example/').expect(200);
      expect(offsite.text).not.toContain('elsewhere');
    });

    it('signs out by clearing the cookie', async () => {
      const jar = await signIn(t.http, 'voluntary-mentor');
      const subjects = await page(jar, '/app/subjects').expect(200);
      const out = await t.http
        .post('/app/sign-out')
        .set('Cookie', jar.header())
        .type('form')
        .send({ _csrf: csrfOf(subjects.text) })
        .expect(303);
      expect(out.headers.location).toBe('/app/sign-in');
      jar.take(out.headers['set-cookie']);
      expect(jar.get('throughline_session')).toBeUndefined();
      await page(jar, '/app/subjects').expect(303);
    });
  });

  describe('the tasking board', () => {
    it('renders for the chair, filtered, and records the board and the register as disclosures', async () => {
      const jar = await signIn(t.http, 'police-tasking-chair');
      const board = await page(jar, '/app/board?band=red&sort=name:ascending').expect(200);
      expect(board.headers['content-type']).toMatch(/text\/html/);
      expect(board.text).toContain('Achterberg&lt;script&gt;');
      expect(board.text).not.toContain('<script>');
      expect(board.text).toContain('aria-sort="ascending"');
      expect(board.text).toContain('<span class="flag flag-warn">Wanted</span>');
      // The chair sees flags, never the events behind them.
      expect(board.text).not.toContain(OFFENCE);
      expect(board.text).not.toContain('failed-to-appear');
      const records = await recordsOf(board);
      expect(records.map((record) => record.content.action)).toEqual([
        'tasking.board',
        'tasking.deselections',
      ]);
      expect(records[0]!.content.subjects.map((subject) => subject.subjectId)).toContain(subjectId);
      expect(records[0]!.content).toMatchObject({ purpose: 'tasking', principal: { role: 'tasking-chair' } });
      const since = await page(jar, '/app/board?since=2099-01-01').expect(200);
      expect(since.text).toContain('No flags changed since that date');
    });

    it('answers other roles with 403 and a bad filter with 400, as pages', async () => {
      const officer = await signIn(t.http, 'police-iom-officer');
      const refused = await page(officer, '/app/board').expect(403);
      expect(refused.headers['content-type']).toMatch(/text\/html/);
      expect(refused.text).toContain('Role may not read this view');
      const [refusal] = await recordsOf(refused);
      expect(refusal!.content).toMatchObject({
        action: 'tasking.board',
        outcome: 'refused',
        refusal: { rule: 'role-view', clause: 'roles.iom-officer' },
      });
      const chair = await signIn(t.http, 'police-tasking-chair');
      await page(chair, '/app/board?band=purple').expect(400);
      await page(chair, '/app/subjects').expect(403);
      await page(chair, '/app/ig').expect(403);
    });
  });

  describe('the subject picture', () => {
    it('shows the police officer the arrest, and records the view', async () => {
      const jar = await signIn(t.http, 'police-iom-officer');
      const list = await page(jar, '/app/subjects?band=red').expect(200);
      expect(list.text).toContain(`/app/subjects/${subjectId}?purpose&#61;case-management`);
      const [listed] = await recordsOf(list);
      expect(listed!.content).toMatchObject({ action: 'subject.list', outcome: 'disclosed' });
      const view = await page(jar, `/app/subjects/${subjectId}`).expect(200);
      expect(view.text).toContain(OFFENCE);
      expect(view.text).toContain('Arrest recorded');
      // The picture states the last arrest itself, not only the count.
      expect(view.text).toMatch(/<dt>Last arrest<\/dt>\s*<dd>[^<]*<time[^>]*>[^<]*<\/time>: Theft/);
      const [record] = await recordsOf(view);
      expect(record!.content).toMatchObject({
        action: 'subject.view',
        purpose: 'case-management',
        principal: { user: 'pc-101', agency: 'police' },
      });
      expect(view.text).toContain(record!.content.id);
      const timeline = await page(jar, `/app/subjects/${subjectId}/timeline?purpose=enforcement`).expect(200);
      const [timelineRecord] = await recordsOf(timeline);
      expect(timelineRecord!.content).toMatchObject({ action: 'subject.timeline', purpose: 'enforcement' });
    });

    it('filters the timeline page by category, agency and type, with the count, offering only what the reader may see', async () => {
      const officer = await signIn(t.http, 'police-iom-officer', 'pc-101');
      const timeline = (jar: CookieJar, query: string) =>
        page(jar, `/app/subjects/${subjectId}/timeline?${query}`);
      const offered = (text: string, name: string): string[] => {
        const select =
          new RegExp(`<select id="f-${name}" name="${name}">([\\s\\S]*?)</select>`).exec(text)?.[1] ?? '';
        return [...select.matchAll(/<option value="([^"]*)"/g)].map((match) => match[1]!);
      };
      const prison = await timeline(officer, 'agency=prison').expect(200);
      expect(prison.text).toMatch(/2 entries match: published by prison\./);
      expect(prison.text).toContain('<strong>Custody received</strong>');
      expect(prison.text).toContain('<strong>Subject identifier linked</strong>');
      expect(prison.text).not.toContain('<strong>Arrest recorded</strong>');
      expect(offered(prison.text, 'agency')).toEqual(['', 'police', 'prison', 'voluntary']);
      expect(offered(prison.text, 'category')).toEqual(
        expect.arrayContaining(['offending', 'custody', 'identity']),
      );
      const [record] = await recordsOf(prison);
      expect(record!.content).toMatchObject({ action: 'subject.timeline', outcome: 'disclosed' });
      const combined = await timeline(officer, 'category=identity&agency=prison&purpose=enforcement').expect(
        200,
      );
      expect(combined.text).toMatch(/1 entry matches: category Identity, published by prison\./);
      expect(combined.text).toMatch(/<option value="enforcement"\s+selected/);
      const arrests = await timeline(officer, 'type=iom.arrest.recorded.v1').expect(200);
      expect(arrests.text).toContain(OFFENCE);
      expect(arrests.text).not.toContain('<strong>Custody received</strong>');
      // The mentor is offered no category, agency or type it may not see, and asking finds nothing.
      const mentor = await signIn(t.http, 'voluntary-mentor');
      const all = await timeline(mentor, '').expect(200);
      expect(offered(all.text, 'category')).not.toContain('offending');
      expect(offered(all.text, 'type')).not.toContain('iom.arrest.recorded.v1');
      const asked = await timeline(mentor, 'category=offending&type=iom.arrest.recorded.v1').expect(200);
      expect(asked.text).toMatch(/0 entries match/);
      expect(asked.text).toContain('Nothing on the timeline matches these filters.');
      expect(asked.text).toContain('(none you may see)');
      expect(asked.text).not.toContain(OFFENCE);
    });

    it('answers a timeline filter that names nothing with a page that says why, never a 500', async () => {
      const jar = await signIn(t.http, 'police-iom-officer');
      for (const query of [
        'category=%3Cscript%3Ealert(1)%3C%2Fscript%3E',
        'type=iom.nothing.v1',
        'agency=POLICE',
        `agency=${'x'.repeat(5000)}`,
        'category=__proto__',
        'category=identity&category=custody',
        'category[a]=identity',
      ]) {
        const refused = await page(jar, `/app/subjects/${subjectId}/timeline?${query}`);
        expect({ query, status: refused.status }).toEqual({ query, status: 400 });
        expect(refused.headers['content-type']).toMatch(/text\/html/);
        expect(refused.text).not.toContain('<script>alert');
      }
      const unknown = await page(jar, `/app/subjects/${subjectId}/timeline?type=iom.nothing.v1`).expect(400);
      expect(unknown.text).toContain('Invalid timeline filter');
      expect(unknown.text).toContain('type must be an event type of the catalogue');
    });

    it("never shows a voluntary-sector mentor an arrest or wanted status, on any of the mentor's pages", async () => {
      const jar = await signIn(t.http, 'voluntary-mentor');
      const pages = [
        '/app/subjects',
        `/app/subjects/${subjectId}`,
        `/app/subjects/${subjectId}?purpose=safeguarding`,
        `/app/subjects/${subjectId}/timeline`,
      ];
      for (const path of pages) {
        const response = await page(jar, path);
        expect([200, 404]).toContain(response.status);
        expect(response.text).not.toContain(OFFENCE);
        expect(response.text).not.toContain('Arrest recorded');
        // The flag's label may appear, to say it is withheld; never the flag or its reason.
        expect(response.text).not.toMatch(/flag-warn">Wanted|failed-to-appear/);
      }
      const view = await page(jar, `/app/subjects/${subjectId}`).expect(200);
      expect(view.text).toMatch(/Not shared with your agency<\/span>: [^<]*\bwanted\b/);
      expect(view.text).toContain('Ali Shah');
      const [record] = await recordsOf(view);
      expect(Object.keys(record!.content.subjects[0]!.fields)).not.toContain('offending');
    });

    it('records a practitioner refused an IG page and a bad filter, as the API records them', async () => {
      const mentor = await signIn(t.http, 'voluntary-mentor');
      const refused = await page(mentor, '/app/ig').expect(403);
      const [refusal] = await recordsOf(refused);
      expect(refusal!.content).toMatchObject({
        action: 'audit.tools',
        outcome: 'refused',
        principal: { agency: 'voluntary', role: 'mentor' },
        refusal: { status: 403, rule: 'role-view', clause: 'roles.mentor', route: 'GET /app/ig' },
      });
      const chair = await signIn(t.http, 'police-tasking-chair');
      const bad = await page(chair, '/app/board?band=purple').expect(400);
      const [badRecord] = await recordsOf(bad);
      expect(badRecord!.content).toMatchObject({ action: 'tasking.board', refusal: { status: 400 } });
      expect(JSON.stringify(badRecord!.content)).not.toContain('purple');
    });

    it("refuses a mentor's page for enforcement by the agreement's role section, and records it", async () => {
      const jar = await signIn(t.http, 'voluntary-mentor');
      const refused = await page(jar, `/app/subjects/${subjectId}?purpose=enforcement`).expect(403);
      expect(refused.text).toContain('Purpose not allowed for this role');
      expect(refused.text).not.toContain('Ali Shah');
      const [refusal] = await recordsOf(refused);
      expect(refusal!.content).toMatchObject({
        action: 'subject.view',
        outcome: 'refused',
        purpose: 'enforcement',
        refusal: { status: 403, rule: 'role-purpose', clause: 'roles.mentor', subjectId },
      });
    });

    it('records a refusal for a subject the reader cannot see, and refuses an unknown purpose', async () => {
      const jar = await signIn(t.http, 'housing-housing-officer');
      const missing = await page(jar, '/app/subjects/00000000-0000-4000-8000-000000000000').expect(404);
      expect(missing.text).toContain('Subject not found');
      const [refusal] = await recordsOf(missing);
      expect(refusal!.content).toMatchObject({ outcome: 'refused', action: 'subject.view' });
      await page(jar, `/app/subjects/${subjectId}?purpose=curiosity`).expect(400);
      await page(jar, '/app/subjects/not-a-uuid').expect(400);
      await page(jar, '/app/no-such-page').expect(404);
    });

    it('records every page view', async () => {
      const jar = await signIn(t.http, 'probation-offender-manager');
      const before = (await audit().store.query({ user: 'om-204', limit: 500 })).length;
      for (const path of [
        '/app/subjects',
        `/app/subjects/${subjectId}`,
        `/app/subjects/${subjectId}/timeline`,
      ]) {
        await page(jar, path).expect(200);
      }
      const after = await audit().store.query({ user: 'om-204', limit: 500 });
      expect(after.length - before).toBe(3);
      expect(after.slice(0, 3).map((record) => record.content.action)).toEqual([
        'subject.timeline',
        'subject.view',
        'subject.list',
      ]);
    });
  });

  describe('the IG console', () => {
    it('shows verification, the break-glass queue and refusals to the IG lead only', async () => {
      const jar = await signIn(t.http, 'partnership-ig-lead');
      const consolePage = await page(jar, '/app/ig').expect(200);
      expect(consolePage.text).toContain('The audit log verifies');
      expect(consolePage.text).toContain('Reported missing after an overdose');
      expect(consolePage.text).toContain(`/app/ig/break-glass/${claimId}/review`);
      const register = await page(jar, `/app/ig/disclosures?subjectId=${subjectId}&outcome=disclosed`).expect(
        200,
      );
      expect(register.text).toContain('subject.view');
      await page(jar, '/app/ig/disclosures?outcome=maybe').expect(400);
      const mentor = await signIn(t.http, 'voluntary-mentor');
      await page(mentor, '/app/ig').expect(403);
      await page(mentor, `/app/ig/access-export?subjectId=${subjectId}`).expect(403);
    });

    it('names the people the IG tools list, by the audit lookup, recorded, with the id beside each name', async () => {
      const lead = await signIn(t.http, 'partnership-ig-lead');
      const escapedName = 'Morgan Achterberg&lt;script&gt;alert\\(1\\)&lt;/script&gt;';
      for (const path of ['/app/ig', `/app/ig/disclosures?subjectId=${subjectId}`]) {
        const shown = await page(lead, path).expect(200);
        expect(shown.text).toMatch(
          new RegExp(`>${escapedName}</a>\\s*<span class="muted subject-id"><code>${subjectId.slice(0, 8)}`),
        );
        expect(shown.text).not.toContain('<script>');
        const records = await recordsOf(shown);
        const names = records.find((record) => record.content.action === 'audit.subject-search');
        expect(names!.content).toMatchObject({
          purpose: 'audit',
          outcome: 'disclosed',
          search: { by: ['partnershipId'] },
          principal: { agency: 'partnership', role: 'ig-lead' },
        });
        const named = names!.content.subjects.find((subject) => subject.subjectId === subjectId);
        expect(named!.fields).toEqual({ identity: ['familyName', 'givenName'] });
        // Nothing in the record names the person: ids and field names only.
        expect(JSON.stringify(names!.content)).not.toContain('Morgan');
      }
    });

    it('looks no one up for a reader the agreement does not let use the audit tools', async () => {
      const officer = {
        kind: 'person' as const,
        id: 'pc-7',
        agency: 'police',
        role: 'iom-officer',
        sources: [],
      };
      const before = (await audit().store.query({ user: 'pc-7', limit: 10 })).length;
      const { names, disclosureId } = await t.app.get(SubjectSearchService).names([subjectId], officer, {});
      expect({ names: [...names], disclosureId }).toEqual({ names: [], disclosureId: null });
      expect((await audit().store.query({ user: 'pc-7', limit: 10 })).length).toBe(before);
    });

    it('refuses a flag without a note through the form, as the review API does, and records it', async () => {
      const jar = await signIn(t.http, 'partnership-ig-lead');
      const consolePage = await page(jar, '/app/ig').expect(200);
      const refused = await t.http
        .post(`/app/ig/break-glass/${claimId}/review`)
        .set('Cookie', jar.header())
        .type('form')
        .send({ _csrf: csrfOf(consolePage.text), outcome: 'flagged', note: '  ' })
        .expect(422);
      expect(refused.text).toContain('A flagged claim needs a note');
      const [latest] = await audit().store.query({ outcome: 'refused', user: 'ig-01', limit: 1 });
      expect(latest!.content).toMatchObject({
        action: 'audit.break-glass-review',
        refusal: { status: 422, rule: 'break-glass-flag-note', subjectId },
      });
      const register = await page(jar, '/app/ig/disclosures?outcome=refused&user=ig-01').expect(200);
      expect(register.text).toContain('break-glass-flag-note');
      const stillWaiting = await page(jar, '/app/ig').expect(200);
      expect(stillWaiting.text).toContain(`/app/ig/break-glass/${claimId}/review`);
    });

    it('approves a break-glass claim through the form, as the review API would', async () => {
      const jar = await signIn(t.http, 'partnership-ig-lead');
      const consolePage = await page(jar, '/app/ig').expect(200);
      await t.http
        .post(`/app/ig/break-glass/${claimId}/review`)
        .set('Cookie', jar.header())
        .type('form')
        .send({ outcome: 'approved' })
        .expect(403);
      const reviewed = await t.http
        .post(`/app/ig/break-glass/${claimId}/review`)
        .set('Cookie', jar.header())
        .type('form')
        .send({ _csrf: csrfOf(consolePage.text), outcome: 'approved', note: 'Justified: overdose reported' })
        .expect(303);
      expect(reviewed.headers.location).toBe('/app/ig?reviewed=approved#break-glass');
      await t.settle();
      const ig = `Bearer ${await t.personToken('partnership', 'ig-lead', 'ig-02')}`;
      const queue = await t.http
        .get('/v1/audit/break-glass?status=approved')
        .set('Authorization', ig)
        .expect(200);
      expect(queue.body.claims).toEqual([
        expect.objectContaining({
          eventId: claimId,
          status: 'approved',
          review: expect.objectContaining({ reviewer: 'ig-01' }),
        }),
      ]);
      const again = await t.http
        .post(`/app/ig/break-glass/${claimId}/review`)
        .set('Cookie', jar.header())
        .type('form')
        .send({ _csrf: csrfOf(consolePage.text), outcome: 'flagged', note: 'Second look: not justified' })
        .expect(409);
      expect(again.text).toContain('Already reviewed');
    });

    it('serves the subject access export as the API does, recorded as a disclosure', async () => {
      const jar = await signIn(t.http, 'partnership-ig-lead');
      const exported = await page(jar, `/app/ig/access-export?subjectId=${subjectId}`).expect(200);
      expect(exported.headers['content-type']).toMatch(/application\/json/);
      expect(exported.headers['content-disposition']).toBe(
        `attachment; filename="subject-access-${subjectId}.json"`,
      );
      expect(exported.body.held.map((event: { type: string }) => event.type)).toContain(
        'iom.arrest.recorded.v1',
      );
      const [record] = await recordsOf(exported);
      expect(record!.content).toMatchObject({ action: 'subject.access-export', purpose: 'subject-access' });
      const ig = `Bearer ${await t.personToken('partnership', 'ig-lead', 'ig-02')}`;
      const api = await t.http
        .get(`/v1/subjects/${subjectId}/access-export`)
        .set('Authorization', ig)
        .set('X-Purpose-Of-Use', 'subject-access')
        .expect(200);
      expect(exported.body.held).toEqual(api.body.held);
      await page(jar, '/app/ig/access-export?subjectId=nobody').expect(400);
    });

    it('finds a person by name and date of birth or by identifier, recorded, leading to their export', async () => {
      const jar = await signIn(t.http, 'partnership-ig-lead');
      const empty = await page(jar, '/app/ig/subjects').expect(200);
      expect(empty.headers['x-disclosure-id']).toBeUndefined();
      const byName = await page(
        jar,
        `/app/ig/subjects?familyName=${encodeURIComponent('achterberg<script>alert(1)</script>')}&givenName=&dateOfBirth=1990-04-12`,
      ).expect(200);
      expect(byName.text).toContain('Achterberg&lt;script&gt;');
      expect(byName.text).not.toContain('<script>');
      expect(byName.text).toContain(`/app/ig/access-export?subjectId&#61;${subjectId}`);
      expect(byName.text).toContain(`/app/ig/disclosures?subjectId&#61;${subjectId}`);
      const [record] = await recordsOf(byName);
      expect(record!.content).toMatchObject({
        action: 'audit.subject-search',
        purpose: 'subject-access',
        search: { by: ['familyName', 'dateOfBirth'] },
        subjects: [{ subjectId }],
      });
      const byIdentifier = await page(
        jar,
        `/app/ig/subjects?identifier=${encodeURIComponent(`pnc:${journey.pnc}`)}`,
      ).expect(200);
      expect(byIdentifier.text).toContain(subjectId);
      const nobody = await page(jar, '/app/ig/subjects?familyName=Nobody&dateOfBirth=1990-04-12').expect(200);
      expect(nobody.text).toContain('Nobody held matches this search.');
      await page(jar, '/app/ig/subjects?familyName=Nobody').expect(400);
      await page(
        await signIn(t.http, 'voluntary-mentor'),
        `/app/ig/subjects?identifier=pnc:${journey.pnc}`,
      ).expect(403);
    });
  });

  it('explains the identity provider instead of demo personas when JWT_JWKS_URL is set', async () => {
    const oidc = await startTestApp({ JWT_JWKS_URL: 'https://idp.example/jwks.json' });
    try {
      const form = await oidc.http.get('/app/sign-in').expect(200);
      expect(form.text).toContain('identity provider');
      expect(form.text).not.toContain('name="persona"');
      await oidc.http.post('/app/sign-in').type('form').send({ persona: 'police-iom-officer' }).expect(403);
    } finally {
      await oidc.close();
    }
  });
});

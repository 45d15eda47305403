import { AuditService } from '@throughline/audit';
import { type CloudEventBody, POLICE, SubjectJourney } from '../cloud-events';
import { startTestApp, type TestApp } from '../test-app';
import { csrfOf, type CookieJar, signIn } from './page-session';

const BATCH = 'application/cloudevents-batch+json';

describe('the IG console: records management', () => {
  let t: TestApp;
  let subjectId: string;
  const journey = new SubjectJourney();
  const page = (jar: CookieJar, path: string) => t.http.get(path).set('Cookie', jar.header());

  beforeAll(async () => {
    t = await startTestApp();
    const token = await t.systemToken('police', [POLICE]);
    const old: CloudEventBody = { ...journey.arrested('Theft from a shop'), time: '2014-05-01T10:00:00Z' };
    const response = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify([journey.registered('Ray', 'Holt'), old]))
      .expect(200);
    subjectId = response.body.results[0].subjectId;
    await t.settle();
  });
  afterAll(() => t.close());

  it('lists the review due with why, and retains it through the form with the CSRF token', async () => {
    const jar = await signIn(t.http, 'police-ig-lead');
    const records = await page(jar, '/app/ig/records').expect(200);
    expect(records.text).toContain(subjectId);
    // The police published the registration, so its IG lead's cut shows the name, the id beside it.
    expect(records.text).toMatch(
      new RegExp(`>Ray Holt</a>\\s*<span class="muted subject-id"><code>${subjectId}`),
    );
    expect(records.text).toContain('6 years after your agency’s last event of the category');
    expect(records.text).toContain(`/app/ig/reviews/${subjectId}/retain`);

    const form = { category: 'offending', reason: 'Still needed: linked series', nextReview: '2030-05-01' };
    await t.http
      .post(`/app/ig/reviews/${subjectId}/retain`)
      .set('Cookie', jar.header())
      .type('form')
      .send(form)
      .expect(403);
    const retained = await t.http
      .post(`/app/ig/reviews/${subjectId}/retain`)
      .set('Cookie', jar.header())
      .type('form')
      .send({ _csrf: csrfOf(records.text), ...form })
      .expect(303);
    expect(retained.headers.location).toBe('/app/ig/records?done=retained#reviews');
    const after = await page(jar, '/app/ig/records').expect(200);
    expect(after.text).not.toContain(`/app/ig/reviews/${subjectId}/retain`);
    const [decided] = await t.app
      .get(AuditService)
      .store.query({ user: 'ig-police-01', outcome: 'decided', limit: 1 });
    expect(decided?.content).toMatchObject({ action: 'records.review', outcome: 'decided' });
  });

  it('erases a category through the form, which says it cannot be undone', async () => {
    const other = new SubjectJourney();
    const published = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${await t.systemToken('police', [POLICE])}`)
      .set('Content-Type', BATCH)
      .send(
        JSON.stringify([
          other.registered('Ana', 'Lowe'),
          { ...other.arrested('Theft of a bicycle'), time: '2014-05-01T10:00:00Z' },
        ]),
      )
      .expect(200);
    const otherId = published.body.results[0].subjectId as string;
    await t.settle();
    const jar = await signIn(t.http, 'police-ig-lead');
    const records = await page(jar, '/app/ig/records').expect(200);
    expect(records.text).toContain(`/app/ig/reviews/${otherId}/erase`);
    expect(records.text).toContain('>This cannot be undone</label>');
    const erased = await t.http
      .post(`/app/ig/reviews/${otherId}/erase`)
      .set('Cookie', jar.header())
      .type('form')
      .send({
        _csrf: csrfOf(records.text),
        category: 'offending',
        reason: 'MoPI review: no longer needed',
        decisionRef: 'RR-2026-15',
        confirm: 'yes',
      })
      .expect(303);
    expect(erased.headers.location).toBe('/app/ig/records?done=erased#reviews');
    const after = await page(jar, erased.headers.location as string).expect(200);
    expect(after.text).toContain('its keys are destroyed and it can never be read again');
    // Nothing of the person is held any more, so nothing of theirs is due.
    expect(after.text).not.toContain(`/app/ig/reviews/${otherId}/`);
  });

  it('restricts with purposes and lifts through the forms', async () => {
    const jar = await signIn(t.http, 'police-ig-lead');
    const records = await page(jar, '/app/ig/records').expect(200);
    await t.http
      .post('/app/ig/restrictions')
      .set('Cookie', jar.header())
      .type('form')
      .send(
        `_csrf=${encodeURIComponent(csrfOf(records.text))}&subjectId=${subjectId}&categories=offending&purposes=safeguarding&reason=Contested&legalBasis=DPA+2018+s.47`,
      )
      .expect(303);
    const listed = await page(jar, '/app/ig/records').expect(200);
    const lift = new RegExp(`/app/ig/restrictions/${subjectId}/([0-9a-f-]{36})/lift`).exec(listed.text);
    expect(lift).not.toBeNull();
    expect(listed.text).toContain('safeguarding');
    await t.http
      .post(lift![0])
      .set('Cookie', jar.header())
      .type('form')
      .send({ _csrf: csrfOf(listed.text), reason: 'Checked' })
      .expect(303);
    const after = await page(jar, '/app/ig/records').expect(200);
    expect(after.text).not.toContain(lift![0]);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgreementService } from '@throughline/sharing';
import { cloudEvent, HEALTH, POLICE, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';
import { signIn } from './web/page-session';

const BATCH = 'application/cloudevents-batch+json';
const SHIPPED = join(__dirname, '..', '..', '..', 'infra', 'agreements', 'default-iom.yaml');

/** Today's date where the partnership works (Europe/London), as a date-only expiry names it. */
const londonToday = (): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());

describe('the caseload list', () => {
  let t: TestApp;
  let police: string;
  let health: string;
  const subjects: string[] = [];

  const publish = async (token: string, events: unknown[]): Promise<{ subjectId: string }[]> =>
    (
      await t.http
        .post('/v1/events')
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', BATCH)
        .send(JSON.stringify(events))
        .expect(200)
    ).body.results;

  const list = async (agency: string, role: string, query = '', user?: string) =>
    t.http
      .get(`/v1/subjects${query}`)
      .set('Authorization', `Bearer ${await t.personToken(agency, role, user)}`)
      .set('X-Purpose-Of-Use', 'case-management');

  const ids = (body: { subjects: { subjectId: string }[] }): string[] =>
    body.subjects.map((s) => s.subjectId);

  beforeAll(async () => {
    t = await startTestApp();
    police = await t.systemToken('police', [POLICE]);
    health = await t.systemToken('health', [HEALTH]);
    for (let index = 0; index < 7; index += 1) {
      const journey = new SubjectJourney();
      const [registered] = await publish(police, [journey.registered('Case', `Load${index}`)]);
      subjects.push(registered!.subjectId);
    }
    // Probation referred the first two; health is key worker for the third. The police publish both.
    await publish(
      police,
      subjects
        .slice(0, 2)
        .map((id) =>
          cloudEvent(POLICE, 'iom.referral.received.v1', id, { referredBy: 'probation', reason: 'Prolific' }),
        ),
    );
    await publish(police, [
      cloudEvent(POLICE, 'iom.key-worker.assigned.v1', subjects[2]!, {
        agency: 'health',
        worker: 'Nurse Adebayo',
        contact: '01782 000001',
      }),
    ]);
    await t.settle();
  });
  afterAll(() => t.close());

  it('lists for each agency only the subjects it works with', async () => {
    const probation = await list('probation', 'offender-manager');
    expect(probation.status).toBe(200);
    expect(ids(probation.body).sort()).toEqual(subjects.slice(0, 2).sort());
    expect(probation.body.nextCursor).toBeNull();
    expect(ids((await list('health', 'drug-worker')).body)).toEqual([subjects[2]]);
    // Housing may see every registration under the agreement, but works with none of them.
    const housing = await list('housing', 'housing-officer');
    expect(housing.body).toEqual({ subjects: [], nextCursor: null });
    expect(ids((await list('police', 'iom-officer')).body).sort()).toEqual([...subjects].sort());
  });

  it('pages through the whole caseload without repeats or gaps while events arrive', async () => {
    const seen: string[] = [];
    const late: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await list('police', 'iom-officer', `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      expect(response.body.subjects.length).toBeLessThanOrEqual(2);
      seen.push(...ids(response.body));
      cursor = response.body.nextCursor;
      pages += 1;
      // Between pages: a new subject registered, and an event on one already listed.
      const journey = new SubjectJourney();
      const [registered] = await publish(police, [
        journey.registered('Late', `Arrival${pages}`),
        cloudEvent(POLICE, 'iom.arrest.recorded.v1', subjects[pages % subjects.length]!, {
          offence: 'Burglary dwelling',
          offenceGroup: 'burglary',
          arrestedAt: '2025-01-06T10:00:00Z',
          custodySuite: 'Northfield',
        }),
      ]);
      late.push(registered!.subjectId);
      await t.settle();
    } while (cursor !== null && pages < 50);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(seen);
    for (const id of subjects) expect(seen).toContain(id);
    expect(seen.every((id) => subjects.includes(id) || late.includes(id))).toBe(true);
    expect(pages).toBeGreaterThanOrEqual(4);
  });

  it('records each page as one disclosure naming only the subjects on it', async () => {
    const page = await list('police', 'iom-officer', '?limit=3');
    const ig = `Bearer ${await t.personToken('partnership', 'ig-lead')}`;
    const receipt = await t.http
      .get(`/v1/audit/disclosures/${page.headers['x-disclosure-id'] as string}`)
      .set('Authorization', ig)
      .expect(200);
    const named = (receipt.body.record.content.subjects as { subjectId: string }[]).map((s) => s.subjectId);
    expect(named).toEqual(ids(page.body));
    expect(named).toHaveLength(3);
  });

  it.each([
    ['?limit=0'],
    ['?limit=201'],
    ['?limit=ten'],
    ['?limit=1&limit=2'],
    ['?cursor=garbage!'],
    [`?cursor=${Buffer.from('{"after":1}').toString('base64url')}`],
    ['?scope=everyone'],
  ])('answers %s with a 400 problem', async (query) => {
    const response = await list('police', 'iom-officer', query);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/problem\+json/);
  });

  it('lists more widely only for an agency and role the agreement names', async () => {
    expect((await list('housing', 'housing-officer', '?scope=partnership')).status).toBe(403);
    const wider = readFileSync(SHIPPED, 'utf8')
      .replace("version: '2025.1'", "version: '2025.1-wide'")
      .replace('partnershipWide: []', 'partnershipWide: [{ agency: housing, role: housing-officer }]');
    await t.app.get(AgreementService).load(wider, 'caseload-test');
    await t.settle();
    const housing = await list('housing', 'housing-officer', '?scope=partnership&limit=200');
    expect(housing.status).toBe(200);
    for (const id of subjects) expect(ids(housing.body)).toContain(id);
    // Names appear; what housing may not see stays withheld.
    expect(housing.body.subjects[0].name).toEqual(expect.any(String));
    // The default stays the caseload, and another role of the agency is not named.
    expect((await list('housing', 'housing-officer')).body.subjects).toEqual([]);
    expect((await list('police', 'iom-officer', '?scope=partnership')).status).toBe(403);
  });

  it('pages the web subjects page through the caseload, 50 a page', async () => {
    await publish(
      police,
      Array.from({ length: 55 }, (_, index) => new SubjectJourney().registered('Web', `Page${index}`)),
    );
    await t.settle();
    const everyone = ids((await list('police', 'iom-officer', '?limit=200')).body);
    expect(everyone.length).toBeGreaterThan(60);
    const jar = await signIn(t.http, 'police-iom-officer');
    const shown: string[] = [];
    let path: string | null = '/app/subjects';
    for (let pages = 0; path !== null && pages < 10; pages += 1) {
      const response: { text: string } = await t.http.get(path).set('Cookie', jar.header()).expect(200);
      const rows = [...response.text.matchAll(/href="\/app\/subjects\/([0-9a-f-]{36})\?/g)].map((m) => m[1]!);
      expect(rows.length).toBeLessThanOrEqual(50);
      shown.push(...rows);
      const next: string | undefined = /<a rel="next" href="([^"]+)"/.exec(response.text)?.[1];
      path = next === undefined ? null : next.replace(/&amp;/g, '&').replace(/&#61;/g, '=');
    }
    expect([...shown].sort()).toEqual([...everyone].sort());
    await t.http.get('/app/subjects?cursor=nonsense').set('Cookie', jar.header()).expect(400);
  });

  it('lets a consent expiring today grant until the end of today in London', async () => {
    const subjectId = subjects[3]!;
    await publish(health, [
      cloudEvent(HEALTH, 'iom.treatment.started.v1', subjectId, { modality: 'prescribing' }),
      cloudEvent(HEALTH, 'iom.consent.given.v1', subjectId, {
        scope: { categories: ['drugs'], recipients: ['police'], purposes: ['case-management'] },
        recordedBy: 'dw-17',
        formReference: 'CF-2026-TODAY',
        expires: londonToday(),
      }),
    ]);
    await t.settle();
    const read = await t.http
      .get(`/v1/subjects/${subjectId}`)
      .set('Authorization', `Bearer ${await t.personToken('police', 'iom-officer')}`)
      .set('X-Purpose-Of-Use', 'case-management')
      .expect(200);
    expect(read.body.treatment).toMatchObject({ status: 'in-treatment' });
  });
});

import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import type { AuditRecord } from '@throughline/audit';
import { POLICE, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const BATCH = 'application/cloudevents-batch+json';

/**
 * Every refusal of a principal is on the record, wherever it is raised: a missing or unknown
 * purpose, a token naming no agency of the partnership, a practitioner at an IG or platform
 * route, a subject outside the reader's set. Each is listed among the refusals and counted by
 * unusual-access detection; a request with no verified token names no one and is not recorded.
 */
describe('every refusal on the record', () => {
  let t: TestApp;
  let subjectId: string;
  let igLead: string;
  const journey = new SubjectJourney();
  const run = randomUUID().slice(0, 8);

  const bearer = async (agency: string, role: string, user: string) =>
    `Bearer ${await t.personToken(agency, role, user)}`;
  const refusals = async (): Promise<AuditRecord[]> => {
    const response = await t.http.get('/v1/audit/refusals?limit=500').set('Authorization', igLead);
    expect(response.status).toBe(200);
    return response.body.disclosures as AuditRecord[];
  };
  /** The refusal record the response names, as listed by GET /v1/audit/refusals. */
  const recordOf = async (response: Response): Promise<AuditRecord['content']> => {
    const id = response.headers['x-disclosure-id'];
    expect(typeof id).toBe('string');
    expect(response.body.disclosureId).toBe(id);
    const listed = (await refusals()).find((record) => record.content.id === id);
    expect(listed).toBeDefined();
    return listed!.content;
  };

  beforeAll(async () => {
    t = await startTestApp();
    igLead = await bearer('partnership', 'ig-lead', `ig-${run}`);
    const registration = journey.registered('Robin', 'Ashdown');
    const published = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${await t.systemToken('police', [POLICE])}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify([registration]));
    expect(published.status).toBe(200);
    subjectId = published.body.results[0].subjectId as string;
    await t.settle();
  });
  afterAll(() => t.close());

  it('records a read with no purpose and one with an unknown purpose (400)', async () => {
    const officer = await bearer('police', 'iom-officer', `pc-purpose-${run}`);
    const missing = await t.http.get(`/v1/subjects/${subjectId}`).set('Authorization', officer);
    const unknown = await t.http
      .get(`/v1/subjects/${subjectId}`)
      .set('Authorization', officer)
      .set('X-Purpose-Of-Use', 'curiosity about Robin Ashdown');
    expect([missing.status, unknown.status]).toEqual([400, 400]);
    expect(await recordOf(missing)).toMatchObject({
      principal: { user: `pc-purpose-${run}`, agency: 'police', role: 'iom-officer' },
      action: 'subject.view',
      outcome: 'refused',
      purpose: null,
      subjects: [],
      refusal: { status: 400, subjectId, rule: 'purpose-required', route: 'GET /v1/subjects/:subjectId' },
    });
    const unknownRecord = await recordOf(unknown);
    expect(unknownRecord).toMatchObject({
      purpose: null,
      refusal: { status: 400, subjectId, rule: 'unknown-purpose' },
    });
    // The stated text is the caller's, not a purpose: it is never kept.
    expect(JSON.stringify(unknownRecord)).not.toMatch(/Ashdown|curiosity/);
  });

  it('records a practitioner at the IG tools and the platform status (403)', async () => {
    const officer = await bearer('police', 'iom-officer', `pc-ig-${run}`);
    const register = await t.http.get('/v1/audit/disclosures').set('Authorization', officer);
    const sar = await t.http
      .get(`/v1/subjects/${subjectId}/access-export`)
      .set('Authorization', officer)
      .set('X-Purpose-Of-Use', 'subject-access');
    const status = await t.http.get('/v1/projections').set('Authorization', officer);
    expect([register.status, sar.status, status.status]).toEqual([403, 403, 403]);
    expect(await recordOf(register)).toMatchObject({
      action: 'audit.tools',
      refusal: {
        status: 403,
        rule: 'role-view',
        clause: 'roles.iom-officer',
        route: 'GET /v1/audit/disclosures',
        subjectId: null,
      },
    });
    expect(await recordOf(sar)).toMatchObject({
      action: 'subject.access-export',
      purpose: 'subject-access',
      refusal: { status: 403, rule: 'role-view', clause: 'roles.iom-officer', subjectId },
    });
    expect(await recordOf(status)).toMatchObject({
      action: 'platform.status',
      refusal: { status: 403, route: 'GET /v1/projections' },
    });
  });

  it('records a token that verified but names no agency of the partnership (401)', async () => {
    const outsider = await bearer('childrens-services', 'social-worker', `sw-${run}`);
    const response = await t.http
      .get(`/v1/subjects/${subjectId}`)
      .set('Authorization', outsider)
      .set('X-Purpose-Of-Use', 'safeguarding');
    expect(response.status).toBe(401);
    expect(await recordOf(response)).toMatchObject({
      principal: { user: `sw-${run}`, agency: 'childrens-services', role: 'social-worker' },
      purpose: 'safeguarding',
      refusal: { status: 401, rule: 'unknown-agency', subjectId },
    });
  });

  it('records a subject outside the reader set (404), naming only the id asked for', async () => {
    const unknownId = randomUUID();
    const response = await t.http
      .get(`/v1/subjects/${unknownId}/timeline`)
      .set('Authorization', await bearer('probation', 'offender-manager', `om-${run}`))
      .set('X-Purpose-Of-Use', 'case-management');
    expect(response.status).toBe(404);
    const record = await recordOf(response);
    expect(record).toMatchObject({
      action: 'subject.timeline',
      purpose: 'case-management',
      subjects: [],
      refusal: { status: 404, subjectId: unknownId, rule: 'subject-not-found' },
    });
  });

  it('records a refused search without the words searched for', async () => {
    const response = await t.http
      .get('/v1/subjects?q=Ashdown&inCustody=perhaps')
      .set('Authorization', await bearer('police', 'iom-officer', `pc-search-${run}`))
      .set('X-Purpose-Of-Use', 'case-management');
    expect(response.status).toBe(400);
    const record = await recordOf(response);
    expect(record).toMatchObject({ action: 'subject.list', refusal: { status: 400, subjectId: null } });
    expect(JSON.stringify(record)).not.toMatch(/Ashdown|perhaps/);
  });

  it('does not record requests that name no one: no token, or one that does not verify', async () => {
    const before = (await refusals()).length;
    const none = await t.http.get(`/v1/subjects/${subjectId}`).set('X-Purpose-Of-Use', 'case-management');
    const forged = await t.http
      .get(`/v1/subjects/${subjectId}`)
      .set('Authorization', 'Bearer not.a.token')
      .set('X-Purpose-Of-Use', 'case-management');
    expect([none.status, forged.status]).toEqual([401, 401]);
    expect(none.headers['x-disclosure-id']).toBeUndefined();
    expect(forged.headers['x-disclosure-id']).toBeUndefined();
    expect((await refusals()).length).toBe(before);
  });

  it('counts the refusals in unusual-access detection', async () => {
    const user = `pc-probe-${run}`;
    const officer = await bearer('police', 'iom-officer', user);
    for (let i = 0; i < 3; i++) {
      const response = await t.http.get(`/v1/subjects/${randomUUID()}`).set('Authorization', officer);
      expect(response.status).toBe(400);
    }
    const unusual = await t.http.get('/v1/audit/unusual').set('Authorization', igLead);
    expect(unusual.status).toBe(200);
    expect(unusual.body.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'repeated-refusals', user, agency: 'police' }),
      ]),
    );
  });
});

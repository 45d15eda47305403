import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '@throughline/platform';
import { createApi } from '../src/create-api';
import { POLICE, PRISON, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const BATCH = 'application/cloudevents-batch+json';

describe('subject record and timeline', () => {
  let t: TestApp;
  let subjectId: string;
  const journey = new SubjectJourney();

  beforeAll(async () => {
    t = await startTestApp();
    const police = await t.systemToken('police', [POLICE]);
    const prison = await t.systemToken('prison', [PRISON]);
    const publish = (token: string, events: unknown[]) =>
      t.http
        .post('/v1/events')
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', BATCH)
        .send(JSON.stringify(events))
        .expect(200);
    const registered = await publish(police, [
      journey.registered('Dana', 'Whitfield'),
      journey.arrested(),
      journey.scored(30, 'amber'),
      journey.scored(45, 'red'),
    ]);
    subjectId = registered.body.results[0].subjectId;
    // The prison links its number as typed, in lower case; custody names the person by it upper-cased.
    const link = journey.linked('prison');
    await publish(prison, [
      { ...link, data: { ...link.data, value: journey.nomis.toLowerCase() } },
      journey.receivedIntoCustody(),
    ]);
    await t.settle();
  });
  afterAll(() => t.close());

  const read = async (
    path: string,
    agency: string,
    role: string,
    purpose: string | null = 'case-management',
  ) => {
    const token = await t.personToken(agency, role);
    const call = t.http.get(path).set('Authorization', `Bearer ${token}`);
    return purpose ? call.set('X-Purpose-Of-Use', purpose) : call;
  };

  it('serves the police the consolidated picture the agreement allows', async () => {
    const response = await read(`/v1/subjects/${subjectId}`, 'police', 'iom-officer');
    expect(response.status).toBe(200);
    expect(response.body.identity).toMatchObject({ givenName: 'Dana', familyName: 'Whitfield' });
    expect(response.body.cohort).toMatchObject({ band: 'red', score: 45, trend: 'rising' });
    expect(response.body.cohort.bandHistory).toHaveLength(2);
    expect(response.body.arrests).toBe(1);
    // Custody is shared with the police under the criminal-justice clause.
    expect(response.body.custody).toMatchObject({ status: 'in-custody', establishment: 'HMP Birmingham' });
    // Each identifier in its one canonical form, whatever form it was sent in.
    expect(response.body.identifiers).toEqual([
      { scheme: 'pnc', value: journey.pnc },
      { scheme: 'nomis', value: journey.nomis },
    ]);
  });

  it('tags each record with the entity tag of its own body, kept while the cut stands', async () => {
    const police = await read(`/v1/subjects/${subjectId}`, 'police', 'iom-officer');
    const again = await read(`/v1/subjects/${subjectId}`, 'police', 'iom-officer');
    const housing = await read(`/v1/subjects/${subjectId}`, 'housing', 'housing-officer');
    // The weak tag: the body's length in hex and the start of its SHA-1 in base64.
    const tagOf = (body: string): string =>
      `W/"${Buffer.byteLength(body).toString(16)}-${createHash('sha1').update(body).digest('base64').slice(0, 27)}"`;

    expect(police.headers.etag).toBe(tagOf(police.text));
    expect(again.headers.etag).toBe(police.headers.etag);
    expect(again.headers['x-disclosure-id']).not.toBe(police.headers['x-disclosure-id']);
    expect(housing.headers.etag).toBe(tagOf(housing.text));
    expect(housing.headers.etag).not.toBe(police.headers.etag);
  });

  it('serves housing custody dates only, and nothing of offending', async () => {
    const response = await read(`/v1/subjects/${subjectId}`, 'housing', 'housing-officer');
    expect(response.status).toBe(200);
    expect(response.body.identity).toMatchObject({ familyName: 'Whitfield' });
    expect(response.body.custody.status).toBe('in-custody');
    expect(response.body.custody.establishment).toBeNull();
    expect(response.body.arrests).toBeNull();
    expect(response.body.withheld).toMatchObject({
      arrests: 'not-shared',
      'custody.establishment': 'not-shared',
    });
    expect(response.body.bases).toMatchObject({ offending: 'not-shared', custody: 'shared-in-part' });
    expect(JSON.stringify(response.body)).not.toMatch(/HMP Birmingham|Burglary|Northfield/);
  });

  it('answers 401 to a token naming an agency outside the partnership, whatever the subject', async () => {
    const outsider = await read(`/v1/subjects/${subjectId}`, 'childrens-services', 'social-worker');
    const unknownSubject = await read(
      '/v1/subjects/00000000-0000-4000-8000-000000000000',
      'childrens-services',
      'social-worker',
    );
    expect([outsider.status, unknownSubject.status]).toEqual([401, 401]);
    expect(outsider.body).toMatchObject({ rule: 'unknown-agency' });
    expect(outsider.body.detail).toBe(unknownSubject.body.detail);
    expect(JSON.stringify(outsider.body)).not.toMatch(/HMP Birmingham|Burglary|Northfield/);
  });

  it('requires a known purpose of use', async () => {
    expect((await read(`/v1/subjects/${subjectId}`, 'police', 'iom-officer', null)).status).toBe(400);
    const unknown = await read(`/v1/subjects/${subjectId}`, 'police', 'iom-officer', 'curiosity');
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toMatch(/curiosity/);
  });

  it('pages the timeline newest first', async () => {
    const first = await read(`/v1/subjects/${subjectId}/timeline?limit=3`, 'police', 'iom-officer');
    expect(first.status).toBe(200);
    expect(first.body.items.map((i: { type: string }) => i.type)).toEqual([
      'iom.custody.received.v1',
      'iom.subject.identifier-linked.v1',
      'iom.cohort.scored.v1',
    ]);
    const second = await read(
      `/v1/subjects/${subjectId}/timeline?limit=4&before=${first.body.nextBefore}`,
      'police',
      'iom-officer',
    );
    expect(second.body.items.map((i: { type: string }) => i.type)).toEqual([
      'iom.cohort.scored.v1',
      'iom.arrest.recorded.v1',
      'iom.subject.registered.v1',
    ]);
    expect(second.body.nextBefore).toBeNull();
    const housing = await read(`/v1/subjects/${subjectId}/timeline`, 'housing', 'housing-officer');
    expect(housing.body.items.map((i: { type: string }) => i.type)).toEqual([
      'iom.custody.received.v1',
      'iom.subject.identifier-linked.v1',
      'iom.subject.registered.v1',
    ]);
    expect(housing.body.items[0].data).toEqual({});
  });

  it('filters the timeline by category, agency and type, combined and paged', async () => {
    const types = (response: { body: { items: { type: string }[] } }) =>
      response.body.items.map((i) => i.type);
    const timeline = (query: string, agency = 'police', role = 'iom-officer') =>
      read(`/v1/subjects/${subjectId}/timeline?${query}`, agency, role);
    expect(types(await timeline('category=identity'))).toEqual([
      'iom.subject.identifier-linked.v1',
      'iom.subject.registered.v1',
    ]);
    expect(types(await timeline('agency=prison'))).toEqual([
      'iom.custody.received.v1',
      'iom.subject.identifier-linked.v1',
    ]);
    expect(types(await timeline('category=identity&agency=prison'))).toEqual([
      'iom.subject.identifier-linked.v1',
    ]);
    const first = await timeline('type=iom.cohort.scored.v1&limit=1');
    expect(types(first)).toEqual(['iom.cohort.scored.v1']);
    expect(first.body.items[0].data).toMatchObject({ band: 'red' });
    const second = await timeline(`type=iom.cohort.scored.v1&limit=1&before=${first.body.nextBefore}`);
    expect(second.body.items.map((i: { data: { band: string } }) => i.data.band)).toEqual(['amber']);
    expect(second.body.nextBefore).toBeNull();
    // A filter that matches nothing is an empty page of a subject that is there, not a 404.
    const none = await timeline('category=identity&agency=health');
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ subjectId, items: [], nextBefore: null });
    // A filter never reaches past the cut: housing is not given the arrest, whatever it asks.
    expect(types(await timeline('type=iom.arrest.recorded.v1', 'housing', 'housing-officer'))).toEqual([]);
    expect(types(await timeline('category=offending', 'housing', 'housing-officer'))).toEqual([]);
  });

  it('refuses a timeline filter that names nothing with a 400 that says why', async () => {
    for (const [query, field] of [
      ['category=%3Cscript%3E', 'category'],
      ['category=Offending', 'category'],
      ['type=iom.nothing.v1', 'type'],
      ['agency=POLICE', 'agency'],
      ['agency=' + 'a'.repeat(300), 'agency'],
    ] as const) {
      const refused = await read(`/v1/subjects/${subjectId}/timeline?${query}`, 'police', 'iom-officer');
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        title: 'Invalid timeline filter',
        errors: [expect.objectContaining({ field })],
      });
      expect(refused.body.detail).not.toContain('<script>');
    }
    const twice = await read(
      `/v1/subjects/${subjectId}/timeline?category=identity&category=custody`,
      'police',
      'iom-officer',
    );
    expect(twice.status).toBe(400);
  });

  it('lists the subjects the agency works with, filtered', async () => {
    const red = await read(`/v1/subjects?band=red&q=whitfield`, 'police', 'iom-officer');
    expect(red.body.subjects).toEqual([
      expect.objectContaining({ subjectId, band: 'red', name: 'Dana Whitfield' }),
    ]);
    const green = await read(`/v1/subjects?band=green&q=whitfield`, 'police', 'iom-officer');
    expect(green.body.subjects).toEqual([]);
    expect((await read(`/v1/subjects?band=purple`, 'police', 'iom-officer')).status).toBe(400);
  });
});

describe('operability', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await t.settle();
  });
  afterAll(() => t.close());

  it('reports liveness and readiness', async () => {
    await t.http.get('/health/live').expect(200, { status: 'ok' });
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ready', backend: 'sqlite' });
  });

  it('is ready without projections when they are left to a worker', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'throughline-no-projections-'));
    const app = await createApi(
      loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', RUN_PROJECTIONS: 'false' }),
    );
    try {
      const ready = await request(app.getHttpServer()).get('/health/ready').expect(200);
      expect(ready.body).toMatchObject({ status: 'ready', backend: 'sqlite' });
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('publishes OpenAPI with the contract paths', async () => {
    const spec = await t.http.get('/docs-json').expect(200);
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/events',
        '/v1/subjects',
        '/v1/subjects/{subjectId}',
        '/v1/subjects/{subjectId}/timeline',
        '/v1/projections',
      ]),
    );
    await t.http.get('/docs').expect(200);
  });

  it('shows projection position and lag to an admin only', async () => {
    const admin = await t.personToken('police', 'partnership-admin');
    const status = await t.http.get('/v1/projections').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(status.body.projections).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'subject-views', lag: 0, status: 'live' })]),
    );
    const officer = await t.personToken('police', 'iom-officer');
    await t.http.get('/v1/projections').set('Authorization', `Bearer ${officer}`).expect(403);
  });

  it('carries a request id and never answers an unknown route with HTML', async () => {
    const response = await t.http.get('/nope').set('X-Request-Id', 'req-123').expect(404);
    expect(response.headers['x-request-id']).toBe('req-123');
    expect(response.headers['content-type']).toMatch(/problem\+json/);
  });
});

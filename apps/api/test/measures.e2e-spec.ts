import { cloudEvent, type CloudEventBody, POLICE, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const BATCH = 'application/cloudevents-batch+json';

describe('the measures: aggregates with a stated method, for the roles the agreement names', () => {
  let t: TestApp;
  const journey = new SubjectJourney();

  beforeAll(async () => {
    t = await startTestApp();
    const token = await t.systemToken('police', [POLICE]);
    const recent = (type: string, data: Record<string, unknown>): CloudEventBody => ({
      ...cloudEvent(POLICE, type, `pnc:${journey.pnc}`, data),
      time: new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    });
    const published = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', BATCH)
      .send(
        JSON.stringify([
          journey.registered(),
          recent('iom.cohort.scored.v1', {
            score: 40,
            band: 'red',
            factors: { recentOffending: 10, riskOfHarm: 5, intelligence: 4, linkedSeries: 2, multiplier: 1 },
          }),
          recent('iom.cohort.adopted.v1', {
            cohortClass: 'PPO',
            category: 2,
            statutory: true,
            reviewDue: '2099-01-01',
          }),
        ]),
      );
    expect(published.status).toBe(200);
    await t.settle();
  });
  afterAll(() => t.close());

  const get = async (path: string, role = 'analyst') =>
    t.http.get(path).set('Authorization', `Bearer ${await t.personToken('police', role)}`);

  it('gives the analyst every measure with its method version, the cohort counted this month', async () => {
    const response = await get('/v1/measures?months=3');
    expect(response.status).toBe(200);
    const { measures, window } = response.body;
    expect(window.months).toBe(3);
    expect(measures['cohort-by-class-and-band'].method).toEqual({
      version: 1,
      description: expect.any(String),
    });
    expect(measures['cohort-by-class-and-band'].months.at(-1)).toMatchObject({ red: 1, byClass: { PPO: 1 } });
    expect(measures['accommodation-on-release'].method.version).toBe(2);
    const older = await get('/v1/measures?months=3&method=accommodation-on-release:1');
    expect(older.body.measures['accommodation-on-release'].method.version).toBe(1);
  });

  it('downloads the same figures as CSV', async () => {
    const response = await get('/v1/measures?months=3&format=csv', 'tasking-chair');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toMatch(/attachment; filename="measures-/);
    const lines = response.text.trim().split('\n');
    expect(lines[0]).toBe('"measure","version","period","figure","value"');
    expect(lines).toContainEqual(
      expect.stringMatching(/^"cohort-by-class-and-band","1","\d{4}-\d{2}","band:red","1"$/),
    );
  });

  it('refuses a practitioner, and a method or window that does not exist, with a problem', async () => {
    expect((await get('/v1/measures', 'iom-officer')).status).toBe(403);
    const unknown = await get('/v1/measures?method=custody-days:7');
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toMatch(/no method version 7/);
    expect((await get('/v1/measures?months=0')).status).toBe(400);
    expect((await get('/v1/measures?method=nonsense')).status).toBe(400);
    expect((await get('/v1/measures?months=2&months=3')).status).toBe(400);
  });
});

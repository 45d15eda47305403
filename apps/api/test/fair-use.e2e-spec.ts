import { subjectStream } from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { POLICE, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const BATCH = 'application/cloudevents-batch+json';
const PROBLEM = 'application/problem+json';

describe('fair use', () => {
  describe('requests a second per credential', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_REQUESTS_PER_SECOND: '1', RATE_LIMIT_REQUESTS_BURST: '3' });
    });
    afterAll(() => t.close());

    const list = (token: string) =>
      t.http
        .get('/v1/subjects')
        .set('Authorization', `Bearer ${token}`)
        .set('X-Purpose-Of-Use', 'case-management');

    it('answers a burst beyond the limit with 429 and Retry-After, and leaves other credentials alone', async () => {
      // A first read compiles and loads what reads need; another credential pays for it.
      await list(await t.personToken('police', 'iom-officer', 'pc-warm-up')).expect(200);
      const token = await t.personToken('police', 'iom-officer', 'pc-burst');
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await list(token)).status);
      const refused = await list(token);

      expect(statuses).toEqual([200, 200, 200]);
      expect(refused.status).toBe(429);
      expect(refused.headers['content-type']).toContain(PROBLEM);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused.body).toMatchObject({
        type: 'https://throughline.dev/problems/rate-limited',
        status: 429,
        limit: 'requests',
      });
      // The same user id in another agency is another credential.
      const other = await t.personToken('probation', 'offender-manager', 'pc-burst');
      expect((await list(other)).status).toBe(200);
    });

    it('does not limit what needs no credential', async () => {
      for (let i = 0; i < 10; i++) await t.http.get('/health/live').expect(200);
    });
  });

  describe('events a second per credential', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_EVENTS_PER_SECOND: '1', RATE_LIMIT_EVENTS_BURST: '4' });
    });
    afterAll(() => t.close());

    it('counts each event of a batch and refuses the batch that would pass the limit, storing none of it', async () => {
      const police = await t.systemToken('police', [POLICE]);
      const journey = new SubjectJourney();
      const publish = (events: unknown[]) =>
        t.http
          .post('/v1/events')
          .set('Authorization', `Bearer ${police}`)
          .set('Content-Type', BATCH)
          .send(JSON.stringify(events));
      const first = await publish([
        journey.registered(),
        journey.arrested(),
        journey.scored(20, 'green'),
        journey.arrested(),
      ]);
      expect(first.status).toBe(200);
      const head = await t.app.get(EventStore).headPosition();

      const refused = await publish([journey.arrested(), journey.arrested()]);

      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused.body).toMatchObject({ limit: 'events', perSecond: 1, burst: 4 });
      expect(await t.app.get(EventStore).headPosition()).toBe(head);

      // Refused before its body is read: a body that would not even parse is not looked at.
      const unread = await t.http
        .post('/v1/events')
        .set('Authorization', `Bearer ${police}`)
        .set('Content-Type', BATCH)
        .send('[{"not json');
      expect(unread.status).toBe(429);
      expect(unread.headers['retry-after']).toBeDefined();
    });
  });

  describe('the per-subject ceiling', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ SUBJECT_EVENTS_PER_DAY: '5' });
    });
    afterAll(() => t.close());

    it('refuses a batch that would take a subject past its ceiling, naming the subject, and stores nothing', async () => {
      const police = await t.systemToken('police', [POLICE]);
      const flooded = new SubjectJourney();
      const bystander = new SubjectJourney();
      const publish = (events: unknown[]) =>
        t.http
          .post('/v1/events')
          .set('Authorization', `Bearer ${police}`)
          .set('Content-Type', BATCH)
          .send(JSON.stringify(events));
      const first = await publish([
        flooded.registered('Riley', 'Moss'),
        flooded.arrested(),
        flooded.arrested(),
        flooded.arrested(),
      ]);
      expect(first.status).toBe(200);
      const subjectId = first.body.results[0].subjectId as string;
      const head = await t.app.get(EventStore).headPosition();

      const refused = await publish([bystander.registered(), flooded.arrested(), flooded.arrested()]);

      expect(refused.status).toBe(429);
      expect(refused.headers['content-type']).toContain(PROBLEM);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(23 * 3600);
      expect(retryAfter).toBeLessThanOrEqual(24 * 3600);
      expect(refused.body).toMatchObject({
        type: 'https://throughline.dev/problems/subject-ceiling',
        status: 429,
        ceiling: 5,
        subjects: [{ subjectId, events: 2 }],
        indexes: [1, 2],
      });
      expect(refused.body.detail).toContain(subjectId);
      // The subject is named by its partnership id only, never by what is known of the person.
      expect(JSON.stringify(refused.body)).not.toMatch(/Riley|Moss|pnc:/);
      expect(await t.app.get(EventStore).headPosition()).toBe(head);
      expect(await t.app.get(EventStore).streamRevision(subjectStream(subjectId))).toBe(3);

      // Up to the ceiling is still taken.
      expect((await publish([flooded.arrested()])).status).toBe(200);
    });
  });
});

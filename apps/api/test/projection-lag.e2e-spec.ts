import { randomUUID } from 'node:crypto';
import { QueryBus } from '@nestjs/cqrs';
import type { Principal } from '@throughline/auth';
import { EventStore } from '@throughline/event-store';
import { ProjectionRunner } from '@throughline/projections';
import { type Audited, ListSubjectsQuery, type SubjectList } from '@throughline/subjects';
import { cloudEvent, POLICE, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const HEALTH = 'urn:throughline:health:treatment';
const BATCH = 'application/cloudevents-batch+json';
const TREATMENT = 'iom.treatment.started.v1';

/** More unapplied events than one page of the log holds. */
const BACKLOG = 10_500;

/**
 * However far the projection lags, a consent withdrawal recorded behind the backlog holds on the
 * next read: of one subject and of the list alike.
 */
describe('a withdrawal behind a projection backlog', () => {
  let t: TestApp;
  let subjectId: string;
  let police: string;
  const journey = new SubjectJourney();
  const nhs = `nhs:${journey.nhs}`;
  const officer: Principal = {
    kind: 'person',
    id: 'lag-officer',
    agency: 'police',
    role: 'iom-officer',
    sources: [],
  };
  const scope = { categories: ['drugs'], recipients: ['police'], purposes: ['case-management'] };

  const publish = async (token: string, events: unknown[]) => {
    const response = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify(events));
    expect(response.status).toBe(200);
    return response.body.results as { subjectId: string }[];
  };
  const read = (path: string) =>
    t.http.get(path).set('Authorization', `Bearer ${police}`).set('X-Purpose-Of-Use', 'case-management');
  /** What the list query behind GET /v1/subjects disclosed of the subject, by event type. */
  const listed = async (): Promise<string[]> => {
    const list = await t.app
      .get(QueryBus)
      .execute<ListSubjectsQuery, Audited<SubjectList>>(
        new ListSubjectsQuery({ principal: officer, purpose: 'case-management', requestId: null }, {}),
      );
    return list.result.disclosed
      .filter((subject) => subject.subjectId === subjectId)
      .flatMap((subject) => subject.entries.map(({ entry }) => entry.type));
  };

  beforeAll(async () => {
    t = await startTestApp();
    police = await t.personToken('police', 'iom-officer', 'lag-officer');
    const health = await t.systemToken('health', [HEALTH]);
    const registration = journey.registered('Lee', 'Marsh');
    subjectId = (await publish(await t.systemToken('police', [POLICE]), [registration]))[0]!.subjectId;
    await publish(health, [
      journey.linked('health'),
      cloudEvent(HEALTH, TREATMENT, nhs, { modality: 'prescribing' }),
      cloudEvent(HEALTH, 'iom.consent.given.v1', nhs, {
        scope,
        recordedBy: 'dw-31',
        formReference: 'CF-2025-031',
      }),
    ]);
    await t.settle();
    await t.app.get(ProjectionRunner).stop();
    const filler = Array.from({ length: BACKLOG }, () => ({
      id: randomUUID(),
      type: 'test.backlog',
      data: {},
      metadata: {},
    }));
    await t.app.get(EventStore).append(`backlog-${randomUUID()}`, filler, 'no_stream');
    expect(await listed()).toContain(TREATMENT);
    await publish(health, [
      cloudEvent(HEALTH, 'iom.consent.withdrawn.v1', nhs, { scope, recordedBy: 'dw-31' }),
    ]);
  }, 120_000);
  afterAll(() => t.close());

  it('leaves the withdrawn data out of the list at once', async () => {
    expect(await listed()).not.toContain(TREATMENT);
    const list = await read('/v1/subjects').expect(200);
    expect(list.body.subjects.map((subject: { subjectId: string }) => subject.subjectId)).toContain(
      subjectId,
    );
  });

  it('leaves the withdrawn data out of a single read and its timeline at once', async () => {
    const view = await read(`/v1/subjects/${subjectId}`).expect(200);
    expect(view.body.treatment).toBeNull();
    expect(JSON.stringify(view.body)).not.toContain('prescribing');
    const timeline = await read(`/v1/subjects/${subjectId}/timeline?limit=200`).expect(200);
    expect(timeline.body.items.map((item: { type: string }) => item.type)).not.toContain(TREATMENT);
  });
});

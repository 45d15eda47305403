import { randomUUID } from 'node:crypto';
import { CATALOGUE, type EventType, subjectStream } from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { ReadModelStore } from '@throughline/projections';
import { type StoredSubjectDoc, SUBJECT_VIEWS } from '@throughline/subjects';
import { cloudEvent, POLICE, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const HEALTH = 'urn:throughline:health:treatment';
const BATCH = 'application/cloudevents-batch+json';

/**
 * Events already in a log stay there, whatever checks ingestion makes today. These tests store
 * events the way an older, looser check could have let them in: straight into the log.
 */
describe('a poison event is isolated, never contagious', () => {
  let t: TestApp;
  let dataDir: string;
  const healthy = new SubjectJourney();
  const expiring = new SubjectJourney();
  const poisoned = new SubjectJourney();
  const ids = { healthy: '', expiring: '', poisoned: '' };
  let poison: { id: string; ceId: string };

  const publish = async (agency: string, source: string, events: unknown[]) => {
    const token = await t.systemToken(agency, [source]);
    const response = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify(events))
      .expect(200);
    return response.body.results as { subjectId: string }[];
  };
  /** Appends an event to the subject's stream as ingestion would store it, with no check on its data. */
  const store = async (subjectId: string, agency: string, source: string, type: EventType, data: object) => {
    const ceId = randomUUID();
    const category = CATALOGUE[type].category === 'of-target' ? 'consent' : CATALOGUE[type].category;
    const [event] = (
      await t.app.get(EventStore).append(
        subjectStream(subjectId),
        [
          {
            id: randomUUID(),
            type,
            data,
            metadata: {
              agency,
              source,
              ceId,
              time: new Date().toISOString(),
              subjectRef: subjectId,
              publishedBy: `${agency}-legacy`,
              category,
            },
          },
        ],
        'any',
      )
    ).events;
    return { id: event!.id, ceId };
  };
  /** Reads as a person of the agency and role, expecting the status (the body is shown if not). */
  const get = async (
    status: number,
    path: string,
    agency: string,
    role: string,
    purpose = 'case-management',
  ) => {
    const response = await t.http
      .get(path)
      .set('Authorization', `Bearer ${await t.personToken(agency, role)}`)
      .set('X-Purpose-Of-Use', purpose);
    if (response.status !== status)
      throw new Error(`GET ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response;
  };
  const adopted = (journey: SubjectJourney) =>
    cloudEvent(POLICE, 'iom.cohort.adopted.v1', `pnc:${journey.pnc}`, {
      cohortClass: 'PPO',
      category: 1,
      statutory: true,
      reviewDue: '2099-06-01',
    });

  beforeAll(async () => {
    t = await startTestApp();
    dataDir = t.config.dataDir;
    const results = await publish('police', POLICE, [
      healthy.registered('Alex', 'Sound'),
      adopted(healthy),
      expiring.registered('Bo', 'Garbled'),
      adopted(expiring),
      poisoned.registered('Cal', 'Poisoned'),
      adopted(poisoned),
    ]);
    ids.healthy = results[0]!.subjectId;
    ids.expiring = results[2]!.subjectId;
    ids.poisoned = results[4]!.subjectId;
    // Dates no instant can be read from: they neither throw nor grant anything.
    await store(ids.expiring, 'health', HEALTH, 'iom.consent.given.v1', {
      scope: { categories: ['drugs'], recipients: ['police'], purposes: ['case-management'] },
      expires: '20990101',
    });
    await store(ids.expiring, 'health', HEALTH, 'iom.safeguarding.concern-raised.v1', {
      concernId: 'SG-1',
      kind: 'adult',
      legalBasis: 'DPA 2018 Sch 8 para 4',
      categories: ['drugs'],
      recipients: ['police'],
      expires: '2026-W01-1',
    });
    await store(ids.expiring, 'police', POLICE, 'iom.tasking.detail-released.v1', {
      releaseId: 'R-1',
      meeting: 'North tasking',
      categories: ['offending'],
      legalBasis: 'DPA 2018 Part 3 s.31',
      expires: '2026-W01-1',
    });
    // The same consent with an expiry that can be read, for comparison, and treatment for both.
    await store(ids.healthy, 'health', HEALTH, 'iom.consent.given.v1', {
      scope: { categories: ['drugs'], recipients: ['police'], purposes: ['case-management'] },
      expires: '2099-01-01',
    });
    for (const subjectId of [ids.healthy, ids.expiring])
      await store(subjectId, 'health', HEALTH, 'iom.treatment.started.v1', { modality: 'detox' });
    // A consent whose scope is no scope: folding it throws.
    poison = await store(ids.poisoned, 'health', HEALTH, 'iom.consent.given.v1', {
      scope: 'everything',
      expires: '2099-01-01',
    });
    // Ordinary events after it, for every subject.
    await publish('police', POLICE, [healthy.scored(40, 'red'), poisoned.scored(20, 'green')]);
    await t.settle();
  });
  afterAll(() => t.close());

  /** What every other subject must still get, wherever the log has got to. */
  const othersServed = async () => {
    const list = await get(200, '/v1/subjects', 'police', 'iom-officer');
    const listed = list.body.subjects.map((subject: { subjectId: string }) => subject.subjectId);
    expect(listed).toEqual(expect.arrayContaining([ids.healthy, ids.expiring]));
    expect(listed).not.toContain(ids.poisoned);
    expect(list.body.heldBack).toBe(1);
    const row = list.body.subjects.find(
      (subject: { subjectId: string }) => subject.subjectId === ids.healthy,
    );
    expect(row).toMatchObject({ name: 'Alex Sound' });

    await get(200, `/v1/subjects/${ids.healthy}`, 'police', 'iom-officer');
    const expiringView = await get(200, `/v1/subjects/${ids.expiring}`, 'police', 'iom-officer');
    expect(expiringView.body.identity).toMatchObject({ familyName: 'Garbled' });

    const board = await get(200, '/v1/tasking/board', 'police', 'tasking-chair', 'tasking');
    const rows = board.body.subjects.map((subject: { subjectId: string }) => subject.subjectId);
    expect(rows).toEqual(expect.arrayContaining([ids.healthy, ids.expiring]));
    expect(rows).not.toContain(ids.poisoned);
    expect(board.body.heldBack).toBe(1);
    // A release whose expiry cannot be read has ended.
    const released = board.body.subjects.find(
      (subject: { subjectId: string }) => subject.subjectId === ids.expiring,
    );
    expect(released.released).toEqual([]);
  };

  /** What the poisoned subject, the admin and readiness must say while it is held back. */
  const poisonedHeldBack = async () => {
    for (const path of [`/v1/subjects/${ids.poisoned}`, `/v1/subjects/${ids.poisoned}/timeline`]) {
      const held = await get(503, path, 'police', 'iom-officer');
      expect(held.headers['content-type']).toMatch(/problem\+json/);
      expect(held.body.type).toMatch(/\/subject-quarantined$/);
      expect(JSON.stringify(held.body)).not.toMatch(/Cal|Poisoned|everything|consent/);
    }
    const admin = await get(200, '/v1/projections', 'police', 'partnership-admin');
    const views = admin.body.projections.find(
      (projection: { name: string }) => projection.name === SUBJECT_VIEWS,
    );
    expect(views).toMatchObject({ status: 'live', lag: 0 });
    expect(views.quarantine).toMatchObject({
      count: 1,
      held: [
        expect.objectContaining({
          key: ids.poisoned,
          eventId: poison.id,
          type: 'iom.consent.given.v1',
          error: expect.any(String),
        }),
      ],
    });
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ready', quarantined: 1 });
  };

  it('serves every other subject, up to date, in the list, the single view and the board', async () => {
    await othersServed();
    // Events after the poison event still reach other subjects, and new subjects are projected.
    const late = new SubjectJourney();
    const [registered] = await publish('police', POLICE, [
      late.registered('Dee', 'Later'),
      healthy.scored(10, 'green'),
    ]);
    await t.settle();
    await get(200, `/v1/subjects/${registered!.subjectId}`, 'police', 'iom-officer');
    const view = await get(200, `/v1/subjects/${ids.healthy}`, 'police', 'iom-officer');
    expect(view.body.cohort).toMatchObject({ band: 'green' });
  });

  it('holds the poisoned subject back with a problem, and shows it to the admin and in readiness', async () => {
    await poisonedHeldBack();
  });

  it('treats expiries that name no instant as passed: they grant nothing', async () => {
    const granted = await get(200, `/v1/subjects/${ids.healthy}`, 'police', 'iom-officer');
    expect(granted.body.treatment).toMatchObject({ modality: 'detox' });
    const unreadable = await get(200, `/v1/subjects/${ids.expiring}`, 'police', 'iom-officer');
    expect(unreadable.body.treatment).toBeNull();
  });

  it('re-folds on the spot a stored document that does not match its stream', async () => {
    const readModels = t.app.get(ReadModelStore);
    const stored = (await readModels.get<StoredSubjectDoc>(SUBJECT_VIEWS, ids.expiring))!;
    const views = Object.fromEntries(
      Object.entries(stored.views).map(([agency, cuts]) => [agency, cuts.slice(1)]),
    );
    const checkpoint = await readModels.checkpoint(SUBJECT_VIEWS);
    await readModels.commit(SUBJECT_VIEWS, new Map([[ids.expiring, { ...stored, views }]]), checkpoint);
    const view = await get(200, `/v1/subjects/${ids.expiring}`, 'police', 'iom-officer');
    expect(view.body.identity).toMatchObject({ familyName: 'Garbled' });
    await othersServed();
  });

  it('keeps all of that across a restart', async () => {
    await t.close({ keepData: true });
    t = await startTestApp({}, dataDir);
    await t.settle();
    await othersServed();
    await poisonedHeldBack();
    const late = new SubjectJourney();
    const [registered] = await publish('police', POLICE, [late.registered('Eve', 'Afterwards')]);
    await t.settle();
    await get(200, `/v1/subjects/${registered!.subjectId}`, 'police', 'iom-officer');
  });

  it('lets the subject out once the publisher redacts the poison event', async () => {
    await store(ids.poisoned, 'health', HEALTH, 'iom.record.redacted.v1', {
      targetEventId: poison.ceId,
      targetSource: HEALTH,
      reason: 'Recorded with a scope no consent form gives.',
    });
    await t.settle();
    const view = await get(200, `/v1/subjects/${ids.poisoned}`, 'police', 'iom-officer');
    expect(view.body.identity).toMatchObject({ familyName: 'Poisoned' });
    const admin = await get(200, '/v1/projections', 'police', 'partnership-admin');
    const views = admin.body.projections.find(
      (projection: { name: string }) => projection.name === SUBJECT_VIEWS,
    );
    expect(views.quarantine).toMatchObject({ count: 0, held: [] });
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body.quarantined).toBeUndefined();
    const list = await get(200, '/v1/subjects', 'police', 'iom-officer');
    expect(list.body.heldBack).toBeUndefined();
    expect(list.body.subjects.map((subject: { subjectId: string }) => subject.subjectId)).toContain(
      ids.poisoned,
    );
  });

  // Last: it leaves the read-model store closed.
  it('is not ready at once when a projection fails as a whole, not only after a restart', async () => {
    await t.http.get('/health/ready').expect(200);
    await t.app.get(ReadModelStore).close();
    await publish('police', POLICE, [new SubjectJourney().registered('Fay', 'Unwritten')]);
    const deadline = Date.now() + 10_000;
    let ready = await t.http.get('/health/ready');
    while (ready.status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      ready = await t.http.get('/health/ready');
    }
    expect(ready.status).toBe(503);
    expect(ready.body.detail).toMatch(/Projections failed: .*subject-views/);
  });
});

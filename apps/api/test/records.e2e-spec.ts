import { AuditService } from '@throughline/audit';
import { subjectStream } from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { cloudEvent, type CloudEventBody, POLICE, PROBATION, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const BATCH = 'application/cloudevents-batch+json';
const at = (event: CloudEventBody, time: string): CloudEventBody => ({ ...event, time });
const READ_PURPOSES = ['case-management', 'safeguarding', 'continuity-of-care', 'enforcement'] as const;

const publishAs = async (t: TestApp, agency: string, source: string, events: CloudEventBody[]) =>
  t.http
    .post('/v1/events')
    .set('Authorization', `Bearer ${await t.systemToken(agency, [source])}`)
    .set('Content-Type', BATCH)
    .send(JSON.stringify(events))
    .expect(200);

describe('records management: the review queue, retain decisions and restriction of processing', () => {
  let t: TestApp;
  let subjectId: string;
  const journey = new SubjectJourney();

  beforeAll(async () => {
    t = await startTestApp();
    const publish = (agency: string, source: string, events: CloudEventBody[]) =>
      publishAs(t, agency, source, events);
    const registered = await publish('police', POLICE, [journey.registered('Ray', 'Holt')]);
    subjectId = registered.body.results[0].subjectId;
    // The police's last offending event was in 2015: its six-year MoPI group 3 review fell due in 2021.
    await publish('police', POLICE, [
      at(journey.arrested('Theft from a shop'), '2015-03-01T10:00:00Z'),
      journey.scored(44, 'red'),
      cloudEvent(POLICE, 'iom.cohort.adopted.v1', `pnc:${journey.pnc}`, {
        cohortClass: 'PPO',
        category: 1,
        statutory: true,
        reviewDue: '2099-06-01',
      }),
    ]);
    await publish('probation', PROBATION, [
      journey.linked('probation'),
      cloudEvent(PROBATION, 'iom.licence.conditions-set.v1', `crn:${journey.crn}`, {
        conditions: ['residence'],
        licenceEnds: '2099-06-30',
      }),
    ]);
    await t.settle();
  });
  afterAll(() => t.close());

  const ig = async (agency = 'police') =>
    `Bearer ${await t.personToken(agency, 'ig-lead', `${agency}-ig-1`)}`;
  const read = async (agency: string, role: string, purpose: string) =>
    t.http
      .get(`/v1/subjects/${subjectId}`)
      .set('Authorization', `Bearer ${await t.personToken(agency, role)}`)
      .set('X-Purpose-Of-Use', purpose);
  const restrict = async (purposes: string[]) =>
    t.http
      .post(`/v1/audit/restrictions/${subjectId}`)
      .set('Authorization', await ig())
      .send({
        categories: ['offending'],
        purposes,
        reason: 'The subject contests the accuracy of the arrest record.',
        legalBasis: 'DPA 2018 s.47(2)',
      });
  const lift = async (restrictionId: string) =>
    t.http
      .post(`/v1/audit/restrictions/${subjectId}/${restrictionId}/lift`)
      .set('Authorization', await ig())
      .send({ reason: 'Accuracy confirmed against the custody record.' });
  const storedTypes = async () =>
    (await t.app.get(EventStore).readStream(subjectStream(subjectId))).map((event) => event.type);

  it('shows a subject due for review in the owning agency’s queue, and in no other agency’s', async () => {
    const police = await t.http.get('/v1/audit/reviews').set('Authorization', await ig());
    expect(police.status).toBe(200);
    expect(police.body.reviews).toContainEqual(
      expect.objectContaining({
        subjectId,
        category: 'offending',
        dueOn: '2021-03-01',
        trigger: 'last-event',
        since: '2015-03-01',
        years: 6,
      }),
    );
    const probation = await t.http.get('/v1/audit/reviews').set('Authorization', await ig('probation'));
    expect(probation.status).toBe(200);
    expect(probation.body.reviews.filter((r: { subjectId: string }) => r.subjectId === subjectId)).toEqual(
      [],
    );
  });

  it('refuses the queue to a practitioner, and records the refusal', async () => {
    const token = await t.personToken('police', 'iom-officer');
    const refused = await t.http.get('/v1/audit/reviews').set('Authorization', `Bearer ${token}`);
    expect(refused.status).toBe(403);
    expect(refused.body.disclosureId).toEqual(expect.any(String));
  });

  it('a retain decision is an event and an audit record, and moves the subject out of the queue', async () => {
    const refused = await t.http
      .post(`/v1/audit/reviews/${subjectId}/retain`)
      .set('Authorization', await ig())
      .send({ category: 'offending', reason: '   ', nextReview: '2030-01-01' });
    expect(refused.status).toBe(422);
    expect(refused.body.rule).toBe('retention-reason');
    expect(refused.body.disclosureId).toEqual(expect.any(String));

    const retained = await t.http
      .post(`/v1/audit/reviews/${subjectId}/retain`)
      .set('Authorization', await ig())
      .send({
        category: 'offending',
        reason: 'Linked to an open series; still needed for a policing purpose.',
        nextReview: '2030-01-01',
      });
    expect(retained.status).toBe(201);
    expect(await storedTypes()).toContain('iom.retention.reviewed.v1');
    const [record] = await t.app.get(AuditService).store.query({ subjectId, outcome: undefined, limit: 5 });
    expect(record?.content).toMatchObject({
      id: retained.body.disclosureId,
      action: 'records.review',
      outcome: 'decided',
      principal: { agency: 'police', user: 'police-ig-1' },
    });
    expect(record?.content.subjects[0]?.grounds[0]).toMatchObject({
      rule: 'iom.retention.reviewed.v1',
      reliedOn: retained.body.eventId,
      categories: ['offending'],
    });
    await t.settle();
    const queue = await t.http.get('/v1/audit/reviews').set('Authorization', await ig());
    expect(
      queue.body.reviews.filter(
        (r: { subjectId: string; category: string }) =>
          r.subjectId === subjectId && r.category === 'offending',
      ),
    ).toEqual([]);
  });

  it('refuses a decision from the partnership’s own IG lead, who holds no data', async () => {
    const refused = await t.http
      .post(`/v1/audit/restrictions/${subjectId}`)
      .set('Authorization', await ig('partnership'))
      .send({ categories: ['offending'], purposes: [], reason: 'No', legalBasis: 'DPA 2018 s.47' });
    expect(refused.status).toBe(403);
    expect(refused.body.rule).toBe('records-decider');
  });

  it('a restriction naming no purposes withholds the data from every reader and purpose, and says so', async () => {
    const before = await read('probation', 'offender-manager', 'case-management');
    expect(before.body.lastArrest).not.toBeNull();

    const made = await restrict([]);
    expect(made.status).toBe(201);
    await t.settle();
    for (const [agency, role] of [
      ['probation', 'offender-manager'],
      ['police', 'iom-officer'],
      ['prison', 'prison-officer'],
    ] as const)
      for (const purpose of READ_PURPOSES) {
        const served = await read(agency, role, purpose);
        expect(served.status).toBe(200);
        expect(served.body.bases.offending).toBe('restricted');
        expect(served.body.lastArrest).toBeNull();
        expect(served.body.withheld.lastArrest).toBe('restricted');
        const timeline = await t.http
          .get(`/v1/subjects/${subjectId}/timeline`)
          .set('Authorization', `Bearer ${await t.personToken(agency, role)}`)
          .set('X-Purpose-Of-Use', purpose);
        expect(timeline.body.items.map((item: { type: string }) => item.type)).not.toContain(
          'iom.arrest.recorded.v1',
        );
      }

    const lifted = await lift(made.body.restrictionId);
    expect(lifted.status).toBe(201);
    await t.settle();
    const restored = await read('probation', 'offender-manager', 'case-management');
    expect(restored.body.bases.offending).toBe('shared');
    expect(restored.body.lastArrest).toEqual(expect.objectContaining({ offence: 'Theft from a shop' }));
  });

  it('a restriction naming safeguarding still serves a safeguarding read; lifting it restores the rest', async () => {
    const made = await restrict(['safeguarding']);
    expect(made.status).toBe(201);
    await t.settle();
    const safeguarding = await read('probation', 'offender-manager', 'safeguarding');
    expect(safeguarding.body.lastArrest).toEqual(expect.objectContaining({ offence: 'Theft from a shop' }));
    expect(safeguarding.body.bases.offending).not.toBe('restricted');
    const casework = await read('probation', 'offender-manager', 'case-management');
    expect(casework.body.lastArrest).toBeNull();
    expect(casework.body.withheld.lastArrest).toBe('restricted');

    expect((await lift(made.body.restrictionId)).status).toBe(201);
    // Lifted once: a second lift finds no restriction in force.
    expect((await lift(made.body.restrictionId)).status).toBe(404);
    await t.settle();
    const restored = await read('probation', 'offender-manager', 'case-management');
    expect(restored.body.lastArrest).toEqual(expect.objectContaining({ offence: 'Theft from a shop' }));
  });

  it('only the restricting agency lifts its restriction', async () => {
    const made = await restrict([]);
    const other = await t.http
      .post(`/v1/audit/restrictions/${subjectId}/${made.body.restrictionId}/lift`)
      .set('Authorization', await ig('probation'))
      .send({ reason: 'Not ours to lift.' });
    expect(other.status).toBe(403);
    expect(other.body.rule).toBe('restriction-owner');
    expect((await lift(made.body.restrictionId)).status).toBe(201);
  });

  it('a restriction keeps the data from the tasking board too, until lifted', async () => {
    const onBoard = async () => {
      const board = await t.http
        .get('/v1/tasking/board')
        .set('Authorization', `Bearer ${await t.personToken('police', 'tasking-chair')}`)
        .set('X-Purpose-Of-Use', 'tasking')
        .expect(200);
      return board.body.subjects.some((row: { subjectId: string }) => row.subjectId === subjectId);
    };
    expect(await onBoard()).toBe(true);
    const made = await t.http
      .post(`/v1/audit/restrictions/${subjectId}`)
      .set('Authorization', await ig())
      .send({
        categories: ['cohort'],
        purposes: ['safeguarding'],
        reason: 'Contested',
        legalBasis: 'DPA 2018 s.47',
      })
      .expect(201);
    await t.settle();
    // The police's cohort data is what puts the person on the board; it may not be used for tasking.
    expect(await onBoard()).toBe(false);
    await t.http
      .post(`/v1/audit/restrictions/${subjectId}/${made.body.restrictionId}/lift`)
      .set('Authorization', await ig())
      .send({ reason: 'Resolved' })
      .expect(201);
    await t.settle();
    expect(await onBoard()).toBe(true);
  });

  it('subject access says what was restricted, when, by whom and why', async () => {
    const exported = await t.http
      .get(`/v1/subjects/${subjectId}/access-export`)
      .set('Authorization', await ig())
      .set('X-Purpose-Of-Use', 'subject-access');
    expect(exported.status).toBe(200);
    expect(exported.body.restrictions.length).toBeGreaterThanOrEqual(4);
    expect(exported.body.restrictions[0]).toEqual({
      restrictionId: expect.any(String),
      agency: 'police',
      restrictedBy: 'police-ig-1',
      restrictedAt: expect.any(String),
      categories: ['offending'],
      purposesStillAllowed: [],
      reason: 'The subject contests the accuracy of the arrest record.',
      legalBasis: 'DPA 2018 s.47(2)',
      lifted: {
        by: 'police-ig-1',
        at: expect.any(String),
        reason: 'Accuracy confirmed against the custody record.',
      },
    });
  });

  it('refuses a restriction of nothing, or of unknown purposes, with a specific problem', async () => {
    for (const [body, rule] of [
      [{ categories: [], purposes: [], reason: 'x', legalBasis: 'y' }, 'restriction-categories'],
      [
        { categories: ['offending'], purposes: ['gossip'], reason: 'x', legalBasis: 'y' },
        'restriction-purposes',
      ],
      [{ categories: ['offending'], purposes: [], reason: 'x' }, 'restriction-legal-basis'],
    ] as const) {
      const refused = await t.http
        .post(`/v1/audit/restrictions/${subjectId}`)
        .set('Authorization', await ig())
        .send(body);
      expect(refused.status).toBe(422);
      expect(refused.body.rule).toBe(rule);
    }
    const unknown = await t.http
      .post('/v1/audit/restrictions/00000000-0000-4000-8000-000000000000')
      .set('Authorization', await ig())
      .send({ categories: ['offending'], purposes: [], reason: 'x', legalBasis: 'y' });
    expect(unknown.status).toBe(404);
  });
});

describe('records management: an erase decision from the review queue', () => {
  let t: TestApp;
  let subjectId: string;
  const journey = new SubjectJourney();
  const OFFENCE = 'Theft of seven bicycles from a yard';

  beforeAll(async () => {
    t = await startTestApp();
    const publish = (agency: string, source: string, events: CloudEventBody[]) =>
      publishAs(t, agency, source, events);
    const registered = await publish('police', POLICE, [journey.registered('Ana', 'Lowe')]);
    subjectId = registered.body.results[0].subjectId;
    await publish('police', POLICE, [at(journey.arrested(OFFENCE), '2015-03-01T10:00:00Z')]);
    await publish('probation', PROBATION, [
      journey.linked('probation'),
      cloudEvent(PROBATION, 'iom.licence.conditions-set.v1', `crn:${journey.crn}`, {
        conditions: ['residence'],
        licenceEnds: '2099-06-30',
      }),
    ]);
    await t.settle();
  });
  afterAll(() => t.close());

  const ig = async () => `Bearer ${await t.personToken('police', 'ig-lead', 'police-ig-2')}`;
  const erase = async (body: Record<string, unknown>) =>
    t.http
      .post(`/v1/audit/reviews/${subjectId}/erase`)
      .set('Authorization', await ig())
      .send(body);
  const dueOffending = async () =>
    (await t.http.get('/v1/audit/reviews').set('Authorization', await ig())).body.reviews.filter(
      (r: { subjectId: string; category: string }) => r.subjectId === subjectId && r.category === 'offending',
    );
  const valid = { category: 'offending', reason: 'MoPI review: no longer needed', decisionRef: 'RR-2026-14' };

  it('refuses an erasure without a reason, a decision reference or anything held, and records each', async () => {
    for (const [body, rule] of [
      [{ ...valid, reason: ' ' }, 'erasure-reason'],
      [{ ...valid, decisionRef: undefined }, 'erasure-decision-ref'],
      [{ ...valid, category: 'health' }, 'retention-nothing-held'],
      [{ ...valid, category: 'gossip' }, 'retention-category'],
    ] as const) {
      const refused = await erase(body);
      expect([refused.status, refused.body.rule]).toEqual([422, rule]);
      expect(refused.body.disclosureId).toEqual(expect.any(String));
    }
  });

  it('erases the category for good: an event and an audit record, the data gone, the queue and the rest as they should be', async () => {
    expect(await dueOffending()).toHaveLength(1);
    const erased = await erase(valid);
    expect(erased.status).toBe(201);
    const stored = await t.app.get(EventStore).readStream(subjectStream(subjectId));
    expect(stored.find((event) => event.type === 'iom.record.erased.v1')?.data).toEqual({
      categories: ['offending'],
      reason: valid.reason,
      decisionRef: valid.decisionRef,
    });
    expect(JSON.stringify(stored.map((event) => event.data))).not.toContain(OFFENCE);
    const [record] = await t.app.get(AuditService).store.query({ subjectId, outcome: undefined, limit: 1 });
    expect(record?.content).toMatchObject({
      id: erased.body.disclosureId,
      action: 'records.review',
      outcome: 'decided',
    });
    expect(record?.content.subjects[0]?.grounds[0]).toMatchObject({
      rule: 'iom.record.erased.v1',
      categories: ['offending'],
    });
    await t.settle();

    const read = await t.http
      .get(`/v1/subjects/${subjectId}`)
      .set('Authorization', `Bearer ${await t.personToken('police', 'iom-officer')}`)
      .set('X-Purpose-Of-Use', 'case-management');
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).not.toContain(OFFENCE);
    expect(read.body.erased.offending).toEqual([
      expect.objectContaining({ agency: 'police', decisionRef: valid.decisionRef }),
    ]);
    expect(await dueOffending()).toEqual([]);
    const probation = await t.http
      .get(`/v1/subjects/${subjectId}/timeline?limit=50`)
      .set('Authorization', `Bearer ${await t.personToken('probation', 'offender-manager')}`)
      .set('X-Purpose-Of-Use', 'case-management');
    expect(probation.body.items.map((item: { type: string }) => item.type)).toContain(
      'iom.licence.conditions-set.v1',
    );
    // Nothing of the category is held any more: neither erased again nor retained.
    expect((await erase(valid)).body.rule).toBe('retention-nothing-held');
    const retain = await t.http
      .post(`/v1/audit/reviews/${subjectId}/retain`)
      .set('Authorization', await ig())
      .send({ category: 'offending', reason: 'Still needed', nextReview: '2030-01-01' });
    expect(retain.body.rule).toBe('retention-nothing-held');
  });
});

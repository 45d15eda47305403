import { AuditService, type AuditRecord } from '@throughline/audit';
import { MEETINGS_STREAM, subjectStream } from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { cloudEvent, POLICE, PRISON, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';
import { csrfOf, signIn } from './web/page-session';

const BATCH = 'application/cloudevents-batch+json';
const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('the tasking meeting', () => {
  let t: TestApp;
  let chair: string;
  let otherChair: string;
  let officer: string;
  let igLead: string;
  const casey = new SubjectJourney();
  const robin = new SubjectJourney();
  const alex = new SubjectJourney();
  let caseyId: string;
  let robinId: string;
  let alexId: string;
  let first: string;

  const publish = async (agency: string, source: string, events: unknown[]) => {
    const token = await t.systemToken(agency, [source]);
    const response = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify(events));
    expect(response.status).toBe(200);
    return response.body.results as { subjectId: string }[];
  };
  const as = (authorization: string) => ({
    get: (path: string) =>
      t.http.get(path).set('Authorization', authorization).set('X-Purpose-Of-Use', 'tasking'),
    post: (path: string, body: unknown) =>
      t.http
        .post(path)
        .set('Authorization', authorization)
        .set('X-Purpose-Of-Use', 'tasking')
        .send(body as object),
  });
  const recordOf = async (response: { headers: Record<string, string> }): Promise<AuditRecord> => {
    const record = await t.app.get(AuditService).store.get(String(response.headers['x-disclosure-id']));
    expect(record).toBeDefined();
    return record!;
  };

  beforeAll(async () => {
    t = await startTestApp();
    chair = `Bearer ${await t.personToken('police', 'tasking-chair', 'chair-01')}`;
    otherChair = `Bearer ${await t.personToken('police', 'tasking-chair', 'chair-02')}`;
    officer = `Bearer ${await t.personToken('police', 'iom-officer', 'pc-101')}`;
    igLead = `Bearer ${await t.personToken('partnership', 'ig-lead', 'ig-01')}`;
    const adopt = (journey: SubjectJourney, cohortClass: string) =>
      cloudEvent(POLICE, 'iom.cohort.adopted.v1', `pnc:${journey.pnc}`, {
        cohortClass,
        category: 2,
        statutory: true,
        reviewDue: day(10),
      });
    [{ subjectId: caseyId }] = (await publish('police', POLICE, [
      casey.registered('Casey', 'Holt'),
      casey.scored(44, 'red'),
      adopt(casey, 'PPO'),
    ])) as [{ subjectId: string }];
    [{ subjectId: robinId }] = (await publish('police', POLICE, [
      robin.registered('Robin', 'Achterberg<script>'),
      robin.scored(25, 'amber'),
      adopt(robin, 'target'),
    ])) as [{ subjectId: string }];
    await publish('prison', PRISON, [
      robin.linked('prison'),
      robin.receivedIntoCustody(),
      cloudEvent(PRISON, 'iom.release.planned.v1', `nomis:${robin.nomis}`, {
        date: day(12),
        type: 'CRD',
        addressKnown: false,
      }),
    ]);
    // Referred and not yet adopted: on no board row, for the meeting to decide.
    [{ subjectId: alexId }] = (await publish('police', POLICE, [
      alex.registered('Alex', 'Mbeki'),
      cloudEvent(POLICE, 'iom.referral.received.v1', `pnc:${alex.pnc}`, {
        referredBy: 'probation',
        reason: 'Three burglaries since release; a referral the meeting must not see the words of',
      }),
    ])) as [{ subjectId: string }];
    await t.settle();
  });
  afterAll(() => t.close());

  it('is opened by the chair, one at a time, on the meetings stream in the chair’s agency’s name', async () => {
    const opened = await as(chair)
      .post('/v1/meetings', { date: day(0), agenciesPresent: ['probation', 'prison'], cohortClasses: [] })
      .expect(201);
    first = opened.body.meetingId;
    expect(opened.body).toMatchObject({
      date: day(0),
      chair: 'chair-01',
      chairAgency: 'police',
      agenciesPresent: ['police', 'prison', 'probation'],
      closedAt: null,
    });
    const [stored] = await t.app.get(EventStore).readStream(MEETINGS_STREAM);
    expect(stored).toMatchObject({
      type: 'iom.meeting.opened.v1',
      metadata: { agency: 'police', source: 'urn:throughline:platform', publishedBy: 'chair-01' },
    });
    const second = await as(chair)
      .post('/v1/meetings', { date: day(1), agenciesPresent: ['police'] })
      .expect(409);
    expect(second.body).toMatchObject({ rule: 'meeting-open' });
    await as(chair)
      .post('/v1/meetings', { date: 'soon', agenciesPresent: ['police'] })
      .expect(422);
    await as(officer)
      .post('/v1/meetings', { date: day(0), agenciesPresent: ['police'] })
      .expect(403);
    const listed = await as(chair).get('/v1/meetings').expect(200);
    expect(listed.body.meetings.map((m: { meetingId: string }) => m.meetingId)).toEqual([first]);
  });

  it('has an agenda from the board, recorded as the board’s flags for the people it names', async () => {
    const response = await as(chair).get(`/v1/meetings/${first}/agenda`).expect(200);
    const { agenda } = response.body;
    expect(agenda.previous).toBeNull();
    expect(agenda.changed).toBeNull();
    expect(agenda.releases).toEqual([expect.objectContaining({ subjectId: robinId, releaseDate: day(12) })]);
    expect(agenda.dueForReview.map((p: { subjectId: string }) => p.subjectId).sort()).toEqual(
      [caseyId, robinId].sort(),
    );
    expect(agenda.bandMovement.now).toEqual({ red: 1, amber: 1, green: 0, none: 0 });
    expect(agenda.referrals).toEqual([
      expect.objectContaining({ subjectId: alexId, name: 'Alex Mbeki', referredBy: 'probation' }),
    ]);
    expect(JSON.stringify(agenda)).not.toContain('the words of');
    const record = await recordOf(response);
    expect(record.content).toMatchObject({
      action: 'tasking.agenda',
      outcome: 'disclosed',
      purpose: 'tasking',
    });
    expect(record.content.subjects.map((s) => s.subjectId).sort()).toEqual([caseyId, robinId, alexId].sort());
    expect(record.content.subjects[0]!.grounds[0]).toMatchObject({ rule: 'tasking-meeting' });
    await as(officer).get(`/v1/meetings/${first}/agenda`).expect(403);
    await as(chair).get('/v1/meetings/not-a-meeting/agenda').expect(400);
    await as(chair).get('/v1/meetings/00000000-0000-4000-8000-000000000000/agenda').expect(404);
  });

  it('records decisions and actions about a person as events naming the meeting, and each on the audit log', async () => {
    const escalated = await as(chair)
      .post(`/v1/meetings/${first}/decisions`, {
        subjectId: caseyId,
        decision: 'escalate',
        reason: 'Refer to MARAC',
      })
      .expect(201);
    expect(escalated.body.type).toBe('iom.tasking.decision-recorded.v1');
    const deselected = await as(chair)
      .post(`/v1/meetings/${first}/decisions`, { subjectId: robinId, decision: 'deselect', reason: 'moved' })
      .expect(201);
    expect(deselected.body.type).toBe('iom.cohort.deselected.v1');
    const action = await as(chair)
      .post(`/v1/meetings/${first}/actions`, {
        subjectId: caseyId,
        ownerAgency: 'housing',
        due: day(14),
        text: 'Find a hostel place',
      })
      .expect(201);
    const casesStream = await t.app.get(EventStore).readStream(subjectStream(caseyId));
    expect(casesStream.slice(-2)).toEqual([
      expect.objectContaining({
        type: 'iom.tasking.decision-recorded.v1',
        data: { meeting: first, decision: 'escalate', reason: 'Refer to MARAC' },
        metadata: expect.objectContaining({ agency: 'police', publishedBy: 'chair-01' }),
      }),
      expect.objectContaining({
        type: 'iom.tasking.action-assigned.v1',
        data: expect.objectContaining({
          actionId: action.body.actionId,
          meeting: first,
          ownerAgency: 'housing',
        }),
      }),
    ]);
    const decided = await t.app.get(AuditService).store.get(escalated.body.disclosureId);
    expect(decided!.content).toMatchObject({
      action: 'tasking.decision',
      outcome: 'decided',
      subjects: [{ subjectId: caseyId, grounds: [{ reliedOn: escalated.body.eventId }] }],
    });
    // The free text is on the person's stream, never in the audit log.
    expect(JSON.stringify(decided!.content)).not.toContain('MARAC');
  });

  it('refuses what the rules refuse, each refusal on the record, and never answers 5xx', async () => {
    const cases: [string, unknown, number, string][] = [
      [chair, { subjectId: caseyId, decision: 'promote' }, 422, 'meeting-decision'],
      [chair, { subjectId: robinId, decision: 'escalate', reason: 'x' }, 409, 'meeting-subject-on-cohort'],
      [chair, { subjectId: 'pnc:nobody', decision: 'escalate', reason: 'x' }, 400, 'invalid-subject-id'],
      [chair, ['not', 'an', 'object'], 400, 'invalid-subject-id'],
      [otherChair, { subjectId: caseyId, decision: 'escalate', reason: 'x' }, 403, 'meeting-chair'],
    ];
    for (const [who, body, status, type] of cases) {
      const refused = await as(who).post(`/v1/meetings/${first}/decisions`, body).expect(status);
      expect(refused.body.type).toContain(type);
    }
    const refused = await as(otherChair)
      .post(`/v1/meetings/${first}/decisions`, { subjectId: caseyId, decision: 'escalate', reason: 'x' })
      .expect(403);
    const record = await t.app.get(AuditService).store.get(refused.body.disclosureId);
    expect(record!.content).toMatchObject({ outcome: 'refused', refusal: { rule: 'meeting-chair' } });
    await as(chair)
      .post(`/v1/meetings/${first}/actions`, {
        subjectId: caseyId,
        ownerAgency: 'fire',
        due: day(3),
        text: 'x',
      })
      .expect(422);
  });

  it('closes, and its minutes hold only the meeting’s decisions and actions, recorded per person', async () => {
    await as(otherChair).post(`/v1/meetings/${first}/close`, {}).expect(403);
    const closed = await as(chair).post(`/v1/meetings/${first}/close`, {}).expect(201);
    expect(closed.body.closedAt).toEqual(expect.any(String));
    await as(chair)
      .post(`/v1/meetings/${first}/decisions`, { subjectId: caseyId, decision: 'escalate', reason: 'late' })
      .expect(409);
    await t.settle();
    const minutes = await as(chair).get(`/v1/meetings/${first}/minutes`).expect(200);
    expect(minutes.body.final).toBe(true);
    expect(minutes.body.people).toEqual([
      expect.objectContaining({
        subjectId: caseyId,
        name: 'Casey Holt',
        decisions: [expect.objectContaining({ kind: 'escalate', reason: 'Refer to MARAC' })],
        actions: [
          expect.objectContaining({ ownerAgency: 'housing', text: 'Find a hostel place', completed: false }),
        ],
      }),
      expect.objectContaining({
        subjectId: robinId,
        decisions: [expect.objectContaining({ kind: 'deselect', reason: 'moved' })],
      }),
    ]);
    const record = await recordOf(minutes);
    expect(record.content.action).toBe('tasking.minutes');
    expect(record.content.subjects.map((s) => s.subjectId).sort()).toEqual([caseyId, robinId].sort());
    const download = await as(chair).get(`/v1/meetings/${first}/minutes.md`).expect(200);
    expect(download.headers['content-type']).toMatch(/^text\/markdown/);
    expect(download.headers['content-disposition']).toMatch(/^attachment/);
    expect(download.text).toContain('Casey Holt: Escalate: Refer to MARAC');
    // A refusal is an answer, never a file to save.
    const refusedDownload = await as(officer).get(`/v1/meetings/${first}/minutes.md`).expect(403);
    expect(refusedDownload.headers['content-disposition']).toBeUndefined();
    expect(download.text).toContain('Robin Achterberg\\<script\\>: De-select: moved');
    expect(download.text).not.toContain('<script>');
    expect((await recordOf(download)).content.action).toBe('tasking.minutes');

    // A subject access export gives Casey the minutes' record with Casey's entry alone.
    const exported = await t.http
      .get(`/v1/subjects/${caseyId}/access-export`)
      .set('Authorization', igLead)
      .set('X-Purpose-Of-Use', 'subject-access')
      .expect(200);
    const own = (exported.body.disclosures as { content: AuditRecord['content']; whole: boolean }[]).filter(
      (entry) => entry.content.action === 'tasking.minutes',
    );
    expect(own.length).toBeGreaterThanOrEqual(1);
    for (const entry of own) {
      expect(entry.whole).toBe(false);
      expect(entry.content.subjects.map((s) => s.subjectId)).toEqual([caseyId]);
    }
    expect(JSON.stringify(own)).not.toContain(robinId);
  });

  it('counts changes and band movement from the previous meeting, read from the log', async () => {
    await publish('police', POLICE, [{ ...casey.scored(10, 'green'), time: new Date().toISOString() }]);
    await t.settle();
    const opened = await as(chair)
      .post('/v1/meetings', { date: day(0), agenciesPresent: ['police'], cohortClasses: [] })
      .expect(201);
    const { agenda } = (await as(chair).get(`/v1/meetings/${opened.body.meetingId}/agenda`).expect(200)).body;
    expect(agenda.previous).toMatchObject({ meetingId: first });
    expect(agenda.changed).toEqual([
      expect.objectContaining({
        subjectId: caseyId,
        changes: expect.arrayContaining([{ flag: 'band', before: 'red', after: 'green' }]),
      }),
    ]);
    expect(agenda.bandMovement).toMatchObject({
      rose: 0,
      fell: 1,
      movers: [expect.objectContaining({ from: 'red', to: 'green' })],
    });
  });

  it('serves the same meeting as pages: the list, the agenda with its forms, a decision posted, the minutes', async () => {
    const jar = await signIn(t.http, 'police-tasking-chair');
    const get = (path: string) => t.http.get(path).set('Cookie', jar.header());
    const list = await get('/app/meetings').expect(200);
    expect(list.text).toContain('Tasking meetings');
    const open = /href="\/app\/meetings\/([0-9a-f-]{36})"/.exec(list.text)![1]!;
    const meeting = await get(`/app/meetings/${open}`).expect(200);
    expect(meeting.text).toContain('Band movement since the last meeting');
    expect(meeting.text).toContain('Record a decision');
    expect(meeting.text).not.toContain('<script>');
    expect(String(meeting.headers['x-disclosure-id']).split(', ')).toHaveLength(2);
    const posted = await t.http
      .post(`/app/meetings/${open}/decisions`)
      .set('Cookie', jar.header())
      .type('form')
      .send({
        _csrf: csrfOf(meeting.text),
        subjectId: caseyId,
        decision: 'band-change',
        band: 'amber',
        text: 'Agreed',
      })
      .expect(303);
    expect(posted.headers.location).toBe(`/app/meetings/${open}?done=decision#recorded`);
    await t.http
      .post(`/app/meetings/${open}/decisions`)
      .set('Cookie', jar.header())
      .type('form')
      .send({ subjectId: caseyId, decision: 'escalate', text: 'No token' })
      .expect(403);
    const minutes = await get(`/app/meetings/${open}/minutes`).expect(200);
    expect(minutes.text).toContain('Band change agreed: amber. Agreed');
    expect(minutes.text).toContain('Draft: the meeting is still open');
    expect((await recordOf(minutes)).content.action).toBe('tasking.minutes');
    const download = await get(`/app/meetings/${open}/minutes.md`).expect(200);
    expect(download.headers['content-disposition']).toMatch(/attachment/);
    const officerJar = await signIn(t.http, 'police-iom-officer');
    await t.http.get(`/app/meetings/${open}`).set('Cookie', officerJar.header()).expect(403);
  });
});

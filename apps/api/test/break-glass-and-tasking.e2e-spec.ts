import { readFileSync } from 'node:fs';
import { AgreementService, defaultAgreementFile, InvalidAgreementError } from '@throughline/sharing';
import { cloudEvent, POLICE, PRISON, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const HEALTH = 'urn:throughline:health:treatment';
const BATCH = 'application/cloudevents-batch+json';

describe('break-glass, the tasking board and the agreement', () => {
  let t: TestApp;
  let subjectId: string;
  const journey = new SubjectJourney();
  const nhs = journey.nhs;

  const publish = async (agency: string, source: string, events: unknown[], status = 200) => {
    const token = await t.systemToken(agency, [source]);
    const response = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify(events));
    expect(response.status).toBe(status);
    return response.body;
  };
  const asPerson = async (agency: string, role: string, user: string) =>
    `Bearer ${await t.personToken(agency, role, user)}`;
  const getBoard = (authorization: string, purpose = 'tasking', query = '') =>
    t.http
      .get(`/v1/tasking/board${query}`)
      .set('Authorization', authorization)
      .set('X-Purpose-Of-Use', purpose);

  beforeAll(async () => {
    t = await startTestApp();
    const registration = journey.registered('Casey', 'Holt');
    const body = await publish('police', POLICE, [
      registration,
      journey.scored(44, 'red'),
      cloudEvent(POLICE, 'iom.cohort.adopted.v1', `pnc:${journey.pnc}`, {
        cohortClass: 'PPO',
        category: 1,
        statutory: true,
        reviewDue: '2020-06-01',
      }),
      cloudEvent(POLICE, 'iom.wanted.flagged.v1', `pnc:${journey.pnc}`, {
        reason: 'failed-to-appear',
        warrant: true,
      }),
      cloudEvent(POLICE, 'iom.tasking.action-assigned.v1', `pnc:${journey.pnc}`, {
        actionId: `A-${nhs}`,
        meeting: 'North tasking',
        ownerAgency: 'housing',
        due: '2020-01-10',
        text: 'Find accommodation before release',
      }),
    ]);
    subjectId = body.results[0].subjectId;
    await publish('health', HEALTH, [
      journey.linked('health'),
      cloudEvent(HEALTH, 'iom.treatment.started.v1', `nhs:${nhs}`, { modality: 'detox' }),
    ]);
    await t.settle();
  });
  afterAll(() => t.close());

  it('a practitioner breaks the glass with a justification and sees the claimed categories at once', async () => {
    const auth = await asPerson('police', 'iom-officer', 'pc-101');
    const before = await t.http
      .get(`/v1/subjects/${subjectId}`)
      .set('Authorization', auth)
      .set('X-Purpose-Of-Use', 'safeguarding');
    expect(before.body.treatment).toBeNull();
    const claim = await t.http
      .post(`/v1/subjects/${subjectId}/break-glass`)
      .set('Authorization', auth)
      .send({
        justification: 'Reported missing after an overdose; need treatment contacts now',
        categories: ['drugs'],
        minutes: 30,
      })
      .expect(201);
    expect(claim.body).toMatchObject({ subjectId, categories: ['drugs'] });
    const after = await t.http
      .get(`/v1/subjects/${subjectId}`)
      .set('Authorization', auth)
      .set('X-Purpose-Of-Use', 'safeguarding');
    expect(after.body.treatment).toMatchObject({ modality: 'detox' });
    // The claim is the officer's own, not the agency's.
    const colleague = await asPerson('police', 'iom-officer', 'pc-202');
    const other = await t.http
      .get(`/v1/subjects/${subjectId}`)
      .set('Authorization', colleague)
      .set('X-Purpose-Of-Use', 'safeguarding');
    expect(other.body.treatment).toBeNull();
  });

  it('refuses a claim without justification, over the time limit, or from a role not allowed', async () => {
    const auth = await asPerson('police', 'iom-officer', 'pc-101');
    const short = await t.http
      .post(`/v1/subjects/${subjectId}/break-glass`)
      .set('Authorization', auth)
      .send({ justification: 'urgent', categories: ['drugs'], minutes: 10 });
    expect(short.status).toBe(422);
    expect(short.body.errors[0]).toMatchObject({ field: 'justification' });
    const long = await t.http
      .post(`/v1/subjects/${subjectId}/break-glass`)
      .set('Authorization', auth)
      .send({
        justification: 'A long enough justification for the record',
        categories: ['drugs'],
        minutes: 600,
      });
    expect(long.status).toBe(422);
    const analyst = await asPerson('police', 'analyst', 'an-1');
    const refused = await t.http
      .post(`/v1/subjects/${subjectId}/break-glass`)
      .set('Authorization', analyst)
      .send({
        justification: 'A long enough justification for the record',
        categories: ['drugs'],
        minutes: 10,
      });
    expect(refused.status).toBe(403);
  });

  it('an agency system cannot publish a break-glass claim, and the prison cannot publish a treatment start', async () => {
    const forged = cloudEvent(POLICE, 'iom.break-glass.claimed.v1', `pnc:${journey.pnc}`, {
      user: 'pc-9',
      agency: 'police',
      categories: ['health'],
      expiresAt: '2099-01-01T00:00:00Z',
      justification: 'forged claim for testing',
    });
    const body = await publish('police', POLICE, [forged], 403);
    expect(body.errors[0]).toMatchObject({ field: 'type', constraint: 'recordedByPlatform' });
    const prison = await publish(
      'prison',
      PRISON,
      [{ ...cloudEvent(PRISON, 'iom.treatment.started.v1', `pnc:${journey.pnc}`, { modality: 'detox' }) }],
      403,
    );
    expect(prison.errors[0].message).toMatch(/may not publish iom\.treatment\.started\.v1/);
  });

  it('shows the tasking chair flags, overdue actions and review dates, not the detail behind them', async () => {
    const chair = await asPerson('police', 'tasking-chair', 'chair-1');
    const board = await getBoard(chair).expect(200);
    const row = board.body.subjects.find((s: { subjectId: string }) => s.subjectId === subjectId);
    expect(row).toMatchObject({
      band: 'red',
      cohortClass: 'PPO',
      wanted: true,
      overdueActions: 1,
      reviewOverdue: true,
      name: 'Casey Holt',
    });
    expect(JSON.stringify(row)).not.toMatch(/detox|failed-to-appear/);
    const since = await getBoard(chair, 'tasking', '?since=2099-01-01T00:00:00Z');
    expect(since.body.subjects).toEqual([]);
    const officer = await asPerson('police', 'iom-officer', 'pc-101');
    await getBoard(officer).expect(403);
    await getBoard(chair, 'enforcement').expect(403);
  });

  it('shows the meeting detail only as the agency that owns it releases it, until it is withdrawn', async () => {
    const chair = await asPerson('police', 'tasking-chair', 'chair-1');
    const boardRow = async () => {
      const board = await getBoard(chair).expect(200);
      const row = board.body.subjects.find((s: { subjectId: string }) => s.subjectId === subjectId);
      return { row, disclosureId: board.headers['x-disclosure-id'] as string };
    };
    const release = (source: string, releaseId: string, categories: string[], expires: string) =>
      cloudEvent(source, 'iom.tasking.detail-released.v1', `nhs:${nhs}`, {
        releaseId,
        meeting: 'North tasking',
        categories,
        legalBasis: 'DPA 2018 Sch 8 para 4',
        expires,
      });
    // Police releasing drugs detail reaches no drugs event: the treatment is health's to release.
    // An expired release shows nothing.
    await publish('police', POLICE, [release(POLICE, `R-${nhs}-p`, ['drugs'], '2099-01-01T00:00:00Z')]);
    await publish('health', HEALTH, [release(HEALTH, `R-${nhs}-old`, ['drugs'], '2020-01-01T00:00:00Z')]);
    await t.settle();
    let { row } = await boardRow();
    expect(row.released).toEqual([
      expect.objectContaining({ agency: 'police', categories: ['drugs'], events: [] }),
    ]);
    expect(JSON.stringify(row)).not.toMatch(/detox/);

    await publish('health', HEALTH, [release(HEALTH, `R-${nhs}`, ['drugs'], '2099-01-01T00:00:00Z')]);
    await t.settle();
    const read = await boardRow();
    const byHealth = read.row.released.find((r: { agency: string }) => r.agency === 'health');
    expect(byHealth).toMatchObject({
      releaseId: `R-${nhs}`,
      eventId: expect.any(String),
      meeting: 'North tasking',
      legalBasis: 'DPA 2018 Sch 8 para 4',
      events: [
        expect.objectContaining({
          type: 'iom.treatment.started.v1',
          category: 'drugs',
          data: { modality: 'detox' },
        }),
      ],
    });
    // The disclosure record names the release relied on and the event it showed.
    const ig = await asPerson('partnership', 'ig-lead', 'ig-1');
    const receipt = await t.http
      .get(`/v1/audit/disclosures/${read.disclosureId}`)
      .set('Authorization', ig)
      .expect(200);
    const disclosed = receipt.body.record.content.subjects.find(
      (s: { subjectId: string }) => s.subjectId === subjectId,
    );
    expect(disclosed.grounds).toContainEqual(
      expect.objectContaining({
        rule: 'owner-release',
        reliedOn: byHealth.eventId,
        categories: ['drugs'],
      }),
    );
    expect(disclosed.positions).toEqual([byHealth.events[0].position]);
    expect(disclosed.fields.drugs).toEqual(['modality']);

    await publish('health', HEALTH, [
      cloudEvent(HEALTH, 'iom.tasking.detail-withdrawn.v1', `nhs:${nhs}`, { releaseId: `R-${nhs}` }),
    ]);
    await t.settle();
    ({ row } = await boardRow());
    expect(row.released.map((r: { agency: string }) => r.agency)).toEqual(['police']);
    expect(JSON.stringify(row)).not.toMatch(/detox/);
  });

  it('keeps the de-selection register with reasons', async () => {
    await publish('police', POLICE, [
      cloudEvent(POLICE, 'iom.cohort.deselected.v1', `pnc:${journey.pnc}`, { reason: 'progress' }),
    ]);
    await t.settle();
    const chair = await asPerson('police', 'tasking-chair', 'chair-1');
    const register = await t.http
      .get('/v1/tasking/deselections')
      .set('Authorization', chair)
      .set('X-Purpose-Of-Use', 'tasking')
      .expect(200);
    expect(register.body.deselections).toEqual(
      expect.arrayContaining([expect.objectContaining({ subjectId, reason: 'progress' })]),
    );
  });

  it('loads a new agreement version as an event, refuses a malformed one by line, and views follow it', async () => {
    const agreements = t.app.get(AgreementService);
    expect((await agreements.current())?.version).toBe('2025.1');
    const original = readFileSync(defaultAgreementFile(), 'utf8');
    await expect(
      agreements.load(
        original
          .replace("version: '2025.1'", "version: '2025.2'")
          .replace('basis: never', 'basis: sometimes'),
        'test',
      ),
    ).rejects.toThrow(InvalidAgreementError);
    await expect(agreements.load(original, 'test')).rejects.toThrow(/already loaded/);
    expect((await agreements.current())?.version).toBe('2025.1');

    // Version 2025.2 shares identity with nobody but the publisher: housing then sees nothing.
    const narrowed = original
      .replace("version: '2025.1'", "version: '2025.2'")
      .replace(/ {2}- id: identity-all[\s\S]*?legalBasis:[^\n]*\n/, '');
    await agreements.load(narrowed, 'test');
    await t.settle();
    const housing = await asPerson('housing', 'housing-officer', 'ho-1');
    const view = await t.http
      .get(`/v1/subjects/${subjectId}`)
      .set('Authorization', housing)
      .set('X-Purpose-Of-Use', 'case-management');
    expect(view.status).toBe(404);
  });
});

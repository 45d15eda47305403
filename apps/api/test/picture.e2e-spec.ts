import {
  cloudEvent,
  type CloudEventBody,
  HEALTH,
  POLICE,
  PRISON,
  PROBATION,
  SubjectJourney,
} from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const BATCH = 'application/cloudevents-batch+json';

const at = (event: CloudEventBody, time: string): CloudEventBody => ({ ...event, time });

describe('the subject picture: event time and the clock', () => {
  let t: TestApp;
  let subjectId: string;
  const journey = new SubjectJourney();

  beforeAll(async () => {
    t = await startTestApp();
    const publish = async (agency: string, source: string, events: CloudEventBody[]) => {
      const token = await t.systemToken(agency, [source]);
      return t.http
        .post('/v1/events')
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', BATCH)
        .send(JSON.stringify(events))
        .expect(200);
    };
    const registered = await publish('police', POLICE, [journey.registered('Lee', 'Marsh')]);
    subjectId = registered.body.results[0].subjectId;
    await publish('prison', PRISON, [journey.linked('prison'), journey.released()]);
    const crn = `crn:${journey.crn}`;
    const probation = (type: string, data: Record<string, unknown>, time: string) =>
      at(cloudEvent(PROBATION, type, crn, data), time);
    await publish('probation', PROBATION, [
      journey.linked('probation'),
      probation(
        'iom.licence.conditions-set.v1',
        { conditions: ['residence'], licenceEnds: '2025-06-30' },
        '2025-03-01T10:00:00Z',
      ),
      probation(
        'iom.appointment.scheduled.v1',
        { appointmentId: 'APT-PAST', with: 'probation', purpose: 'Supervision', at: '2025-03-10T10:00:00Z' },
        '2025-03-01T10:05:00Z',
      ),
      probation(
        'iom.appointment.scheduled.v1',
        { appointmentId: 'APT-NEXT', with: 'probation', purpose: 'Review', at: '2099-01-05T10:00:00Z' },
        '2025-03-01T10:06:00Z',
      ),
      probation(
        'iom.accommodation.changed.v1',
        { status: 'settled', tenancyAtRisk: false },
        '2025-11-03T09:00:00Z',
      ),
    ]);
    // Recorded after the November address, but it happened in June.
    await publish('probation', PROBATION, [
      probation(
        'iom.accommodation.changed.v1',
        { status: 'rough-sleeping', tenancyAtRisk: false },
        '2025-06-10T09:00:00Z',
      ),
    ]);
    await publish('police', POLICE, [
      at(journey.arrested('Burglary dwelling'), '2025-09-01T10:00:00Z'),
      // A backdated arrest recorded later is history, not the last arrest.
      at(journey.arrested('Theft from a shop'), '2025-02-01T10:00:00Z'),
      at(
        cloudEvent(POLICE, 'iom.charge.recorded.v1', `pnc:${journey.pnc}`, {
          offences: [{ offence: 'Burglary dwelling', offenceGroup: 'burglary' }],
          outcome: 'bailed',
          court: 'North Staffordshire Justice Centre',
          firstHearing: '2025-09-20',
        }),
        '2025-09-02T10:00:00Z',
      ),
      at(
        cloudEvent(POLICE, 'iom.safeguarding.concern-raised.v1', `pnc:${journey.pnc}`, {
          concernId: 'SG-OPEN',
          kind: 'domestic-abuse',
          legalBasis: 'DPA 2018 Sch 8 para 4',
          categories: ['housing'],
          recipients: ['housing'],
          expires: '2099-01-01',
        }),
        '2025-09-03T10:00:00Z',
      ),
      at(
        cloudEvent(POLICE, 'iom.safeguarding.concern-raised.v1', `pnc:${journey.pnc}`, {
          concernId: 'SG-LAPSED',
          kind: 'child',
          legalBasis: 'DPA 2018 Sch 8 para 4',
          categories: ['housing'],
          recipients: ['housing'],
          expires: '2025-10-01',
        }),
        '2025-09-03T11:00:00Z',
      ),
    ]);
    await t.settle();
  });
  afterAll(() => t.close());

  const read = async (path: string, agency = 'probation', role = 'offender-manager') => {
    const token = await t.personToken(agency, role);
    return t.http
      .get(path)
      .set('Authorization', `Bearer ${token}`)
      .set('X-Purpose-Of-Use', 'case-management');
  };

  it('keeps the newer address when a backdated one is recorded after it', async () => {
    const response = await read(`/v1/subjects/${subjectId}`);
    expect(response.status).toBe(200);
    expect(response.body.accommodation).toEqual({
      status: 'settled',
      tenancyAtRisk: false,
      since: '2025-11-03T09:00:00Z',
    });
  });

  it('says the licence is over once it has ended, and a past appointment never closed awaits its outcome', async () => {
    const response = await read(`/v1/subjects/${subjectId}`);
    expect(response.body.custody).toMatchObject({ status: 'in-community', onLicence: false });
    expect(response.body.supervision.licenceEnds).toBe('2025-06-30');
    expect(
      response.body.supervision.upcomingAppointments.map((a: { appointmentId: string }) => a.appointmentId),
    ).toEqual(['APT-NEXT']);
    expect(
      response.body.supervision.awaitingOutcome.map((a: { appointmentId: string }) => a.appointmentId),
    ).toEqual(['APT-PAST']);
  });

  it('gives the police the last arrest by when it happened, the charge with its bail, and the concerns open now', async () => {
    const { body } = await read(`/v1/subjects/${subjectId}`, 'police', 'iom-officer');
    expect(body.arrests).toBe(2);
    expect(body.lastArrest).toMatchObject({ offence: 'Burglary dwelling' });
    expect(body.charges).toEqual([
      expect.objectContaining({ outcome: 'bailed', firstHearing: '2025-09-20' }),
    ]);
    expect(body.safeguardingConcerns).toEqual([
      expect.objectContaining({ concernId: 'SG-OPEN', kind: 'domestic-abuse', expires: '2099-01-01' }),
    ]);
  });

  it('tells each reader the consents in force for its agency, and only those', async () => {
    const health = await t.systemToken('health', [HEALTH]);
    const consent = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${health}`)
      .set('Content-Type', BATCH)
      .send(
        JSON.stringify([
          journey.linked('health'),
          cloudEvent(HEALTH, 'iom.consent.given.v1', `nhs:${journey.nhs}`, {
            scope: { categories: ['drugs'], recipients: ['probation'], purposes: ['case-management'] },
            expires: '2099-03-01',
            recordedBy: 'Drug worker R. Patel',
            formReference: 'CF-2024-0117',
          }),
          cloudEvent(HEALTH, 'iom.consent.given.v1', `nhs:${journey.nhs}`, {
            scope: { categories: ['health'], recipients: ['probation'], purposes: ['case-management'] },
            expires: '2020-01-01',
            recordedBy: 'Drug worker R. Patel',
            formReference: 'CF-2019-0001',
          }),
        ]),
      );
    expect(consent.status).toBe(200);
    await t.settle();
    const probation = await read(`/v1/subjects/${subjectId}`);
    expect(probation.body.consentsInForce).toEqual([
      {
        controller: 'health',
        category: 'drugs',
        purpose: 'case-management',
        eventId: expect.any(String),
        expires: expect.stringMatching(/^2099-03-0[12]T/),
      },
    ]);
    const police = await read(`/v1/subjects/${subjectId}`, 'police', 'iom-officer');
    expect(police.body.consentsInForce).toEqual([]);
  });

  it('names the offending parts withheld from a mentor, never empty', async () => {
    const { body } = await read(`/v1/subjects/${subjectId}`, 'voluntary', 'mentor');
    for (const part of ['lastArrest', 'charges', 'convictions']) {
      expect(body[part]).toBeNull();
      expect(body.withheld[part]).toBe('not-shared');
    }
  });

  it('orders the timeline by when things happened, page after page, a backdated entry in its place', async () => {
    const whole = await read(`/v1/subjects/${subjectId}/timeline?limit=200`);
    expect(whole.status).toBe(200);
    const times = whole.body.items.map((item: { time: string }) => Date.parse(item.time));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const statuses = whole.body.items
      .filter((item: { type: string }) => item.type === 'iom.accommodation.changed.v1')
      .map((item: { data: { status: string } }) => item.data.status);
    expect(statuses).toEqual(['settled', 'rough-sleeping']);
    // Each item says when the log recorded it too: the backdated one long after it happened.
    const backdated = whole.body.items.find(
      (item: { data: { status?: string } }) => item.data.status === 'rough-sleeping',
    );
    expect(Date.parse(backdated.recordedAt)).toBeGreaterThan(Date.parse('2025-11-03T09:00:00Z'));
    const paged: string[] = [];
    let before: number | null = null;
    do {
      const query: string = before === null ? '' : `&before=${before}`;
      const page = await read(`/v1/subjects/${subjectId}/timeline?limit=2${query}`);
      expect(page.status).toBe(200);
      paged.push(...page.body.items.map((item: { id: string }) => item.id));
      before = page.body.nextBefore;
    } while (before !== null);
    expect(paged).toEqual(whole.body.items.map((item: { id: string }) => item.id));
  });
});

import { randomUUID } from 'node:crypto';
import { subjectStream } from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { alertSubjects, planAlerts } from '@throughline/kafka';
import { ReadModelStore, toPublishedEvent } from '@throughline/projections';
import { AgreementService } from '@throughline/sharing';
import { cloudEvent, POLICE, PRISON, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const BATCH = 'application/cloudevents-batch+json';
const VOLUNTARY = 'urn:throughline:voluntary:crm';

interface Notification {
  eventId: string;
  position: number;
  subjectId: string;
  name: string | null;
  kind: string;
  fields: Record<string, unknown>;
  notice: { days: number; short: boolean } | null;
  yours: boolean;
  read: boolean;
}

interface Receipt {
  record: {
    content: {
      action: string;
      outcome: string;
      principal: { user: string; agency: string };
      subjects: { subjectId: string; positions: number[]; fields: Record<string, string[]> }[];
    };
  };
}

describe('the inbox: notifications for people', () => {
  let t: TestApp;
  let igLead: string;
  const run = randomUUID().slice(0, 8);
  const officer = `pc-${run}`;
  const mentor = `mentor-${run}`;
  const journey = new SubjectJourney();
  const other = new SubjectJourney();
  let subjectId: string;
  const ids: Record<string, string> = {};

  const publish = async (agency: string, source: string, events: unknown[]): Promise<void> => {
    const token = await t.systemToken(agency, [source]);
    await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify(events))
      .expect(200);
  };
  const as = async (agency: string, role: string, user: string) =>
    `Bearer ${await t.personToken(agency, role, user)}`;
  const inbox = async (auth: string, query = '', purpose = 'case-management') =>
    t.http.get(`/v1/inbox${query}`).set('Authorization', auth).set('X-Purpose-Of-Use', purpose);
  const receipt = async (id: string): Promise<Receipt> =>
    (await t.http.get(`/v1/audit/disclosures/${id}`).set('Authorization', igLead).expect(200))
      .body as Receipt;

  beforeAll(async () => {
    t = await startTestApp();
    igLead = await as('partnership', 'ig-lead', `ig-${run}`);
    const registered = journey.registered('Inbox', `Person${run}`);
    const arrest = journey.arrested();
    const wanted = cloudEvent(POLICE, 'iom.wanted.flagged.v1', `pnc:${journey.pnc}`, {
      reason: 'recall',
      warrant: true,
    });
    const policeWorker = cloudEvent(POLICE, 'iom.key-worker.assigned.v1', `pnc:${journey.pnc}`, {
      agency: 'police',
      worker: 'PC 1 Inbox',
      contact: '01782 000000',
      user: officer,
    });
    const mentorWorker = cloudEvent(VOLUNTARY, 'iom.key-worker.assigned.v1', `pnc:${journey.pnc}`, {
      agency: 'voluntary',
      worker: 'Mentor Inbox',
      contact: '01782 000606',
      user: mentor,
    });
    await publish('police', POLICE, [registered, policeWorker]);
    await publish('voluntary', VOLUNTARY, [mentorWorker]);
    await publish('prison', PRISON, [journey.linked('prison')]);
    const received = journey.receivedIntoCustody();
    await publish('prison', PRISON, [received]);
    await publish('police', POLICE, [arrest, wanted]);
    // Planned a fortnight ahead of the plan itself: short of the 28 days partners ask for.
    const plannedAt = Date.parse(received.time) + 86_400_000;
    const planned = {
      ...cloudEvent(PRISON, 'iom.release.planned.v1', `nomis:${journey.nomis}`, {
        date: new Date(plannedAt + 14 * 86_400_000).toISOString().slice(0, 10),
        type: 'CRD',
        addressKnown: false,
      }),
      time: new Date(plannedAt).toISOString(),
    };
    await publish('prison', PRISON, [planned]);
    // Someone else the police work with, arrested first: the police inbox names two people.
    await publish('police', POLICE, [other.registered('Other', `Person${run}`), other.arrested()]);
    await t.settle();
    const subjects = await t.http
      .get('/v1/subjects')
      .set('Authorization', await as('police', 'iom-officer', officer))
      .set('X-Purpose-Of-Use', 'case-management');
    subjectId = (subjects.body.subjects as { subjectId: string; name: string }[]).find(
      (s) => s.name === `Inbox Person${run}`,
    )!.subjectId;
    for (const recorded of await t.app.get(EventStore).readStream(subjectStream(subjectId)))
      ids[recorded.type] = recorded.id;
  });
  afterAll(() => t.close());

  it("tells the key worker of each kind, newest first, theirs, the short notice flagged, and records the page's subjects", async () => {
    const response = await inbox(await as('police', 'iom-officer', officer));
    expect(response.status).toBe(200);
    const items = response.body.notifications as Notification[];
    expect(items.map((item) => [item.kind, item.subjectId === subjectId])).toEqual([
      ['arrest', false],
      ['release-planned', true],
      ['wanted', true],
      ['arrest', true],
      ['custody-received', true],
    ]);
    expect(items.map((item) => item.position)).toEqual(
      [...items.map((item) => item.position)].sort((a, b) => b - a),
    );
    const theirs = items.filter((item) => item.subjectId === subjectId);
    expect(theirs.every((item) => item.yours && !item.read)).toBe(true);
    expect(items[0]!.yours).toBe(false);
    expect(theirs[0]!.notice).toEqual({ days: 14, short: true });
    expect(theirs[0]!.name).toBe(`Inbox Person${run}`);
    expect(response.body.unread).toBe(5);
    // One record for the page, naming each person on it with the events shown of them.
    const record = await receipt(response.body.disclosureId as string);
    expect(record.record.content.action).toBe('inbox.list');
    expect(record.record.content.subjects).toHaveLength(2);
    const about = record.record.content.subjects.find((entry) => entry.subjectId === subjectId)!;
    expect([...about.positions].sort()).toEqual(theirs.map((item) => item.position).sort());
    expect(about.fields.identity).toEqual(['familyName', 'givenName']);
    // The person's subject access export finds the page, reduced to what it said of them.
    const exported = await t.http
      .get(`/v1/subjects/${subjectId}/access-export`)
      .set('Authorization', igLead)
      .set('X-Purpose-Of-Use', 'subject-access')
      .expect(200);
    const listed = (
      exported.body.disclosures as {
        whole: boolean;
        content: { id: string; subjects: { subjectId: string }[] };
      }[]
    ).find((entry) => entry.content.id === response.body.disclosureId)!;
    expect(listed.whole).toBe(false);
    expect(listed.content.subjects.map((entry) => entry.subjectId)).toEqual([subjectId]);
    // Another officer of the same agency is told too, but the person is not theirs.
    const colleague = (await inbox(await as('police', 'iom-officer', `pc-other-${run}`))).body
      .notifications as Notification[];
    expect(colleague).toHaveLength(5);
    expect(colleague.some((item) => item.yours)).toBe(false);
    expect(
      (await inbox(await as('police', 'iom-officer', `pc-other-${run}`), '?mine=true')).body.notifications,
    ).toEqual([]);
    expect(
      (
        (await inbox(await as('police', 'iom-officer', officer), '?mine=true')).body
          .notifications as Notification[]
      ).map((item) => item.subjectId),
    ).toEqual(theirs.map(() => subjectId));
  });

  it('decides who is told by the rule the Kafka alerts follow, event by event', async () => {
    const events = (await t.app.get(EventStore).readStream(subjectStream(subjectId))).flatMap((recorded) => {
      const event = toPublishedEvent(recorded);
      return event ? [{ event, recordedAt: recorded.recordedAt }] : [];
    });
    const subject = (await alertSubjects(t.app.get(ReadModelStore), [subjectId])).get(subjectId)!;
    const agreement = await t.app.get(AgreementService).current();
    const alerted = (agency: string): string[] =>
      events
        .flatMap(({ event, recordedAt }) =>
          planAlerts({ event, recordedAt, subject, agreement, now: new Date() }),
        )
        .filter((alert) => alert.data.agency === agency)
        .map((alert) => alert.data.eventId)
        .sort();
    // Not vacuous: the police are told of all four, the voluntary sector of some, housing of none.
    expect(alerted('police')).toHaveLength(4);
    expect(alerted('voluntary').length).toBeGreaterThan(0);
    expect(alerted('voluntary').length).toBeLessThan(4);
    for (const [agency, role] of [
      ['police', 'iom-officer'],
      ['voluntary', 'mentor'],
      ['prison', 'prison-officer'],
      ['housing', 'housing-officer'],
    ] as const) {
      const told = (
        (await inbox(await as(agency, role, `${agency}-${run}`))).body.notifications as Notification[]
      )
        .filter((item) => item.subjectId === subjectId)
        .map((item) => item.eventId)
        .sort();
      expect({ agency, told }).toEqual({ agency, told: alerted(agency) });
    }
  });

  it('tells a reader nothing of a category the agreement keeps from them, and will not open it', async () => {
    const auth = await as('voluntary', 'mentor', mentor);
    const response = await inbox(auth);
    const items = response.body.notifications as Notification[];
    const kinds = items.map((item) => item.kind);
    expect(kinds).not.toContain('arrest');
    expect(kinds).not.toContain('wanted');
    expect(kinds).toContain('release-planned');
    expect(items.every((item) => item.yours)).toBe(true);
    const planned = items.find((item) => item.kind === 'release-planned')!;
    // Custody dates only: the date, never where.
    expect(Object.keys(planned.fields)).not.toContain('establishment');
    const record = await receipt(response.body.disclosureId as string);
    const positions = record.record.content.subjects.flatMap((s) => s.positions);
    expect(positions).toEqual(expect.arrayContaining(items.map((item) => item.position)));
    expect(positions).toHaveLength(items.length);
    // Opening the arrest by its id answers as if there were none, and the refusal is on the record.
    const refused = await t.http
      .get(`/v1/inbox/${ids['iom.arrest.recorded.v1']}`)
      .set('Authorization', auth)
      .set('X-Purpose-Of-Use', 'case-management');
    expect(refused.status).toBe(404);
    expect(refused.body.type).toContain('notification-not-found');
    // A housing officer works with nobody here: no notification at all.
    const housing = await inbox(await as('housing', 'housing-officer', `ho-${run}`));
    expect(housing.body.notifications).toEqual([]);
    expect(housing.body.unread).toBe(0);
  });

  it('records opening one notification as a disclosure of that event, and keeps it read across reads', async () => {
    const auth = await as('police', 'iom-officer', officer);
    const arrestId = ids['iom.arrest.recorded.v1']!;
    const opened = await t.http
      .get(`/v1/inbox/${arrestId}`)
      .set('Authorization', auth)
      .set('X-Purpose-Of-Use', 'case-management');
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ eventId: arrestId, kind: 'arrest', read: true });
    const record = await receipt(opened.body.disclosureId as string);
    expect(record.record.content).toMatchObject({ action: 'inbox.read', outcome: 'disclosed' });
    expect(record.record.content.principal.user).toBe(officer);
    expect(record.record.content.subjects).toEqual([
      expect.objectContaining({ subjectId, positions: [opened.body.position] }),
    ]);
    expect(record.record.content.subjects[0]!.fields.offending).toEqual(
      expect.arrayContaining(['offence', 'custodySuite']),
    );
    const marked = await t.http
      .post(`/v1/inbox/${ids['iom.wanted.flagged.v1']}/read`)
      .set('Authorization', auth)
      .set('X-Purpose-Of-Use', 'case-management');
    expect(marked.status).toBe(200);
    expect((await receipt(marked.body.disclosureId as string)).record.content.action).toBe('inbox.read');
    const after = await inbox(auth);
    expect(after.body.unread).toBe(3);
    const unread = (await inbox(auth, '?unread=true&mine=true')).body.notifications as Notification[];
    expect(unread.map((item) => item.kind)).toEqual(['release-planned', 'custody-received']);
    expect(
      (
        await t.http
          .get('/v1/inbox/unread')
          .set('Authorization', auth)
          .set('X-Purpose-Of-Use', 'case-management')
      ).body,
    ).toEqual({ unread: 3 });
    // The marks are the officer's own: a colleague's inbox is untouched.
    expect((await inbox(await as('police', 'iom-officer', `pc-other-${run}`))).body.unread).toBe(5);
  });

  it('pages newest first, resuming from nextBefore', async () => {
    const auth = await as('police', 'iom-officer', officer);
    const first = await inbox(auth, '?limit=3');
    expect(first.body.notifications).toHaveLength(3);
    const rest = await inbox(auth, `?limit=3&before=${first.body.nextBefore}`);
    expect(rest.body.notifications).toHaveLength(2);
    expect(rest.body.nextBefore).toBeNull();
    expect((rest.body.notifications as Notification[]).at(-1)!.kind).toBe('custody-received');
  });

  it('answers hostile input with 400 problems, never a 500', async () => {
    const auth = await as('police', 'iom-officer', officer);
    for (const query of [
      '?limit=0',
      '?limit=101',
      '?limit=x',
      '?before=-1',
      '?before=abc',
      '?unread=yes',
      '?mine=1',
    ]) {
      const response = await inbox(auth, query);
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
    }
    expect((await inbox(auth, '', 'gossip')).status).toBe(400);
    expect((await t.http.get('/v1/inbox').set('Authorization', auth)).status).toBe(400);
    const badId = await t.http
      .get('/v1/inbox/not-an-id')
      .set('Authorization', auth)
      .set('X-Purpose-Of-Use', 'case-management');
    expect(badId.status).toBe(400);
    const unknown = await t.http
      .get(`/v1/inbox/${randomUUID()}`)
      .set('Authorization', auth)
      .set('X-Purpose-Of-Use', 'case-management');
    expect(unknown.status).toBe(404);
    // A stream refused before it starts answers as any route would.
    for (const [path, purpose] of [
      ['/v1/inbox/stream?from=abc', 'case-management'],
      ['/v1/inbox/stream', 'gossip'],
    ] as const) {
      const stream = await t.http.get(path).set('Authorization', auth).set('X-Purpose-Of-Use', purpose);
      expect({ path, status: stream.status }).toEqual({ path, status: 400 });
    }
    expect((await t.http.get('/v1/inbox/stream')).status).toBe(401);
    // The tasking chair reads no subjects: no inbox.
    const chairAuth = await as('police', 'tasking-chair', `chair-${run}`);
    const chair = await inbox(chairAuth, '', 'tasking');
    expect(chair.status).toBe(403);
    // Nor a stream: refused before it opens, and recorded as a refusal.
    const chairStream = await t.http
      .get('/v1/inbox/stream')
      .set('Authorization', chairAuth)
      .set('X-Purpose-Of-Use', 'tasking');
    expect(chairStream.status).toBe(403);
    expect(chairStream.body.rule).toBe('role-view');
    const refusals = await t.http
      .get(`/v1/audit/refusals?user=chair-${run}`)
      .set('Authorization', igLead)
      .expect(200);
    expect(
      (refusals.body.disclosures as { content: { action: string } }[]).map((record) => record.content.action),
    ).toEqual(expect.arrayContaining(['inbox.list']));
    expect((await t.http.get('/v1/inbox')).status).toBe(401);
  });
});

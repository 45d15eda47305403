import { randomBytes } from 'node:crypto';
import {
  aboutSubject,
  type AuditRecord,
  contentHashOf,
  type DisclosureReceipt,
  type SubjectAccessRecord,
} from '@throughline/audit';
import { cloudEvent, HEALTH, POLICE, PRISON, PROBATION, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const BATCH = 'application/cloudevents-batch+json';

/** Letters only, so the strings pass the catalogue's validation and cannot occur by chance. */
const letters = (length: number): string =>
  Array.from(randomBytes(length), (byte) => String.fromCharCode(97 + (byte % 26))).join('');

interface Person {
  readonly journey: SubjectJourney;
  readonly givenName: string;
  readonly familyName: string;
  readonly nhs: string;
  subjectId: string;
}

/**
 * A subject access export holds one person's data and nothing about anyone else: the board and list
 * reads that named them with others come back cut to the entry about them, and the IG lead finds
 * the person by name and date of birth or by any identifier, the search itself recorded.
 */
describe('subject access about one subject', () => {
  let t: TestApp;
  let igLead: string;
  const run = letters(6);
  const people: Person[] = Array.from({ length: 4 }, () => {
    const journey = new SubjectJourney();
    return {
      journey,
      givenName: `Ansel${letters(8)}`,
      familyName: `Tregarth${letters(8)}`,
      nhs: journey.nhs,
      subjectId: '',
    };
  });
  const [me, ...others] = people as [Person, ...Person[]];
  const WRONG_OFFENCE = `Theft of ${letters(10)} from a shop`;
  const RIGHT_OFFENCE = `Theft of ${letters(10)} from a vehicle`;
  const WITHDRAWN_OFFENCE = `Criminal damage to ${letters(10)}`;

  const publish = async (events: unknown[], agency = 'police', source = POLICE) => {
    const token = await t.systemToken(agency, [source]);
    const response = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify(events));
    expect(response.status).toBe(200);
    return response.body.results as { subjectId: string }[];
  };
  const ig = (path: string) => t.http.get(path).set('Authorization', igLead);
  const receipt = async (id: string): Promise<DisclosureReceipt> => {
    const response = await ig(`/v1/audit/disclosures/${id}`);
    expect(response.status).toBe(200);
    return response.body as DisclosureReceipt;
  };
  const exportOf = async (subjectId: string) => {
    const response = await ig(`/v1/subjects/${subjectId}/access-export`).set(
      'X-Purpose-Of-Use',
      'subject-access',
    );
    expect(response.status).toBe(200);
    return response;
  };
  /** What would name another person: their partnership id, every identifier and their names. */
  const tracesOf = (person: Person): string[] => [
    person.subjectId,
    person.journey.pnc,
    person.journey.crn,
    person.journey.nomis,
    person.nhs,
    person.givenName,
    person.familyName,
  ];

  beforeAll(async () => {
    t = await startTestApp();
    igLead = `Bearer ${await t.personToken('partnership', 'ig-lead', `ig-${run}`)}`;
    for (const person of people) {
      const registration = person.journey.registered(person.givenName, person.familyName);
      [{ subjectId: person.subjectId }] = (await publish([
        registration,
        person.journey.scored(41, 'red'),
        cloudEvent(POLICE, 'iom.cohort.adopted.v1', `pnc:${person.journey.pnc}`, {
          cohortClass: 'PPO',
          category: 1,
          statutory: true,
          reviewDue: '2099-06-01',
        }),
      ])) as [{ subjectId: string }];
      // Each agency links the identifier it issued, as only it may.
      await publish([person.journey.linked('probation')], 'probation', PROBATION);
      await publish([person.journey.linked('prison')], 'prison', PRISON);
      await publish([person.journey.linked('health')], 'health', HEALTH);
    }
    const wrong = me.journey.arrested(WRONG_OFFENCE);
    const withdrawn = me.journey.arrested(WITHDRAWN_OFFENCE);
    await publish([
      wrong,
      withdrawn,
      cloudEvent(POLICE, 'iom.record.corrected.v1', `pnc:${me.journey.pnc}`, {
        targetEventId: wrong.id,
        reason: 'Wrong item recorded',
        replacement: { ...wrong.data, offence: RIGHT_OFFENCE },
      }),
      cloudEvent(POLICE, 'iom.record.redacted.v1', `pnc:${me.journey.pnc}`, {
        targetEventId: withdrawn.id,
        reason: 'Recorded against the wrong person',
      }),
    ]);
    await t.settle();

    const chair = await t.personToken('police', 'tasking-chair', `chair-${run}`);
    const board = await t.http
      .get('/v1/tasking/board')
      .set('Authorization', `Bearer ${chair}`)
      .set('X-Purpose-Of-Use', 'tasking');
    expect(board.status).toBe(200);
    const officer = await t.personToken('police', 'iom-officer', `pc-${run}`);
    const list = await t.http
      .get('/v1/subjects')
      .set('Authorization', `Bearer ${officer}`)
      .set('X-Purpose-Of-Use', 'case-management');
    expect(list.status).toBe(200);
    await publish(
      [me, others[0]!].map((person) =>
        cloudEvent(POLICE, 'iom.cohort.deselected.v1', `pnc:${person.journey.pnc}`, { reason: 'progress' }),
      ),
    );
    await t.settle();
    const register = await t.http
      .get('/v1/tasking/deselections')
      .set('Authorization', `Bearer ${chair}`)
      .set('X-Purpose-Of-Use', 'tasking');
    expect(register.status).toBe(200);
  });
  afterAll(() => t.close());

  it("holds none of the other people's ids, identifiers or names, while their reads of this person appear cut to them", async () => {
    const response = await exportOf(me.subjectId);
    const text = JSON.stringify(response.body);
    for (const other of others) for (const trace of tracesOf(other)) expect(text).not.toContain(trace);
    expect(text).toContain(me.givenName);

    const disclosures = response.body.disclosures as SubjectAccessRecord[];
    const reads = disclosures.filter((record) =>
      ['tasking.board', 'tasking.deselections', 'subject.list'].includes(record.content.action),
    );
    expect(reads.map((record) => record.content)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'tasking.board',
          principal: expect.objectContaining({ user: `chair-${run}`, role: 'tasking-chair' }),
          purpose: 'tasking',
          agreementVersion: '2025.1',
        }),
        expect.objectContaining({
          action: 'subject.list',
          principal: expect.objectContaining({ user: `pc-${run}`, role: 'iom-officer' }),
          purpose: 'case-management',
        }),
        expect.objectContaining({ action: 'tasking.deselections', purpose: 'tasking' }),
      ]),
    );
    for (const read of reads) {
      expect(read.whole).toBe(false);
      expect(read.content.subjects).toHaveLength(1);
      expect(read.content.subjects[0]).toMatchObject({
        subjectId: me.subjectId,
        grounds: expect.arrayContaining([
          expect.objectContaining({ rule: expect.any(String), legalBasis: expect.any(String) }),
        ]),
      });
      expect(Object.keys(read.content.subjects[0]!.fields).length).toBeGreaterThan(0);
    }
  });

  it("gives each cut record the hash of the whole, which the record's receipt proves and reduces to the same entry", async () => {
    const response = await exportOf(me.subjectId);
    const disclosures = response.body.disclosures as SubjectAccessRecord[];
    const board = disclosures.find((record) => record.content.action === 'tasking.board')!;
    const full = await receipt(board.content.id);

    expect(full.record.content.subjects.length).toBe(people.length);
    expect(board.contentHash).toBe(full.record.contentHash);
    expect(contentHashOf(full.record.content)).toBe(board.contentHash);
    expect(aboutSubject(full.record, me.subjectId)).toEqual(board);

    const whole = disclosures.filter((record) => record.whole);
    expect(whole.length).toBeGreaterThan(0);
    for (const record of whole) expect(contentHashOf(record.content)).toBe(record.contentHash);
  });

  it('holds the events as they now stand: the correction applied, the redacted data withdrawn', async () => {
    const response = await exportOf(me.subjectId);
    const text = JSON.stringify(response.body);
    expect(text).not.toContain(WRONG_OFFENCE);
    expect(text).not.toContain(WITHDRAWN_OFFENCE);
    const held = response.body.held as {
      type: string;
      data: Record<string, unknown>;
      correctedBy?: unknown;
      redactedBy?: unknown;
    }[];
    const arrests = held.filter((event) => event.type === 'iom.arrest.recorded.v1');
    expect(arrests).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ offence: RIGHT_OFFENCE }),
        correctedBy: expect.any(Object),
      }),
      expect.objectContaining({ data: {}, redactedBy: expect.any(Object) }),
    ]);
    expect(held.map((event) => event.type)).toEqual(
      expect.arrayContaining(['iom.record.corrected.v1', 'iom.record.redacted.v1']),
    );
  });

  it('finds the person by family name and date of birth, and records the search', async () => {
    const response = await ig(
      `/v1/audit/subjects?familyName=${me.familyName.toUpperCase()}&dateOfBirth=1990-04-12`,
    );
    expect(response.status).toBe(200);
    expect(response.body.subjects).toEqual([
      {
        subjectId: me.subjectId,
        givenName: me.givenName,
        familyName: me.familyName,
        dateOfBirth: '1990-04-12',
        identifiers: expect.arrayContaining([
          `pnc:${me.journey.pnc}`,
          `crn:${me.journey.crn}`,
          `nhs:${me.nhs}`,
        ]),
      },
    ]);
    const { content } = (await receipt(response.headers['x-disclosure-id'] as string)).record;
    expect(content).toMatchObject({
      action: 'audit.subject-search',
      outcome: 'disclosed',
      purpose: 'subject-access',
      principal: { user: `ig-${run}`, role: 'ig-lead' },
      search: { by: ['familyName', 'dateOfBirth'] },
      subjects: [{ subjectId: me.subjectId, fields: { identity: expect.arrayContaining(['familyName']) } }],
    });
    // The log keeps what was searched by, never the name searched for.
    expect(JSON.stringify(content)).not.toContain(me.familyName);
  });

  it('finds the person by any identifier an agency knows them by, and a search that finds nobody is recorded too', async () => {
    const spaced = `${me.nhs.slice(0, 3)} ${me.nhs.slice(3, 6)} ${me.nhs.slice(6)}`;
    for (const identifier of [
      `nhs:${me.nhs}`,
      `nhs:${spaced}`,
      `crn:${me.journey.crn}`,
      `nomis:${me.journey.nomis.toLowerCase()}`,
      `pnc:${me.journey.pnc.slice(2).toLowerCase()}`,
      me.subjectId,
    ]) {
      const response = await ig(`/v1/audit/subjects?identifier=${encodeURIComponent(identifier)}`);
      expect(response.status).toBe(200);
      expect((response.body.subjects as { subjectId: string }[]).map((found) => found.subjectId)).toEqual([
        me.subjectId,
      ]);
    }
    const nobody = await ig(`/v1/audit/subjects?identifier=pnc:${encodeURIComponent('99/0000000F')}`).set(
      'X-Purpose-Of-Use',
      'audit',
    );
    expect(nobody.status).toBe(200);
    expect(nobody.body.subjects).toEqual([]);
    const { content } = (await receipt(nobody.headers['x-disclosure-id'] as string)).record;
    expect(content).toMatchObject({
      action: 'audit.subject-search',
      purpose: 'audit',
      search: { by: ['pnc'] },
      subjects: [],
    });
  });

  it('shows the searches that found the person in their export, cut to them', async () => {
    await ig(`/v1/audit/subjects?familyName=${others[0]!.familyName}&dateOfBirth=1990-04-12`).expect(200);
    const response = await exportOf(me.subjectId);
    const searches = (response.body.disclosures as SubjectAccessRecord[]).filter(
      (record) => record.content.action === 'audit.subject-search',
    );
    expect(searches.length).toBeGreaterThanOrEqual(5);
    for (const search of searches)
      expect(search.content.subjects.map((entry) => entry.subjectId)).toEqual([me.subjectId]);
    const text = JSON.stringify(response.body);
    for (const other of others) for (const trace of tracesOf(other)) expect(text).not.toContain(trace);
  });

  it('finds a person by their registration as corrected, not as first sent', async () => {
    const journey = new SubjectJourney();
    const [first, right] = [`Penhallow${letters(8)}`, `Penhaligon${letters(8)}`];
    const registration = journey.registered('Jo', first);
    registration.data.dateOfBirth = '1985-01-01';
    const [{ subjectId }] = (await publish([
      registration,
      cloudEvent(POLICE, 'iom.record.corrected.v1', `pnc:${journey.pnc}`, {
        targetEventId: registration.id,
        reason: 'Name and date of birth mistyped',
        replacement: { ...registration.data, familyName: right, dateOfBirth: '1985-02-02' },
      }),
    ])) as [{ subjectId: string }];
    const found = await ig(`/v1/audit/subjects?familyName=${right}&dateOfBirth=1985-02-02`).expect(200);
    expect(found.body.subjects).toEqual([expect.objectContaining({ subjectId, familyName: right })]);
    const stale = await ig(`/v1/audit/subjects?familyName=${first}&dateOfBirth=1985-01-01`).expect(200);
    expect(stale.body.subjects).toEqual([]);
  });

  it('refuses a search without criteria, with both kinds, or for another purpose, and anyone but the IG lead', async () => {
    await ig('/v1/audit/subjects').expect(400);
    await ig('/v1/audit/subjects?familyName=Carter').expect(400);
    await ig('/v1/audit/subjects?familyName=Carter&dateOfBirth=1990-13-01').expect(400);
    await ig(`/v1/audit/subjects?identifier=pnc:1&familyName=Carter&dateOfBirth=1990-04-12`).expect(400);
    await ig('/v1/audit/subjects?identifier=passport:1').expect(400);
    const invalid = await ig('/v1/audit/subjects?identifier=pnc:hello-world').expect(400);
    expect(invalid.body.detail).toMatch(/^identifier pnc: is not a PNC id: a PNC id is the year/);
    await ig('/v1/audit/subjects?identifier=pnc:1').set('X-Purpose-Of-Use', 'case-management').expect(400);
    const officer = await t.personToken('police', 'iom-officer');
    await t.http
      .get(`/v1/audit/subjects?identifier=nhs:${me.nhs}`)
      .set('Authorization', `Bearer ${officer}`)
      .expect(403);
  });

  it('publishes the search in OpenAPI with its two ways to search', async () => {
    const spec = await t.http.get('/docs-json').expect(200);
    const search = spec.body.paths['/v1/audit/subjects'].get as { parameters: { name: string }[] };
    expect(search.parameters.map((parameter) => parameter.name)).toEqual(
      expect.arrayContaining(['identifier', 'familyName', 'givenName', 'dateOfBirth', 'X-Purpose-Of-Use']),
    );
  });

  it('keeps the register itself whole for the IG lead', async () => {
    const response = await ig(`/v1/audit/disclosures?subjectId=${me.subjectId}&limit=500`);
    const board = (response.body.disclosures as AuditRecord[]).find(
      (record) => record.content.action === 'tasking.board',
    )!;
    expect(board.content.subjects.length).toBe(people.length);
  });
});

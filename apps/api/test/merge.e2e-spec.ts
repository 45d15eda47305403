import { cloudEvent, type CloudEventBody, POLICE, PRISON, PROBATION, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const BATCH = 'application/cloudevents-batch+json';
const VOLUNTARY = 'urn:throughline:voluntary:mentoring';

interface TimelineItem {
  readonly type: string;
}

describe('one person, two records: merge, unmerge and unlink', () => {
  let t: TestApp;
  const journey = new SubjectJourney();
  const other = new SubjectJourney();
  let police: string;
  let probationRecord: string;
  let otherId: string;

  const publish = async (agency: string, source: string, events: CloudEventBody[]) => {
    const token = await t.systemToken(agency, [source]);
    return t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify(events));
  };
  const read = async (path: string, agency = 'police', role = 'iom-officer', purpose = 'case-management') =>
    t.http
      .get(path)
      .set('Authorization', `Bearer ${await t.personToken(agency, role)}`)
      .set('X-Purpose-Of-Use', purpose);
  const types = async (subjectId: string): Promise<string[]> => {
    const response = await read(`/v1/subjects/${subjectId}/timeline?limit=200`);
    expect(response.status).toBe(200);
    return (response.body.items as TimelineItem[]).map((item) => item.type).sort();
  };
  const merge = (type: 'iom.subject.merged.v1' | 'iom.subject.unmerged.v1', into = `pnc:${journey.pnc}`) =>
    cloudEvent(POLICE, type, into, {
      mergedSubjectId: probationRecord,
      reason: 'Same person: name, date of birth and address match the PNC record.',
    });

  beforeAll(async () => {
    t = await startTestApp();
    const registered = await publish('police', POLICE, [
      journey.registered('Lee', 'Marsh'),
      journey.arrested(),
    ]);
    expect(registered.status).toBe(200);
    police = registered.body.results[0].subjectId;
    // Probation registers the same person again, under its case reference, not knowing the PNC.
    const crn = `crn:${journey.crn}`;
    const second = await publish('probation', PROBATION, [
      cloudEvent(PROBATION, 'iom.subject.registered.v1', crn, {
        givenName: 'Lee',
        familyName: 'Marsh',
        dateOfBirth: '1990-04-12',
        identifiers: [{ scheme: 'crn', value: journey.crn }],
      }),
      cloudEvent(PROBATION, 'iom.appointment.scheduled.v1', crn, {
        appointmentId: 'APT-1',
        with: 'probation',
        purpose: 'Supervision',
        at: '2099-01-05T10:00:00Z',
      }),
    ]);
    expect(second.status).toBe(200);
    probationRecord = second.body.results[0].subjectId;
    const registeredOther = await publish('police', POLICE, [other.registered('Sam', 'Other')]);
    expect(registeredOther.status).toBe(200);
    otherId = registeredOther.body.results[0].subjectId;
  });
  afterAll(() => t.close());

  it('cannot join the two records by a link: the case reference is the other record’s', async () => {
    const response = await publish('probation', PROBATION, [journey.linked('probation')]);
    expect(response.status).toBe(409);
    expect(response.body.errors[0]).toMatchObject({ field: 'data.value', constraint: 'identifierOwner' });
  });

  it('refuses a merge from an agency the catalogue does not let merge records', async () => {
    const response = await publish('voluntary', VOLUNTARY, [
      cloudEvent(VOLUNTARY, 'iom.subject.merged.v1', police, {
        mergedSubjectId: probationRecord,
        reason: 'We think these are the same person.',
      }),
    ]);
    expect(response.status).toBe(403);
  });

  it('lists the two records as a possible duplicate for the partnership admin alone, and records the list', async () => {
    const admin = await read('/v1/identity/possible-duplicates', 'police', 'partnership-admin', 'audit');
    expect(admin.status).toBe(200);
    const pair = (admin.body.duplicates as { reasons: string[]; records: { subjectId: string }[] }[]).find(
      (duplicate) => duplicate.records.some((record) => record.subjectId === probationRecord),
    );
    expect(pair?.reasons).toEqual(['name-and-birth']);
    expect(pair?.records.map((record) => record.subjectId).sort()).toEqual([police, probationRecord].sort());
    expect(admin.headers['x-disclosure-id']).toEqual(expect.any(String));

    const practitioner = await read('/v1/identity/possible-duplicates', 'police', 'iom-officer', 'audit');
    expect(practitioner.status).toBe(403);
    const igLead = `Bearer ${await t.personToken('partnership', 'ig-lead', 'ig-duplicates')}`;
    const refusals = await t.http.get('/v1/audit/refusals?limit=500').set('Authorization', igLead);
    expect(
      (
        refusals.body.disclosures as {
          content: { principal: { role: string }; refusal: { status: number } };
        }[]
      ).some(
        (record) => record.content.principal.role === 'iom-officer' && record.content.refusal.status === 403,
      ),
    ).toBe(true);
    const listed = await t.http
      .get(`/v1/audit/disclosures/${admin.headers['x-disclosure-id']}`)
      .set('Authorization', igLead);
    expect(listed.status).toBe(200);
  });

  it('merges the probation record into the police one: both ids and every identifier give one person', async () => {
    const merged = await publish('police', POLICE, [merge('iom.subject.merged.v1')]);
    expect(merged.status).toBe(200);
    await t.settle();

    for (const id of [police, probationRecord]) {
      const response = await read(`/v1/subjects/${id}`);
      expect(response.status).toBe(200);
      expect(response.body.subjectId).toBe(police);
      expect(response.body.identifiers).toEqual(
        expect.arrayContaining([
          { scheme: 'pnc', value: journey.pnc },
          { scheme: 'crn', value: journey.crn },
        ]),
      );
      expect(response.body.arrests).toBe(1);
    }
    expect(await types(probationRecord)).toEqual(
      [
        'iom.appointment.scheduled.v1',
        'iom.arrest.recorded.v1',
        'iom.subject.merged.v1',
        'iom.subject.registered.v1',
        'iom.subject.registered.v1',
      ].sort(),
    );
    // Probation's caseload lists the person once, by the surviving record, not the merged one.
    const list = await read('/v1/subjects?limit=200', 'probation', 'offender-manager');
    expect(list.status).toBe(200);
    const ids = (list.body.subjects as { subjectId: string }[]).map((subject) => subject.subjectId);
    expect(ids).toContain(police);
    expect(ids).not.toContain(probationRecord);
  });

  it('leaves a pair out of the possible duplicates once merged', async () => {
    const admin = await read('/v1/identity/possible-duplicates', 'police', 'partnership-admin', 'audit');
    expect(admin.status).toBe(200);
    const ids = (admin.body.duplicates as { records: { subjectId: string }[] }[]).flatMap((duplicate) =>
      duplicate.records.map((record) => record.subjectId),
    );
    expect(ids).not.toContain(probationRecord);
  });

  it('folds what is published about the merged record afterwards into the person', async () => {
    const later = await publish('probation', PROBATION, [
      cloudEvent(PROBATION, 'iom.appointment.scheduled.v1', `crn:${journey.crn}`, {
        appointmentId: 'APT-2',
        with: 'probation',
        purpose: 'Review',
        at: '2099-02-05T10:00:00Z',
      }),
    ]);
    expect(later.status).toBe(200);
    await t.settle();
    expect((await types(police)).filter((type) => type === 'iom.appointment.scheduled.v1')).toHaveLength(2);
  });

  it('refuses a second merge of the merged record, and a merge of the survivor into another record', async () => {
    const again = await publish('police', POLICE, [merge('iom.subject.merged.v1', `pnc:${other.pnc}`)]);
    expect(again.status).toBe(409);
    expect(again.body.errors[0]).toMatchObject({ field: 'data.mergedSubjectId', constraint: 'standsAlone' });
    const backwards = await publish('police', POLICE, [
      cloudEvent(POLICE, 'iom.subject.merged.v1', `pnc:${other.pnc}`, {
        mergedSubjectId: police,
        reason: 'Same person: name, date of birth and address match.',
      }),
    ]);
    expect(backwards.status).toBe(409);
    const itself = await publish('police', POLICE, [
      cloudEvent(POLICE, 'iom.subject.merged.v1', `pnc:${journey.pnc}`, {
        mergedSubjectId: police,
        reason: 'Same person: name, date of birth and address match.',
      }),
    ]);
    expect(itself.status).toBe(422);
  });

  it('gives the subject access export of either id both records, and the register finds disclosures of either', async () => {
    const igLead = `Bearer ${await t.personToken('partnership', 'ig-lead', 'ig-merge')}`;
    const exported = await t.http
      .get(`/v1/subjects/${probationRecord}/access-export`)
      .set('Authorization', igLead)
      .set('X-Purpose-Of-Use', 'subject-access');
    expect(exported.status).toBe(200);
    expect(exported.body.subjectId).toBe(police);
    expect(exported.body.records).toEqual([police, probationRecord]);
    const held = exported.body.held as { type: string; position: number }[];
    expect(held.filter((event) => event.type === 'iom.subject.registered.v1')).toHaveLength(2);
    expect(held.map((event) => event.position)).toEqual(
      [...held.map((event) => event.position)].sort((a, b) => a - b),
    );

    const register = await t.http
      .get(`/v1/audit/disclosures?subjectId=${probationRecord}&limit=500`)
      .set('Authorization', igLead);
    expect(register.status).toBe(200);
    const named = (register.body.disclosures as { content: { subjects: { subjectId: string }[] } }[]).flatMap(
      (record) => record.content.subjects.map((subject) => subject.subjectId),
    );
    expect(named).toContain(police);
  });

  it('parts the records again on an unmerge: each stands alone with the events it always held', async () => {
    const wrong = await publish('police', POLICE, [merge('iom.subject.unmerged.v1', `pnc:${other.pnc}`)]);
    expect(wrong.status).toBe(409);
    expect(wrong.body.errors[0]).toMatchObject({ constraint: 'mergedRecord' });

    const parted = await publish('police', POLICE, [merge('iom.subject.unmerged.v1')]);
    expect(parted.status).toBe(200);
    await t.settle();

    const probationView = await read(`/v1/subjects/${probationRecord}`);
    expect(probationView.status).toBe(200);
    expect(probationView.body.subjectId).toBe(probationRecord);
    expect(await types(police)).toEqual(
      [
        'iom.arrest.recorded.v1',
        'iom.subject.merged.v1',
        'iom.subject.registered.v1',
        'iom.subject.unmerged.v1',
      ].sort(),
    );
    // Parted, the record may be merged again (into the right person, or the same one).
    const remerged = await publish('police', POLICE, [merge('iom.subject.merged.v1')]);
    expect(remerged.status).toBe(200);
  });

  it('takes a wrongly linked identifier back for its issuer alone, so it can be linked to the right person', async () => {
    const linkedWrong = await publish('prison', PRISON, [
      cloudEvent(PRISON, 'iom.subject.identifier-linked.v1', `pnc:${other.pnc}`, {
        scheme: 'nomis',
        value: journey.nomis,
      }),
    ]);
    expect(linkedWrong.status).toBe(200);
    const unlink = (source: string, subject: string) =>
      cloudEvent(source, 'iom.subject.identifier-unlinked.v1', subject, {
        scheme: 'nomis',
        value: journey.nomis,
        reason: 'Linked to the wrong person: the number is a cellmate’s.',
      });

    const byPolice = await publish('police', POLICE, [unlink(POLICE, `pnc:${other.pnc}`)]);
    expect(byPolice.status).toBe(403);
    expect(byPolice.body.errors[0]).toMatchObject({ field: 'data.value', constraint: 'identifierIssuer' });
    const notTheirs = await publish('prison', PRISON, [unlink(PRISON, `pnc:${journey.pnc}`)]);
    expect(notTheirs.status).toBe(409);
    expect(notTheirs.body.errors[0]).toMatchObject({ field: 'data.value', constraint: 'linkedIdentifier' });

    const unlinked = await publish('prison', PRISON, [unlink(PRISON, `pnc:${other.pnc}`)]);
    expect(unlinked.status).toBe(200);
    const relinked = await publish('prison', PRISON, [
      journey.linked('prison'),
      journey.receivedIntoCustody(),
    ]);
    expect(relinked.status).toBe(200);
    expect(relinked.body.results[1].subjectId).toBe(police);
    await t.settle();

    const otherView = await read(`/v1/subjects/${otherId}`);
    expect(otherView.status).toBe(200);
    expect(otherView.body.identifiers).not.toContainEqual({ scheme: 'nomis', value: journey.nomis });
    const person = await read(`/v1/subjects/${police}`);
    expect(person.body.identifiers).toContainEqual({ scheme: 'nomis', value: journey.nomis });
  });
});

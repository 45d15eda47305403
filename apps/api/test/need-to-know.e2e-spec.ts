import { ProjectionRunner } from '@throughline/projections';
import { SubjectReader } from '@throughline/subjects';
import { cloudEvent, POLICE, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const HEALTH = 'urn:throughline:health:treatment';
const PROBATION = 'urn:throughline:probation:case-management';
const BATCH = 'application/cloudevents-batch+json';

/**
 * A journey published by several agencies, read by each, with consent given and withdrawn and a
 * safeguarding concern raised and closed in between: the need-to-know rules end to end.
 */
describe('need-to-know across agencies', () => {
  let t: TestApp;
  let subjectId: string;
  const journey = new SubjectJourney();
  const nhs = `nhs:${journey.nhs}`;
  let tokens: Record<'police' | 'health' | 'probation', string>;

  const publish = async (agency: keyof typeof tokens, events: unknown[]) => {
    const response = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${tokens[agency]}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify(events));
    expect(response.status).toBe(200);
    return response.body.results as { subjectId: string }[];
  };

  const view = async (agency: string, role: string, purpose = 'case-management') => {
    const token = await t.personToken(agency, role, `${agency}-reader`);
    const response = await t.http
      .get(`/v1/subjects/${subjectId}`)
      .set('Authorization', `Bearer ${token}`)
      .set('X-Purpose-Of-Use', purpose);
    return response;
  };
  const timelineTypes = async (
    agency: string,
    role: string,
    purpose = 'case-management',
  ): Promise<string[]> => {
    const token = await t.personToken(agency, role, `${agency}-reader`);
    const response = await t.http
      .get(`/v1/subjects/${subjectId}/timeline?limit=200`)
      .set('Authorization', `Bearer ${token}`)
      .set('X-Purpose-Of-Use', purpose);
    return (response.body.items ?? []).map((item: { type: string }) => item.type);
  };

  beforeAll(async () => {
    t = await startTestApp();
    tokens = {
      police: await t.systemToken('police', [POLICE]),
      health: await t.systemToken('health', [HEALTH]),
      probation: await t.systemToken('probation', [PROBATION]),
    };
    const registration = journey.registered('Robin', 'Ashdown');
    subjectId = (await publish('police', [registration, journey.arrested()]))[0]!.subjectId;
    await publish('probation', [journey.linked('probation')]);
    await publish('health', [
      journey.linked('health'),
      cloudEvent(HEALTH, 'iom.treatment.started.v1', nhs, { modality: 'prescribing' }),
      cloudEvent(HEALTH, 'iom.health.concern-recorded.v1', nhs, {
        kind: 'overdose',
        summary: 'Non-fatal overdose, naloxone given',
      }),
    ]);
    await t.settle();
  });
  afterAll(() => t.close());

  it('health sees its own treatment; police do not see drugs or health data without consent', async () => {
    expect((await view('health', 'drug-worker')).body.treatment).toMatchObject({
      status: 'in-treatment',
      modality: 'prescribing',
    });
    const police = await view('police', 'iom-officer');
    expect(police.status).toBe(200);
    expect(police.body.treatment).toBeNull();
    expect(JSON.stringify(police.body)).not.toMatch(/prescribing|overdose|naloxone/);
    expect(await timelineTypes('police', 'iom-officer')).not.toContain('iom.treatment.started.v1');
  });

  it('health never sees the arrest; the mentor never sees the arrest', async () => {
    const health = (await view('health', 'drug-worker')).body;
    // Withheld, not none: offending is closed to health whether or not there are arrests.
    expect(health.arrests).toBeNull();
    expect(health.withheld.arrests).toBe('not-shared');
    expect(await timelineTypes('health', 'drug-worker')).not.toContain('iom.arrest.recorded.v1');
    expect(await timelineTypes('voluntary', 'mentor')).not.toContain('iom.arrest.recorded.v1');
  });

  it("a consent recorded by an agency other than the controller opens none of health's data", async () => {
    for (const [agency, source, ref] of [
      ['police', POLICE, `pnc:${journey.pnc}`],
      ['probation', PROBATION, `crn:${journey.crn}`],
    ] as const) {
      await publish(agency, [
        cloudEvent(source, 'iom.consent.given.v1', ref, {
          scope: { categories: ['drugs'], recipients: ['police'], purposes: ['case-management'] },
          recordedBy: `${agency}-17`,
          formReference: `CF-2025-${agency}`,
        }),
      ]);
    }
    expect((await view('police', 'iom-officer')).body.treatment).toBeNull();
    await t.settle();
    expect((await view('police', 'iom-officer')).body.treatment).toBeNull();
    expect(await timelineTypes('police', 'iom-officer')).not.toContain('iom.treatment.started.v1');
  });

  it('consent to police for drugs, case management only, opens treatment on the next read, for that purpose only', async () => {
    await publish('health', [
      cloudEvent(HEALTH, 'iom.consent.given.v1', nhs, {
        scope: { categories: ['drugs'], recipients: ['police'], purposes: ['case-management'] },
        recordedBy: 'dw-17',
        formReference: 'CF-2025-001',
      }),
    ]);
    await t.settle();
    expect((await view('police', 'iom-officer')).body.treatment).toMatchObject({ status: 'in-treatment' });
    expect((await view('police', 'iom-officer', 'enforcement')).body.treatment).toBeNull();
    // Consent to drugs is not consent to health.
    expect(JSON.stringify((await view('police', 'iom-officer')).body)).not.toMatch(/overdose/);
  });

  it('withdrawal takes effect on the very next read, before the projection applies it', async () => {
    await t.app.get(ProjectionRunner).stop();
    await publish('probation', [
      cloudEvent(PROBATION, 'iom.consent.withdrawn.v1', `crn:${journey.crn}`, {
        scope: { categories: ['drugs'], recipients: ['police'], purposes: ['case-management'] },
        recordedBy: 'om-17',
      }),
    ]);
    expect((await view('police', 'iom-officer')).body.treatment).toBeNull();
    await t.app.get(ProjectionRunner).start();
    await t.settle();
    expect((await view('police', 'iom-officer')).body.treatment).toBeNull();
    expect(await timelineTypes('police', 'iom-officer')).not.toContain('iom.treatment.started.v1');
  });

  it('a safeguarding concern opens health data to the police for safeguarding, until it is closed', async () => {
    await publish('health', [
      cloudEvent(HEALTH, 'iom.safeguarding.concern-raised.v1', nhs, {
        concernId: 'sg-1',
        kind: 'adult-at-risk',
        legalBasis: 'DPA 2018 Sch 8 para 4',
        categories: ['health'],
        recipients: ['police'],
        expires: '2099-01-01T00:00:00Z',
      }),
    ]);
    expect(await timelineTypes('police', 'iom-officer', 'safeguarding')).toContain(
      'iom.health.concern-recorded.v1',
    );
    expect(await timelineTypes('police', 'iom-officer', 'case-management')).not.toContain(
      'iom.health.concern-recorded.v1',
    );
    await publish('health', [
      cloudEvent(HEALTH, 'iom.safeguarding.concern-closed.v1', nhs, {
        concernId: 'sg-1',
        reason: 'Risk managed',
      }),
    ]);
    expect(await timelineTypes('police', 'iom-officer', 'safeguarding')).not.toContain(
      'iom.health.concern-recorded.v1',
    );
  });

  it('an expired concern opens nothing', async () => {
    await publish('health', [
      cloudEvent(HEALTH, 'iom.safeguarding.concern-raised.v1', nhs, {
        concernId: 'sg-2',
        kind: 'adult-at-risk',
        legalBasis: 'DPA 2018 Sch 8 para 4',
        categories: ['health'],
        recipients: ['police'],
        expires: '2020-01-01T00:00:00Z',
      }),
    ]);
    await t.settle();
    expect(await timelineTypes('police', 'iom-officer', 'safeguarding')).not.toContain(
      'iom.health.concern-recorded.v1',
    );
  });

  it('a consent that runs out between two reads narrows the second, however recently the first was cut', async () => {
    const expires = new Date(Date.now() + 3_600_000);
    await publish('health', [
      cloudEvent(HEALTH, 'iom.consent.given.v1', nhs, {
        scope: { categories: ['drugs'], recipients: ['police'], purposes: ['case-management'] },
        expires: expires.toISOString(),
        recordedBy: 'dw-17',
        formReference: 'CF-2025-002',
      }),
    ]);
    await t.settle();
    const reader = t.app.get(SubjectReader);
    const officer = {
      kind: 'person',
      id: 'officer-1',
      agency: 'police',
      role: 'iom-officer',
      sources: [],
    } as const;
    const treatmentAt = async (at: number) =>
      (await reader.read(officer, subjectId, 'case-management', new Date(at)))?.record.treatment ?? null;
    expect(await treatmentAt(Date.now())).toMatchObject({ status: 'in-treatment' });
    expect(await treatmentAt(Date.now())).toMatchObject({ status: 'in-treatment' });
    expect(await treatmentAt(expires.getTime() + 1)).toBeNull();
    // Another officer of the same agency and purpose is cut alike, from the same document.
    const colleague = { ...officer, id: 'officer-2' };
    expect(
      (await reader.read(colleague, subjectId, 'case-management', new Date(expires.getTime() + 1)))?.record
        .treatment ?? null,
    ).toBeNull();
  });
});

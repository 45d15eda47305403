import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import type { AuditRecord } from '@throughline/audit';
import { cloudEvent, POLICE, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const HEALTH = 'urn:throughline:health:treatment';
const BATCH = 'application/cloudevents-batch+json';
const JUSTIFICATION = 'Reported missing after an overdose; need treatment contacts now';

/**
 * The auditor's findings on break-glass, each reproduced: the claim or review is now refused with
 * problem details naming the rule (and the clause), and the refusal is in GET /v1/audit/refusals.
 */
describe('break-glass that is justified and reviewed', () => {
  let t: TestApp;
  let subjectId: string;
  let partnershipIg: string;
  const run = randomUUID().slice(0, 8);
  const journey = new SubjectJourney();
  const nhs = journey.nhs;

  const bearer = async (agency: string, role: string, user: string) =>
    `Bearer ${await t.personToken(agency, role, user)}`;
  const claim = (auth: string, body: object) =>
    t.http.post(`/v1/subjects/${subjectId}/break-glass`).set('Authorization', auth).send(body);
  const review = (auth: string, claimEventId: string, body: object) =>
    t.http.post(`/v1/audit/break-glass/${claimEventId}/review`).set('Authorization', auth).send(body);
  /** The refusal recorded for a refused response: found in the refusals register by its id. */
  const recordedRefusal = async (response: Response, user: string): Promise<AuditRecord> => {
    const id = response.body.disclosureId as string;
    expect(typeof id).toBe('string');
    const listed = await t.http
      .get(`/v1/audit/refusals?user=${encodeURIComponent(user)}&limit=500`)
      .set('Authorization', partnershipIg)
      .expect(200);
    const record = (listed.body.disclosures as AuditRecord[]).find((r) => r.content.id === id);
    expect(record).toBeDefined();
    return record!;
  };
  const claimedBy = async (user: string, categories = ['drugs']): Promise<string> => {
    const response = await claim(await bearer('police', 'iom-officer', user), {
      justification: JUSTIFICATION,
      categories,
      minutes: 30,
    }).expect(201);
    await t.settle();
    return response.body.eventId as string;
  };

  beforeAll(async () => {
    t = await startTestApp();
    partnershipIg = await bearer('partnership', 'ig-lead', `ig-${run}`);
    const registration = journey.registered('Casey', 'Holt');
    const police = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${await t.systemToken('police', [POLICE])}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify([registration, journey.scored(44, 'red')]))
      .expect(200);
    subjectId = police.body.results[0].subjectId;
    await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${await t.systemToken('health', [HEALTH])}`)
      .set('Content-Type', BATCH)
      .send(
        JSON.stringify([
          journey.linked('health'),
          cloudEvent(HEALTH, 'iom.treatment.started.v1', `nhs:${nhs}`, { modality: 'detox' }),
        ]),
      )
      .expect(200);
    await t.settle();
  });
  afterAll(() => t.close());

  it('refuses a justification of 25 spaces, naming the rule, and records the refusal', async () => {
    const user = `pc-blank-${run}`;
    const refused = await claim(await bearer('police', 'iom-officer', user), {
      justification: ' '.repeat(25),
      categories: ['drugs'],
      minutes: 10,
    });
    expect(refused.status).toBe(422);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body).toMatchObject({
      type: 'https://throughline.dev/problems/break-glass-justification',
      rule: 'break-glass-justification',
      errors: [expect.objectContaining({ field: 'justification' })],
    });
    const record = await recordedRefusal(refused, user);
    expect(record.content).toMatchObject({
      action: 'subject.break-glass',
      outcome: 'refused',
      agreementVersion: '2025.1',
      refusal: { status: 422, rule: 'break-glass-justification', subjectId },
    });
    // Nineteen letters padded past twenty are refused the same way; nothing was claimed.
    await claim(await bearer('police', 'iom-officer', user), {
      justification: `${'a'.repeat(19)}${' '.repeat(10)}`,
      categories: ['drugs'],
      minutes: 10,
    }).expect(422);
    const view = await t.http
      .get(`/v1/subjects/${subjectId}`)
      .set('Authorization', await bearer('police', 'iom-officer', user))
      .set('X-Purpose-Of-Use', 'safeguarding')
      .expect(200);
    expect(view.body.treatment).toBeNull();
  });

  it('refuses a claim on a category the agreement marks never for the agency, naming the clause', async () => {
    const user = `ho-never-${run}`;
    const refused = await claim(await bearer('housing', 'housing-officer', user), {
      justification: 'Threats made at the hostel; need to know the offending history',
      categories: ['offending'],
      minutes: 10,
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      rule: 'break-glass-never',
      clause: 'health-no-offending',
      errors: [expect.objectContaining({ field: 'categories' })],
    });
    const record = await recordedRefusal(refused, user);
    expect(record.content.refusal).toMatchObject({
      status: 422,
      rule: 'break-glass-never',
      clause: 'health-no-offending',
      subjectId,
    });
  });

  it('refuses the claimant reviewing their own claim, even with an ig-lead token of the same user id', async () => {
    const user = `pc-self-${run}`;
    const claimEventId = await claimedBy(user);
    const ownToken = await bearer('police', 'ig-lead', user);
    const refused = await review(ownToken, claimEventId, { outcome: 'approved' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ rule: 'break-glass-no-self-review' });
    const record = await recordedRefusal(refused, user);
    expect(record.content).toMatchObject({
      action: 'audit.break-glass-review',
      principal: { user, role: 'ig-lead' },
      refusal: { status: 403, rule: 'break-glass-no-self-review', subjectId },
    });
    const queue = await t.http.get('/v1/audit/break-glass').set('Authorization', partnershipIg).expect(200);
    expect(queue.body.claims).toContainEqual(
      expect.objectContaining({ eventId: claimEventId, status: 'awaiting-review' }),
    );
  });

  it("refuses another agency's ig-lead, and lets the claimant agency's ig-lead approve", async () => {
    const claimEventId = await claimedBy(`pc-other-${run}`);
    const probationIg = `ig-probation-${run}`;
    const refused = await review(await bearer('probation', 'ig-lead', probationIg), claimEventId, {
      outcome: 'approved',
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ rule: 'break-glass-reviewer' });
    expect((await recordedRefusal(refused, probationIg)).content.refusal).toMatchObject({
      status: 403,
      rule: 'break-glass-reviewer',
    });
    const approved = await review(await bearer('police', 'ig-lead', `ig-police-${run}`), claimEventId, {
      outcome: 'approved',
    });
    expect(approved.status).toBe(201);
    expect(approved.body).toMatchObject({ claimEventId, outcome: 'approved' });
  });

  it('refuses a flag without a note or with a blank one, and takes a flag with a note', async () => {
    const claimEventId = await claimedBy(`pc-flag-${run}`);
    for (const body of [{ outcome: 'flagged' }, { outcome: 'flagged', note: '   ' }]) {
      const refused = await review(partnershipIg, claimEventId, body);
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({
        rule: 'break-glass-flag-note',
        errors: [expect.objectContaining({ field: 'note' })],
      });
      expect((await recordedRefusal(refused, `ig-${run}`)).content.refusal).toMatchObject({
        status: 422,
        rule: 'break-glass-flag-note',
        subjectId,
      });
    }
    const note = 'No missing-person report found for that date; referred to the DPO';
    await review(partnershipIg, claimEventId, { outcome: 'flagged', note }).expect(201);
    await t.settle();
    const flagged = await t.http
      .get('/v1/audit/break-glass?status=flagged')
      .set('Authorization', partnershipIg)
      .expect(200);
    expect(flagged.body.claims).toContainEqual(
      expect.objectContaining({ eventId: claimEventId, review: expect.objectContaining({ note }) }),
    );
  });

  it('refuses a practitioner reviewing before saying whether the claim exists', async () => {
    const user = `pc-nosy-${run}`;
    const refused = await review(await bearer('police', 'iom-officer', user), randomUUID(), {
      outcome: 'approved',
    });
    expect(refused.status).toBe(403);
    expect((await recordedRefusal(refused, user)).content.refusal).toMatchObject({
      rule: 'break-glass-reviewer',
      subjectId: null,
    });
  });
});

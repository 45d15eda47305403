import { randomBytes, randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import {
  type AuditRecord,
  chainHash,
  contentHashOf,
  CSV_HEADER,
  type DisclosureReceipt,
  verifyCheckpoint,
} from '@throughline/audit';
import { ProjectionRunner } from '@throughline/projections';
import { cloudEvent, POLICE, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const HEALTH = 'urn:throughline:health:treatment';
const BATCH = 'application/cloudevents-batch+json';

/** Letters only, so the strings pass the catalogue's validation and cannot occur by chance. */
const letters = (length: number): string =>
  Array.from(randomBytes(length), (byte) => String.fromCharCode(97 + (byte % 26))).join('');

/**
 * The audit log through the API: every read is recorded before it is answered, the IG lead's tools
 * read the log, and nothing in the log names a person or repeats what an agency wrote.
 */
describe('the audit log and the IG lead tools', () => {
  let t: TestApp;
  const journey = new SubjectJourney();
  const nhs = journey.nhs;
  const GIVEN = `Quillon${letters(8)}`;
  const FAMILY = `Marrowby${letters(8)}`;
  const SUMMARY = `Found unresponsive near the ${letters(10)} underpass, revived by paramedics`;
  const OFFENCE = `Theft of ${letters(10)} from a vehicle`;
  const JUSTIFICATION = `Missing person report: subject threatened self-harm at the ${letters(10)} hostel`;
  const run = letters(6);
  let subjectId: string;
  let igLead: string;

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
  const bearer = async (agency: string, role: string, user?: string) =>
    `Bearer ${await t.personToken(agency, role, user)}`;
  const read = (path: string, auth: string, purpose: string, requestId?: string) => {
    const call = t.http.get(path).set('Authorization', auth).set('X-Purpose-Of-Use', purpose);
    return requestId ? call.set('X-Request-Id', requestId) : call;
  };
  const ig = (path: string) => t.http.get(path).set('Authorization', igLead);
  const disclosureId = (response: Response): string => {
    const id = response.headers['x-disclosure-id'];
    expect(typeof id).toBe('string');
    return id as string;
  };
  const receipt = async (id: string): Promise<DisclosureReceipt> => {
    const response = await ig(`/v1/audit/disclosures/${id}`);
    expect(response.status).toBe(200);
    return response.body as DisclosureReceipt;
  };
  /** Every page of the register for a query, newest first. */
  const register = async (query: string): Promise<AuditRecord[]> => {
    const records: AuditRecord[] = [];
    for (let before: number | null = null; ;) {
      const response = await ig(
        `/v1/audit/disclosures?limit=500&${query}${before ? `&before=${before}` : ''}`,
      );
      expect(response.status).toBe(200);
      records.push(...(response.body.disclosures as AuditRecord[]));
      before = response.body.nextBefore as number | null;
      if (before === null) return records;
    }
  };

  beforeAll(async () => {
    t = await startTestApp();
    igLead = await bearer('partnership', 'ig-lead', `ig-${run}`);
    const registration = journey.registered(GIVEN, FAMILY);
    [{ subjectId }] = (await publish('police', POLICE, [
      registration,
      journey.arrested(OFFENCE),
      journey.scored(41, 'red'),
      // On the cohort, so the tasking board shows the subject.
      cloudEvent(POLICE, 'iom.cohort.adopted.v1', `pnc:${journey.pnc}`, {
        cohortClass: 'PPO',
        category: 1,
        statutory: true,
        reviewDue: '2099-06-01',
      }),
      // Probation referred them, so the person is on probation's caseload.
      cloudEvent(POLICE, 'iom.referral.received.v1', `pnc:${journey.pnc}`, {
        referredBy: 'probation',
        reason: 'Prolific acquisitive offending',
      }),
    ])) as [{ subjectId: string }];
    await publish('health', HEALTH, [
      journey.linked('health'),
      cloudEvent(HEALTH, 'iom.treatment.started.v1', `nhs:${nhs}`, { modality: 'prescribing' }),
      cloudEvent(HEALTH, 'iom.health.concern-recorded.v1', `nhs:${nhs}`, {
        kind: 'overdose',
        summary: SUMMARY,
      }),
    ]);
    await t.settle();
  });
  afterAll(() => t.close());

  describe('every read is recorded', () => {
    const cjCore = {
      rule: 'agreement',
      basis: 'always',
      clause: 'cj-core',
      legalBasis: 'DPA 2018 Part 3 s.31 (law enforcement); Offender Management Act 2007 s.14',
      reliedOn: null,
    };
    const identityAll = {
      rule: 'agreement',
      basis: 'always',
      clause: 'identity-all',
      legalBasis: 'DPA 2018 Part 3 s.31 (law enforcement) / UK GDPR Art 6(1)(e) public task',
      reliedOn: null,
      categories: ['identity'],
    };

    it('records a view: who, which subject, why, under which agreement, clause and legal basis, what and which request', async () => {
      const user = `om-view-${run}`;
      const response = await read(
        `/v1/subjects/${subjectId}`,
        await bearer('probation', 'offender-manager', user),
        'case-management',
        `req-view-${run}`,
      );
      expect(response.status).toBe(200);
      // The record is durable before the answer: the receipt is there as soon as the read returns.
      const { record } = await receipt(disclosureId(response));

      expect(record.content).toMatchObject({
        id: disclosureId(response),
        requestId: `req-view-${run}`,
        principal: { kind: 'person', user, agency: 'probation', role: 'offender-manager' },
        action: 'subject.view',
        outcome: 'disclosed',
        purpose: 'case-management',
        agreementVersion: '2025.1',
        refusal: null,
      });
      expect(record.content.subjects).toHaveLength(1);
      const [subject] = record.content.subjects;
      expect(subject!.subjectId).toBe(subjectId);
      expect(subject!.grounds).toEqual(
        expect.arrayContaining([
          identityAll,
          { ...cjCore, categories: expect.arrayContaining(['offending', 'cohort']) },
        ]),
      );
      expect(subject!.fields.identity).toEqual(
        expect.arrayContaining(['givenName', 'familyName', 'dateOfBirth']),
      );
      expect(subject!.fields.offending).toEqual(expect.arrayContaining(['offence']));
      // Probation may not see health data without consent, and the record says only what was disclosed.
      expect(subject!.fields.health).toBeUndefined();
      expect(subject!.positions.length).toBeGreaterThan(0);
    });

    it('records a timeline read with the events it disclosed', async () => {
      const user = `om-timeline-${run}`;
      const response = await read(
        `/v1/subjects/${subjectId}/timeline?limit=200`,
        await bearer('probation', 'offender-manager', user),
        'case-management',
        `req-timeline-${run}`,
      );
      expect(response.status).toBe(200);
      const { content } = (await receipt(disclosureId(response))).record;
      expect(content).toMatchObject({
        requestId: `req-timeline-${run}`,
        principal: { user, agency: 'probation', role: 'offender-manager' },
        action: 'subject.timeline',
        purpose: 'case-management',
        agreementVersion: '2025.1',
      });
      expect(content.subjects[0]!.grounds).toEqual(expect.arrayContaining([identityAll]));
      // The log position of each item served, as the item shows it.
      const items = response.body.items as { position: number }[];
      expect([...content.subjects[0]!.positions].sort((a, b) => a - b)).toEqual(
        items.map((item) => item.position).sort((a, b) => a - b),
      );
    });

    it('records a list read, naming each subject listed', async () => {
      const user = `om-list-${run}`;
      const response = await read(
        '/v1/subjects',
        await bearer('probation', 'offender-manager', user),
        'case-management',
        `req-list-${run}`,
      );
      expect(response.status).toBe(200);
      const { content } = (await receipt(disclosureId(response))).record;
      expect(content).toMatchObject({
        requestId: `req-list-${run}`,
        principal: { user, agency: 'probation', role: 'offender-manager' },
        action: 'subject.list',
        purpose: 'case-management',
        agreementVersion: '2025.1',
      });
      const listed = (response.body.subjects as { subjectId: string }[]).map((subject) => subject.subjectId);
      expect(listed).toContain(subjectId);
      expect(content.subjects.map((subject) => subject.subjectId).sort()).toEqual([...listed].sort());
      const ours = content.subjects.find((subject) => subject.subjectId === subjectId)!;
      expect(ours.grounds).toEqual(expect.arrayContaining([identityAll]));
      expect(ours.fields.identity).toEqual(expect.arrayContaining(['givenName', 'familyName']));
    });

    it('records a tasking board read, naming each subject on the board and the agreement it served', async () => {
      const user = `chair-${run}`;
      const response = await read(
        '/v1/tasking/board',
        await bearer('police', 'tasking-chair', user),
        'tasking',
        `req-board-${run}`,
      );
      expect(response.status).toBe(200);
      const { content } = (await receipt(disclosureId(response))).record;
      expect(content).toMatchObject({
        requestId: `req-board-${run}`,
        principal: { user, agency: 'police', role: 'tasking-chair' },
        action: 'tasking.board',
        outcome: 'disclosed',
        purpose: 'tasking',
      });
      expect(content.subjects.map((subject) => subject.subjectId)).toContain(subjectId);
      const ours = content.subjects.find((subject) => subject.subjectId === subjectId)!;
      expect(ours.grounds[0]).toMatchObject({ clause: expect.any(String), legalBasis: expect.any(String) });
      expect(ours.fields.cohort).toEqual(expect.arrayContaining(['band']));
      // The board is served under the agreement's taskingMeeting section, so the record names the version.
      expect(content.agreementVersion).toBe('2025.1');
    });

    it('gives a receipt that verifies against the published key with public data only', async () => {
      const response = await read(
        `/v1/subjects/${subjectId}`,
        await bearer('police', 'iom-officer'),
        'case-management',
      );
      const { record, proof, checkpoint, publicKey } = await receipt(disclosureId(response));
      const published = await ig('/v1/audit/public-key').expect(200);
      expect(publicKey).toBe(published.body.publicKey);
      expect(contentHashOf(record.content)).toBe(record.contentHash);
      let hash = chainHash(record.prevHash, record.seq, record.contentHash);
      for (const link of proof) hash = chainHash(hash, link.seq, link.contentHash);
      expect(hash).toBe(checkpoint.hash);
      expect(verifyCheckpoint(checkpoint, published.body.publicKey as string)).toBe(true);
      await ig(`/v1/audit/disclosures/${randomUUID()}`).expect(404);
    });
  });

  describe('refused attempts', () => {
    it('records a read of an unknown subject and one by an agency outside the partnership, and lists both as refusals', async () => {
      const unknownId = randomUUID();
      const unknown = await read(
        `/v1/subjects/${unknownId}`,
        await bearer('police', 'iom-officer', `pc-refused-${run}`),
        'case-management',
        `req-unknown-${run}`,
      );
      const outsider = await read(
        `/v1/subjects/${subjectId}/timeline`,
        await bearer('childrens-services', 'social-worker', `sw-refused-${run}`),
        'safeguarding',
      );
      // A token that verified but names no agency of the partnership is refused as unauthenticated,
      // and is still a principal whose refusal is recorded.
      expect([unknown.status, outsider.status]).toEqual([404, 401]);
      expect(outsider.body).toMatchObject({ rule: 'unknown-agency' });

      const unknownRecord = (await receipt(disclosureId(unknown))).record.content;
      expect(unknownRecord).toMatchObject({
        requestId: `req-unknown-${run}`,
        principal: { user: `pc-refused-${run}`, agency: 'police', role: 'iom-officer' },
        action: 'subject.view',
        outcome: 'refused',
        purpose: 'case-management',
        subjects: [],
        refusal: { status: 404, subjectId: unknownId },
      });
      const outsiderRecord = (await receipt(disclosureId(outsider))).record.content;
      expect(outsiderRecord).toMatchObject({
        principal: { agency: 'childrens-services' },
        action: 'subject.timeline',
        outcome: 'refused',
        purpose: 'safeguarding',
        subjects: [],
        refusal: {
          status: 401,
          subjectId,
          rule: 'unknown-agency',
          route: 'GET /v1/subjects/:subjectId/timeline',
        },
      });

      const refusals = await ig('/v1/audit/refusals?limit=500').expect(200);
      const listed = refusals.body.disclosures as AuditRecord[];
      expect(listed.every((record) => record.content.outcome === 'refused')).toBe(true);
      expect(listed.map((record) => record.content.id)).toEqual(
        expect.arrayContaining([unknownRecord.id, outsiderRecord.id]),
      );
      // A refused attempt on a subject is part of that subject's register.
      expect((await register(`subjectId=${subjectId}&outcome=refused`)).map((r) => r.content.id)).toEqual([
        outsiderRecord.id,
      ]);
    });

    it('records a refused tasking board read', async () => {
      const response = await read(
        '/v1/tasking/board',
        await bearer('police', 'iom-officer', `pc-board-${run}`),
        'tasking',
      );
      expect(response.status).toBe(403);
      const { content } = (await receipt(disclosureId(response))).record;
      expect(content).toMatchObject({
        action: 'tasking.board',
        outcome: 'refused',
        refusal: { status: 403 },
      });
    });
  });

  describe('the register', () => {
    let first: AuditRecord;
    let second: AuditRecord;
    const omUser = `om-filter-${run}`;
    const pcUser = `pc-filter-${run}`;
    let otherSubject: string;

    beforeAll(async () => {
      const other = new SubjectJourney();
      [{ subjectId: otherSubject }] = (await publish('police', POLICE, [other.registered()])) as [
        { subjectId: string },
      ];
      await t.settle();
      const a = await read(
        `/v1/subjects/${subjectId}`,
        await bearer('probation', 'offender-manager', omUser),
        'case-management',
      );
      const b = await read(
        `/v1/subjects/${otherSubject}`,
        await bearer('police', 'iom-officer', pcUser),
        'enforcement',
      );
      expect([a.status, b.status]).toEqual([200, 200]);
      first = (await receipt(disclosureId(a))).record;
      second = (await receipt(disclosureId(b))).record;
    });

    const ids = (records: readonly AuditRecord[]) => records.map((record) => record.content.id);

    it('filters by subject', async () => {
      const found = await register(`subjectId=${otherSubject}`);
      expect(ids(found)).toContain(second.content.id);
      expect(ids(found)).not.toContain(first.content.id);
      for (const record of found) {
        const named = [...record.content.subjects.map((s) => s.subjectId), record.content.refusal?.subjectId];
        expect(named).toContain(otherSubject);
      }
    });

    it('filters by agency and by user', async () => {
      const probation = await register('agency=probation');
      expect(ids(probation)).toContain(first.content.id);
      expect(ids(probation)).not.toContain(second.content.id);
      expect(probation.every((record) => record.content.principal.agency === 'probation')).toBe(true);
      expect(ids(await register(`user=${omUser}`))).toEqual([first.content.id]);
      expect(ids(await register(`user=${pcUser}`))).toEqual([second.content.id]);
    });

    it('filters by purpose, and by several filters at once', async () => {
      const enforcement = await register('purpose=enforcement');
      expect(ids(enforcement)).toContain(second.content.id);
      expect(enforcement.every((record) => record.content.purpose === 'enforcement')).toBe(true);
      expect(ids(await register(`user=${pcUser}&purpose=case-management`))).toEqual([]);
      expect(ids(await register(`user=${pcUser}&purpose=enforcement&agency=police`))).toEqual([
        second.content.id,
      ]);
    });

    it('filters by period, both ends inclusive', async () => {
      const from = await register(`from=${encodeURIComponent(second.content.at)}`);
      expect(ids(from)).toContain(second.content.id);
      expect(from.every((record) => record.content.at >= second.content.at)).toBe(true);
      const to = await register(`to=${encodeURIComponent(first.content.at)}`);
      expect(ids(to)).toContain(first.content.id);
      expect(to.every((record) => record.content.at <= first.content.at)).toBe(true);
      const both = await register(
        `from=${encodeURIComponent(first.content.at)}&to=${encodeURIComponent(second.content.at)}&user=${omUser}`,
      );
      expect(ids(both)).toEqual([first.content.id]);
      expect(await register('from=2099-01-01T00:00:00Z')).toEqual([]);
      expect(await register('to=2000-01-01T00:00:00Z')).toEqual([]);
    });

    it('pages newest first and refuses malformed filters', async () => {
      const page = await ig('/v1/audit/disclosures?limit=2').expect(200);
      const [newer, older] = page.body.disclosures as AuditRecord[];
      expect(newer!.seq).toBeGreaterThan(older!.seq);
      const next = await ig(`/v1/audit/disclosures?limit=2&before=${page.body.nextBefore}`).expect(200);
      expect((next.body.disclosures as AuditRecord[])[0]!.seq).toBeLessThan(older!.seq);
      await ig('/v1/audit/disclosures?from=yesterday').expect(400);
      await ig('/v1/audit/disclosures?limit=0').expect(400);
      await ig('/v1/audit/disclosures?outcome=maybe').expect(400);
    });
  });

  it('keeps the audit tools to the ig-lead role', async () => {
    const claimId = randomUUID();
    const paths = [
      ['get', '/v1/audit/disclosures'],
      ['get', `/v1/audit/disclosures/${randomUUID()}`],
      ['get', '/v1/audit/refusals'],
      ['get', '/v1/audit/verify'],
      ['get', '/v1/audit/unusual'],
      ['get', '/v1/audit/export?format=json'],
      ['get', '/v1/audit/export?format=csv'],
      ['get', '/v1/audit/break-glass'],
      ['post', `/v1/audit/break-glass/${claimId}/review`],
      ['get', `/v1/subjects/${subjectId}/access-export`],
    ] as const;
    const principals = {
      'police iom-officer': await bearer('police', 'iom-officer'),
      'probation offender-manager': await bearer('probation', 'offender-manager'),
      'police tasking-chair': await bearer('police', 'tasking-chair'),
      'health drug-worker': await bearer('health', 'drug-worker'),
      'police system': `Bearer ${await t.systemToken('police', [POLICE])}`,
    };
    const statuses: string[] = [];
    for (const [method, path] of paths) {
      for (const [who, auth] of Object.entries(principals)) {
        const call = method === 'get' ? t.http.get(path) : t.http.post(path).send({ outcome: 'approved' });
        const response = await call.set('Authorization', auth).set('X-Purpose-Of-Use', 'subject-access');
        statuses.push(`${method} ${path} as ${who}: ${response.status}`);
      }
      statuses.push(
        `${method} ${path} anonymously: ${(await (method === 'get' ? t.http.get(path) : t.http.post(path))).status}`,
      );
    }
    expect(statuses).toEqual(
      paths.flatMap(([method, path]) => [
        ...Object.keys(principals).map((who) => `${method} ${path} as ${who}: 403`),
        `${method} ${path} anonymously: 401`,
      ]),
    );
  });

  describe('break-glass review', () => {
    const officer = `pc-bg-${run}`;
    let claimEventId: string;
    const seen: string[] = [];

    beforeAll(async () => {
      const auth = await bearer('police', 'iom-officer', officer);
      const before = await read(`/v1/subjects/${subjectId}/timeline?limit=200`, auth, 'safeguarding');
      expect(JSON.stringify(before.body)).not.toContain(SUMMARY);
      const claim = await t.http
        .post(`/v1/subjects/${subjectId}/break-glass`)
        .set('Authorization', auth)
        .send({ justification: JUSTIFICATION, categories: ['health'], minutes: 30 });
      expect(claim.status).toBe(201);
      claimEventId = claim.body.eventId as string;
      const view = await read(`/v1/subjects/${subjectId}`, auth, 'safeguarding');
      const timeline = await read(`/v1/subjects/${subjectId}/timeline?limit=200`, auth, 'safeguarding');
      // The claim opened health data: the summary was disclosed, which is what the review is about.
      expect(JSON.stringify(timeline.body)).toContain(SUMMARY);
      seen.push(disclosureId(view), disclosureId(timeline));
      await t.settle();
    });

    it('records the reads that relied on the claim, naming it', async () => {
      const { content } = (await receipt(seen[1]!)).record;
      expect(content.subjects[0]!.grounds).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ rule: 'break-glass', reliedOn: claimEventId, categories: ['health'] }),
        ]),
      );
    });

    it('queues the claim with its justification and everything seen under it', async () => {
      const queue = await ig('/v1/audit/break-glass').expect(200);
      const claim = (queue.body.claims as { eventId: string }[]).find((c) => c.eventId === claimEventId);
      expect(claim).toMatchObject({
        subjectId,
        user: officer,
        agency: 'police',
        categories: ['health'],
        justification: JUSTIFICATION,
        status: 'awaiting-review',
        review: null,
      });
      const claimSeen = (claim as unknown as { seen: { disclosureId: string; categories: string[] }[] }).seen;
      expect(claimSeen.map((entry) => entry.disclosureId).sort()).toEqual([...seen].sort());
      expect(claimSeen.every((entry) => entry.categories.includes('health'))).toBe(true);
    });

    it('records a review as an event, moves the claim out of the queue, and refuses a second review', async () => {
      const note = 'No missing-person report found for that date; referred to the DPO';
      const review = await t.http
        .post(`/v1/audit/break-glass/${claimEventId}/review`)
        .set('Authorization', igLead)
        .send({ outcome: 'flagged', note });
      expect(review.status).toBe(201);
      expect(review.body).toMatchObject({ claimEventId, outcome: 'flagged' });
      await t.settle();

      const flagged = await ig('/v1/audit/break-glass?status=flagged').expect(200);
      expect(
        (flagged.body.claims as { eventId: string }[]).find((c) => c.eventId === claimEventId),
      ).toMatchObject({
        status: 'flagged',
        review: { reviewer: `ig-${run}`, note },
      });
      const waiting = await ig('/v1/audit/break-glass').expect(200);
      expect((waiting.body.claims as { eventId: string }[]).map((c) => c.eventId)).not.toContain(
        claimEventId,
      );

      const again = await t.http
        .post(`/v1/audit/break-glass/${claimEventId}/review`)
        .set('Authorization', igLead)
        .send({ outcome: 'approved' });
      expect(again.status).toBe(409);
      await t.http
        .post(`/v1/audit/break-glass/${randomUUID()}/review`)
        .set('Authorization', igLead)
        .send({ outcome: 'approved' })
        .expect(404);
    });

    it('refuses a second review while the claims projection has not caught up with the first', async () => {
      // In server mode the projections run in the worker, so the API's read model lags the log.
      const auth = await bearer('police', 'iom-officer', `pc-bg2-${run}`);
      const claim = await t.http
        .post(`/v1/subjects/${subjectId}/break-glass`)
        .set('Authorization', auth)
        .send({ justification: JUSTIFICATION, categories: ['drugs'], minutes: 10 })
        .expect(201);
      await t.settle();
      const send = (outcome: string) =>
        t.http
          .post(`/v1/audit/break-glass/${claim.body.eventId}/review`)
          .set('Authorization', igLead)
          .send({ outcome, note: 'Second opinion: the report was not found' });
      const runner = t.app.get(ProjectionRunner);
      await runner.stop();
      try {
        const first = await send('approved');
        const second = await send('flagged');
        expect([first.status, second.status]).toEqual([201, 409]);
      } finally {
        await runner.start();
        await t.settle();
      }
    });

    it('refuses a review without a valid outcome', async () => {
      const response = await t.http
        .post(`/v1/audit/break-glass/${claimEventId}/review`)
        .set('Authorization', igLead)
        .send({ outcome: 'fine' });
      expect(response.status).toBe(422);
    });
  });

  describe('the subject access export', () => {
    it('returns everything held and every disclosure of the subject, and is itself recorded', async () => {
      const response = await ig(`/v1/subjects/${subjectId}/access-export`).set(
        'X-Purpose-Of-Use',
        'subject-access',
      );
      expect(response.status).toBe(200);
      const held = response.body.held as { id: string; type: string; position: number; data: unknown }[];
      // Everything held includes the personal data itself: this export is for the subject.
      expect(JSON.stringify(held)).toContain(GIVEN);
      expect(JSON.stringify(held)).toContain(SUMMARY);
      expect(held.map((event) => event.type)).toEqual(
        expect.arrayContaining([
          'iom.subject.registered.v1',
          'iom.arrest.recorded.v1',
          'iom.health.concern-recorded.v1',
          'iom.break-glass.claimed.v1',
          'iom.break-glass.reviewed.v1',
        ]),
      );

      const disclosures = response.body.disclosures as AuditRecord[];
      const inRegister = await register(`subjectId=${subjectId}`);
      // The export's own record is written after it is assembled, so the register holds one more.
      const own = disclosureId(response);
      expect(disclosures.map((record) => record.content.id)).toEqual(
        inRegister
          .map((record) => record.content.id)
          .filter((id) => id !== own)
          .reverse(),
      );
      expect(disclosures.length).toBeGreaterThan(5);

      const { content } = (await receipt(own)).record;
      expect(content).toMatchObject({
        principal: { user: `ig-${run}`, role: 'ig-lead' },
        action: 'subject.access-export',
        outcome: 'disclosed',
        purpose: 'subject-access',
        subjects: [{ subjectId, positions: held.map((event) => event.position) }],
      });
      const again = await ig(`/v1/subjects/${subjectId}/access-export`).set(
        'X-Purpose-Of-Use',
        'subject-access',
      );
      expect((again.body.disclosures as AuditRecord[]).map((record) => record.content.id)).toContain(own);
    });

    it('requires the subject-access purpose and a known subject', async () => {
      await ig(`/v1/subjects/${subjectId}/access-export`).expect(400);
      await ig(`/v1/subjects/${subjectId}/access-export`)
        .set('X-Purpose-Of-Use', 'case-management')
        .expect(400);
      await ig(`/v1/subjects/${randomUUID()}/access-export`)
        .set('X-Purpose-Of-Use', 'subject-access')
        .expect(404);
    });
  });

  describe('unusual access', () => {
    it('shows a user who read more than 25 different subjects in a day', async () => {
      const journeys = Array.from({ length: 26 }, () => new SubjectJourney());
      const results = await publish(
        'police',
        POLICE,
        journeys.map((j) => j.registered()),
      );
      await t.settle();
      const user = `pc-many-${run}`;
      const auth = await bearer('police', 'iom-officer', user);
      const reads: string[] = [];
      for (const { subjectId: id } of results) {
        const response = await read(`/v1/subjects/${id}`, auth, 'case-management');
        expect(response.status).toBe(200);
        reads.push(disclosureId(response));
      }

      const unusual = await ig('/v1/audit/unusual').expect(200);
      const finding = (
        unusual.body.findings as { kind: string; user: string; disclosureIds: string[] }[]
      ).find((f) => f.kind === 'many-subjects' && f.user === user);
      expect(finding).toMatchObject({ agency: 'police', detail: expect.stringMatching(/^26 subjects/) });
      expect(finding!.disclosureIds).toEqual(expect.arrayContaining(reads));
    });
  });

  describe('the log as a whole', () => {
    it('holds no names and no free text from events, whoever read them', async () => {
      const readers = [
        ['police', 'iom-officer'],
        ['probation', 'offender-manager'],
        ['prison', 'prison-officer'],
        ['health', 'drug-worker'],
        ['housing', 'housing-officer'],
        ['voluntary', 'mentor'],
      ] as const;
      let disclosedText = '';
      for (const [agency, role] of readers) {
        const auth = await bearer(agency, role);
        for (const purpose of ['case-management', 'safeguarding']) {
          for (const path of [`/v1/subjects/${subjectId}`, `/v1/subjects/${subjectId}/timeline?limit=200`]) {
            disclosedText += JSON.stringify((await read(path, auth, purpose)).body);
          }
        }
      }
      // The reads did disclose the name and the health summary, so their absence below means something.
      expect(disclosedText).toContain(GIVEN);
      expect(disclosedText).toContain(FAMILY);
      expect(disclosedText).toContain(SUMMARY);
      expect(disclosedText).toContain(OFFENCE);

      const json = await ig('/v1/audit/export?format=json').expect(200);
      const csv = await ig('/v1/audit/export?format=csv').expect(200);
      for (const exported of [json.text, csv.text]) {
        for (const text of [GIVEN, FAMILY, SUMMARY, OFFENCE, JUSTIFICATION])
          expect(exported).not.toContain(text);
      }
    });

    it('verifies', async () => {
      const result = await ig('/v1/audit/verify').expect(200);
      expect(result.body).toMatchObject({ ok: true, firstFault: null });
      expect(result.body.records).toBeGreaterThan(50);
    });

    it('exports JSON with the key and checkpoints, and CSV with a header and one line per record', async () => {
      const { lastSeq } = (await ig('/v1/audit/verify').expect(200)).body as { lastSeq: number };

      const json = await ig('/v1/audit/export?format=json').expect(200);
      expect(json.headers['content-type']).toMatch(/^application\/json/);
      const exported = JSON.parse(json.text) as {
        publicKey: string;
        records: AuditRecord[];
        checkpoints: unknown[];
      };
      expect(exported.publicKey).toBe((await ig('/v1/audit/public-key').expect(200)).body.publicKey);
      expect(exported.records.map((record) => record.seq).slice(0, lastSeq)).toEqual(
        Array.from({ length: lastSeq }, (_, i) => i + 1),
      );
      expect(Array.isArray(exported.checkpoints)).toBe(true);

      const csv = await ig('/v1/audit/export?format=csv').expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const rows = parseCsv(csv.text);
      const [header, ...lines] = rows;
      expect(header).toEqual(parseCsv(CSV_HEADER)[0]);
      expect(lines.every((line) => line.length === header!.length)).toBe(true);
      // One line per record, in order; an export taken later may hold records written since.
      expect(lines.map((line) => Number(line[0])).slice(0, lastSeq)).toEqual(
        Array.from({ length: lastSeq }, (_, i) => i + 1),
      );
      expect(lines.length).toBeGreaterThanOrEqual(lastSeq);
      const byId = new Map(exported.records.map((record) => [record.content.id, record]));
      for (const line of lines.slice(0, lastSeq))
        expect(byId.get(line[1]!)?.hash).toBe(line[line.length - 1]);
    });
  });
});

/** RFC 4180 rows: quoted cells may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else if (char !== '\r') cell += char;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

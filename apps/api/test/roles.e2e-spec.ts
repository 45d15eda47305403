import type { Response } from 'supertest';
import type { AuditRecord } from '@throughline/audit';
import { SubjectReader } from '@throughline/subjects';
import { POLICE, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const BATCH = 'application/cloudevents-batch+json';

/**
 * Role is part of the policy: the agreement's role section says which roles read which views for
 * which purposes, every route asks it, and a refusal names the rule and section and is recorded.
 */
describe('roles in the agreement', () => {
  let t: TestApp;
  let subjectId: string;
  let igLead: string;
  const journey = new SubjectJourney();

  const bearer = async (agency: string, role: string, user?: string) =>
    `Bearer ${await t.personToken(agency, role, user)}`;
  const read = async (path: string, auth: string, purpose?: string) => {
    const call = t.http.get(path).set('Authorization', auth);
    return purpose ? call.set('X-Purpose-Of-Use', purpose) : call;
  };
  /** The refusal a 403 names, as GET /v1/audit/refusals lists it. */
  const recorded = async (response: Response): Promise<AuditRecord['content']> => {
    const id = response.headers['x-disclosure-id'] as string;
    const refusals = await t.http.get('/v1/audit/refusals?limit=500').set('Authorization', igLead);
    const found = (refusals.body.disclosures as AuditRecord[]).find((record) => record.content.id === id);
    expect(found).toBeDefined();
    return found!.content;
  };

  beforeAll(async () => {
    t = await startTestApp();
    igLead = await bearer('partnership', 'ig-lead');
    const published = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${await t.systemToken('police', [POLICE])}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify([journey.registered('Robin', 'Ashdown'), journey.arrested()]));
    expect(published.status).toBe(200);
    subjectId = published.body.results[0].subjectId as string;
    await t.settle();
  });
  afterAll(() => t.close());

  it("a police tasking chair stating case-management is refused the person's view, and it is recorded", async () => {
    const chair = await bearer('police', 'tasking-chair', 'chair-1');
    for (const path of [`/v1/subjects/${subjectId}`, `/v1/subjects/${subjectId}/timeline`, '/v1/subjects']) {
      const response = await read(path, chair, 'case-management');
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ rule: 'role-view', clause: 'roles.tasking-chair' });
      expect(JSON.stringify(response.body)).not.toMatch(/Ashdown|Burglary/);
      expect(await recorded(response)).toMatchObject({
        principal: { user: 'chair-1', agency: 'police', role: 'tasking-chair' },
        outcome: 'refused',
        purpose: 'case-management',
        refusal: { status: 403, rule: 'role-view', clause: 'roles.tasking-chair' },
      });
    }
    // The board, for tasking, is what the chair reads.
    expect((await read('/v1/tasking/board', chair, 'tasking')).status).toBe(200);
    const elsewhere = await read('/v1/tasking/board', chair, 'case-management');
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body).toMatchObject({ rule: 'role-purpose', clause: 'roles.tasking-chair' });
  });

  it('a mentor may not state enforcement, and it is recorded; case management is open', async () => {
    const mentor = await bearer('voluntary', 'mentor', 'mentor-1');
    const enforcement = await read(`/v1/subjects/${subjectId}`, mentor, 'enforcement');
    expect(enforcement.status).toBe(403);
    expect(enforcement.body).toMatchObject({ rule: 'role-purpose', clause: 'roles.mentor' });
    expect(await recorded(enforcement)).toMatchObject({
      purpose: 'enforcement',
      refusal: { status: 403, rule: 'role-purpose', clause: 'roles.mentor', subjectId },
    });
    expect((await read(`/v1/subjects/${subjectId}`, mentor, 'case-management')).status).toBe(200);
  });

  it('a practitioner reads neither the board nor the IG tools; an IG lead reads no person view', async () => {
    const officer = await bearer('police', 'iom-officer');
    const board = await read('/v1/tasking/board', officer, 'tasking');
    expect(board.status).toBe(403);
    expect(board.body).toMatchObject({ rule: 'role-view', clause: 'roles.iom-officer' });
    expect((await read('/v1/audit/disclosures', officer)).status).toBe(403);
    const ig = await read(`/v1/subjects/${subjectId}`, igLead, 'audit');
    expect(ig.status).toBe(403);
    expect(ig.body).toMatchObject({ rule: 'role-view', clause: 'roles.ig-lead' });
    expect((await read(`/v1/subjects/${subjectId}/access-export`, igLead, 'subject-access')).status).toBe(
      200,
    );
  });

  it('a refused role never leaves its empty cut for a permitted role of the same agency', async () => {
    const reader = t.app.get(SubjectReader);
    const chair = {
      kind: 'person',
      id: 'chair-2',
      agency: 'police',
      role: 'tasking-chair',
      sources: [],
    } as const;
    const officer = { ...chair, id: 'officer-9', role: 'iom-officer' };
    const refused = await reader.read(chair, subjectId, 'case-management');
    expect(refused?.entries ?? []).toEqual([]);
    const read = await reader.read(officer, subjectId, 'case-management');
    expect(read?.entries.length).toBeGreaterThan(0);
  });

  it('an analyst reads nothing person-level, and a role the agreement does not name reads nothing', async () => {
    const analyst = await bearer('police', 'analyst');
    const stranger = await bearer('police', 'social-worker');
    for (const auth of [analyst, stranger]) {
      expect((await read(`/v1/subjects/${subjectId}`, auth, 'case-management')).status).toBe(403);
      expect((await read('/v1/subjects', auth, 'case-management')).status).toBe(403);
      expect((await read('/v1/tasking/board', auth, 'tasking')).status).toBe(403);
      expect((await read('/v1/audit/disclosures', auth)).status).toBe(403);
    }
  });
});

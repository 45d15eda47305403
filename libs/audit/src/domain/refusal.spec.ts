import type { AuditRecord } from './disclosure';
import { actionOfRoute, type RefusedRequest, refusalRecord } from './refusal';
import { findUnusualAccess } from '../features/ig/unusual-access';

const SUBJECT = '7D0F4D9E-3F8A-4C55-9A3E-1B2C3D4E5F60';
const problem = (status: number, slug: string, extensions: Record<string, unknown> = {}) => ({
  type: `https://throughline.dev/problems/${slug}`,
  title: `Title of ${slug}`,
  status,
  detail: 'Detail that may echo what was sent: Robin Ashdown',
  ...extensions,
});
const refused = (overrides: Partial<RefusedRequest> = {}): RefusedRequest => ({
  principal: { kind: 'person', id: 'pc-1', agency: 'police', role: 'iom-officer' },
  requestId: 'req-1',
  method: 'GET',
  route: '/v1/subjects/:subjectId',
  subjectId: SUBJECT,
  purpose: 'case-management',
  problem: problem(404, 'subject-not-found'),
  ...overrides,
});

describe('refusalRecord', () => {
  it('records who, which route, the purpose stated, the reason and the rule, and the subject asked for', () => {
    expect(refusalRecord(refused())).toEqual({
      requestId: 'req-1',
      principal: { kind: 'person', user: 'pc-1', agency: 'police', role: 'iom-officer' },
      action: 'subject.view',
      outcome: 'refused',
      purpose: 'case-management',
      agreementVersion: null,
      subjects: [],
      refusal: {
        status: 404,
        reason: 'Title of subject-not-found',
        subjectId: SUBJECT.toLowerCase(),
        rule: 'subject-not-found',
        clause: null,
        route: 'GET /v1/subjects/:subjectId',
      },
    });
  });

  it('names the rule and clause a decision gave, over the problem type', () => {
    const record = refusalRecord(
      refused({ problem: problem(403, 'forbidden', { rule: 'role-purpose', clause: 'roles.mentor' }) }),
    );
    expect(record?.refusal).toMatchObject({ rule: 'role-purpose', clause: 'roles.mentor' });
  });

  it.each([400, 401, 403, 404])('records a %i', (status) => {
    expect(refusalRecord(refused({ problem: problem(status, 'x') }))).not.toBeNull();
  });

  it.each([409, 413, 422, 429, 500, 503])('leaves a %i to the use case that answers it', (status) => {
    expect(refusalRecord(refused({ problem: problem(status, 'x') }))).toBeNull();
  });

  it('does not record twice what a use case has recorded already', () => {
    expect(refusalRecord(refused({ problem: problem(403, 'x', { disclosureId: 'd-1' }) }))).toBeNull();
  });

  it('keeps nothing of the person but the partnership id asked for: no detail, no free text', () => {
    const record = refusalRecord(
      refused({
        subjectId: 'Robin Ashdown',
        purpose: 'looking up Robin Ashdown',
        problem: problem(400, 'x'),
      }),
    );
    expect(record).toMatchObject({ purpose: null, refusal: { subjectId: null } });
    expect(JSON.stringify(record)).not.toMatch(/Ashdown|Detail/);
  });

  it('names the use case of each route, and a plain request for any other', () => {
    expect(actionOfRoute('GET', '/v1/subjects')).toBe('subject.list');
    expect(actionOfRoute('GET', '/v1/subjects/:subjectId/timeline')).toBe('subject.timeline');
    expect(actionOfRoute('GET', '/v1/subjects/:subjectId/access-export')).toBe('subject.access-export');
    expect(actionOfRoute('GET', '/v1/tasking/board')).toBe('tasking.board');
    expect(actionOfRoute('GET', '/v1/audit/disclosures')).toBe('audit.tools');
    expect(actionOfRoute('GET', '/v1/audit/export')).toBe('audit.export');
    expect(actionOfRoute('POST', '/v1/audit/break-glass/:eventId/review')).toBe('audit.break-glass-review');
    expect(actionOfRoute('GET', '/v1/projections')).toBe('platform.status');
    expect(actionOfRoute('POST', '/v1/events')).toBe('events.ingest');
    expect(actionOfRoute('GET', '/v1/elsewhere')).toBe('request');
  });
});

describe('unusual access counts every recorded refusal', () => {
  const at = (minute: number) => `2025-03-03T10:${String(minute).padStart(2, '0')}:00.000Z`;
  const record = (kind: 'person' | 'system', minute: number, id: string): AuditRecord =>
    ({
      seq: minute,
      content: {
        ...refusalRecord(refused({ principal: { kind, id: `${kind}-1`, agency: 'police', role: kind } }))!,
        id,
        at: at(minute),
      },
    }) as AuditRecord;

  it.each(['person', 'system'] as const)('finds repeated refusals of a %s within the hour', (kind) => {
    const records = [record(kind, 1, 'a'), record(kind, 2, 'b'), record(kind, 3, 'c')];
    expect(findUnusualAccess(records)).toEqual([
      expect.objectContaining({
        kind: 'repeated-refusals',
        user: `${kind}-1`,
        disclosureIds: ['a', 'b', 'c'],
      }),
    ]);
  });
});

describe('unusual access counts the people a user opens one at a time', () => {
  const read = (action: string, subjects: readonly string[], id: string): AuditRecord =>
    ({
      seq: 1,
      content: {
        id,
        at: '2025-03-03T10:00:00.000Z',
        requestId: null,
        principal: { kind: 'person', user: 'chair-1', agency: 'police', role: 'tasking-chair' },
        action,
        outcome: 'disclosed',
        purpose: 'tasking',
        agreementVersion: null,
        subjects: subjects.map((subjectId) => ({ subjectId, grounds: [], fields: {}, positions: [] })),
        refusal: null,
      },
    }) as unknown as AuditRecord;
  const people = (count: number, from = 0) => Array.from({ length: count }, (_, i) => `s-${from + i}`);

  it('does not flag a chair who opens the board of 320 people, nor a list', () => {
    expect(
      findUnusualAccess([
        read('tasking.board', people(320), 'board'),
        read('subject.list', people(50), 'list'),
      ]),
    ).toEqual([]);
  });

  it('flags 26 people opened one at a time in a day, whatever else was read', () => {
    const opened = people(26).map((subject, i) =>
      read(i % 2 ? 'subject.view' : 'subject.timeline', [subject], `r${i}`),
    );
    expect(findUnusualAccess([read('tasking.board', people(320), 'board'), ...opened])).toEqual([
      expect.objectContaining({
        kind: 'many-subjects',
        user: 'chair-1',
        detail: expect.stringMatching(/^26 subjects/),
      }),
    ]);
  });
});

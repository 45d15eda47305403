import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PURPOSES_OF_USE, VIEWS } from '@throughline/domain';
import { parseAgreement } from './agreement';
import { ROLE_PURPOSES } from './decision-table.data';
import { decideRoleAccess } from './roles';

const SHIPPED = parseAgreement(
  readFileSync(join(__dirname, '..', '..', '..', '..', 'infra', 'agreements', 'default-iom.yaml'), 'utf8'),
);
const person = (role: string) => ({ kind: 'person', role });

/** The brief's role table: every view each role may read, and for which purposes. */
const EXPECTED: Readonly<Record<string, Partial<Record<(typeof VIEWS)[number], readonly string[]>>>> = {
  ...Object.fromEntries(
    Object.entries(ROLE_PURPOSES)
      .filter(([, purposes]) => purposes.length > 0)
      .map(([role, purposes]) => [role, { subjects: purposes }]),
  ),
  'tasking-chair': { tasking: ['tasking'] },
  'ig-lead': { audit: ['audit'], 'subject-access': ['subject-access'] },
  analyst: {},
  'partnership-admin': { identity: ['audit'] },
};

describe('the role rule of the shipped agreement, role x view x purpose', () => {
  for (const [role, views] of Object.entries(EXPECTED)) {
    it(`${role}: ${JSON.stringify(views)}, nothing else`, () => {
      const wrong: string[] = [];
      for (const view of VIEWS) {
        for (const purpose of PURPOSES_OF_USE) {
          const allowed = views[view]?.includes(purpose) ?? false;
          const decision = decideRoleAccess(SHIPPED, person(role), view, purpose);
          if (decision.allowed !== allowed)
            wrong.push(`${view}/${purpose}: ${decision.allowed ? 'allowed' : 'refused'}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }

  it('refuses the tasking chair a person view for case management, naming the rule and section', () => {
    expect(decideRoleAccess(SHIPPED, person('tasking-chair'), 'subjects', 'case-management')).toMatchObject({
      allowed: false,
      rule: 'role-view',
      clause: 'roles.tasking-chair',
    });
  });

  it('refuses a mentor enforcement, naming the rule and section', () => {
    expect(decideRoleAccess(SHIPPED, person('mentor'), 'subjects', 'enforcement')).toMatchObject({
      allowed: false,
      rule: 'role-purpose',
      clause: 'roles.mentor',
    });
  });

  it('refuses a role the agreement does not name, and every system, whatever they ask', () => {
    expect(decideRoleAccess(SHIPPED, person('social-worker'), 'subjects', 'safeguarding')).toMatchObject({
      allowed: false,
      rule: 'role-view',
      clause: null,
    });
    expect(
      decideRoleAccess(SHIPPED, { kind: 'system', role: 'iom-officer' }, 'subjects', 'case-management'),
    ).toMatchObject({ allowed: false });
    expect(decideRoleAccess(null, person('iom-officer'), 'subjects', 'case-management')).toMatchObject({
      allowed: false,
    });
  });

  it('reads an agreement loaded before the role section by the rules that stood then', () => {
    const earlier = { ...SHIPPED, roles: null };
    expect(decideRoleAccess(earlier, person('mentor'), 'subjects', 'enforcement').allowed).toBe(true);
    expect(decideRoleAccess(earlier, person('tasking-chair'), 'tasking', 'tasking').allowed).toBe(true);
    expect(decideRoleAccess(earlier, person('tasking-chair'), 'subjects', 'tasking').allowed).toBe(false);
    expect(decideRoleAccess(earlier, person('ig-lead'), 'audit', 'audit').allowed).toBe(true);
    expect(decideRoleAccess(earlier, person('ig-lead'), 'subjects', 'audit').allowed).toBe(false);
  });
});

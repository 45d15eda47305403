import { principalFromClaims } from './claims';

const names = { agencyClaim: 'agency', roleClaim: 'roles' };

describe('the principal an ID token names', () => {
  it('reads sub and the configured agency and role claims, as a person', () => {
    expect(
      principalFromClaims({ sub: 'om-204', agency: 'probation', roles: 'offender-manager' }, names),
    ).toEqual({
      ok: true,
      principal: { kind: 'person', id: 'om-204', agency: 'probation', role: 'offender-manager', sources: [] },
    });
  });

  it('leaves a role of any printable name to the agreement to refuse', () => {
    const result = principalFromClaims({ sub: 'u', agency: 'police', roles: 'Offender.Manager' }, names);
    expect(result).toMatchObject({ ok: true, principal: { role: 'Offender.Manager' } });
  });

  it('takes a role sent as a list of one (Entra ID app roles)', () => {
    const result = principalFromClaims({ sub: 'u', agency: 'police', roles: ['iom-officer'] }, names);
    expect(result).toMatchObject({ ok: true, principal: { role: 'iom-officer' } });
  });

  it.each([
    [{ agency: 'police', roles: 'iom-officer' }, /subject/],
    [{ sub: 'u', roles: 'iom-officer' }, /"agency" claim/],
    [{ sub: 'u', agency: 'Police Force', roles: 'iom-officer' }, /"agency" claim/],
    [{ sub: 'u', agency: ['police', 'probation'], roles: 'iom-officer' }, /"agency" claim/],
    [{ sub: 'u', agency: 'police', role: 'iom-officer' }, /"roles" claim/],
    [{ sub: 'u', agency: 'police', roles: 'IOM officer' }, /"roles" claim/],
    [{ sub: 'u', agency: 'police', roles: 'r'.repeat(65) }, /"roles" claim/],
    [{ sub: 'u', agency: 'police', roles: ['iom-officer', 'ig-lead'] }, /"roles" claim/],
    [{ sub: 'u', agency: 'police', roles: 'iom-officer', kind: 'system' }, /the pages are for people/],
  ])('refuses %j', (claims, detail) => {
    const result = principalFromClaims(claims, names);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.detail).toMatch(detail);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE_EXAMPLES, type PublishedEvent } from '@throughline/domain';
import { parseAgreement } from './agreement';
import { TableTimeline } from './decision-table.data';
import { buildReadPolicy, decide, projectionCut } from './policy';
import { consentOpening, emptySharingState, evolveSharing, type SharingState } from './sharing-state';

const agreement = parseAgreement(
  readFileSync(join(__dirname, '..', '..', '..', '..', 'infra', 'agreements', 'default-iom.yaml'), 'utf8'),
);
const NOW = new Date('2025-03-01T12:00:00Z');
const police = { kind: 'person', id: 'police-officer-1', agency: 'police', role: 'iom-officer' } as const;
const scope = { categories: ['drugs'], recipients: ['police'], purposes: ['case-management'] };

/** Both engines' answer for police reading one event: the read-time ability and the projection cut. */
function policeSees(sharing: SharingState, event: PublishedEvent): { read: boolean; cut: boolean } {
  const policy = buildReadPolicy({
    reader: police,
    purpose: 'case-management',
    agreement,
    sharing,
    now: NOW,
  });
  return {
    read: decide(policy, event) !== null,
    cut: projectionCut(agreement, sharing, 'police', event) !== null,
  };
}

describe('a consent opens only the data of the agency that recorded it', () => {
  const t = new TableTimeline();
  const consentBy = (agency: string): PublishedEvent =>
    t.event(
      'iom.consent.given.v1',
      { scope, recordedBy: 'key worker', formReference: `CF-${agency}` },
      agency,
      'consent',
    );
  const drugTestBy = (agency: string): PublishedEvent =>
    t.event('iom.drug-test.recorded.v1', CATALOGUE_EXAMPLES['iom.drug-test.recorded.v1'], agency, 'drugs');
  const fold = (...events: PublishedEvent[]): SharingState =>
    events.reduce<SharingState>((state, event) => evolveSharing(state, event), emptySharingState());

  it("a consent police recorded does not open health's drug data to police, in either engine", () => {
    const sharing = fold(consentBy('police'));
    expect(policeSees(sharing, drugTestBy('health'))).toEqual({ read: false, cut: false });
    expect(
      consentOpening(sharing, {
        controller: 'health',
        category: 'drugs',
        recipient: 'police',
        purpose: 'case-management',
      }),
    ).toBeUndefined();
  });

  it("a consent health recorded opens health's drug data, and only health's, naming health's consent", () => {
    const given = consentBy('health');
    const sharing = fold(given);
    const healthTest = drugTestBy('health');
    expect(policeSees(sharing, healthTest)).toEqual({ read: true, cut: true });
    expect(policeSees(sharing, drugTestBy('probation'))).toEqual({ read: false, cut: false });
    const policy = buildReadPolicy({
      reader: police,
      purpose: 'case-management',
      agreement,
      sharing,
      now: NOW,
    });
    expect(decide(policy, healthTest)?.reason).toMatchObject({
      basis: 'consent',
      clause: 'pathway-consent-cj',
      reliedOn: given.id,
    });
  });

  it('consents recorded by two controllers each open their own data', () => {
    const sharing = fold(consentBy('police'), consentBy('probation'), consentBy('health'));
    expect(policeSees(sharing, drugTestBy('health'))).toEqual({ read: true, cut: true });
    expect(policeSees(sharing, drugTestBy('probation'))).toEqual({ read: true, cut: true });
    expect(policeSees(sharing, drugTestBy('prison'))).toEqual({ read: false, cut: false });
  });

  it("a withdrawal, whoever records it, ends every controller's consent in its scope", () => {
    const withdrawn = t.event(
      'iom.consent.withdrawn.v1',
      { scope, recordedBy: 'key worker' },
      'police',
      'consent',
    );
    const sharing = fold(consentBy('health'), consentBy('probation'), withdrawn);
    expect(sharing.consents).toEqual({});
    expect(policeSees(sharing, drugTestBy('health'))).toEqual({ read: false, cut: false });
  });

  it('an expired consent counts for the widest cut but not for a read', () => {
    const expired = t.event(
      'iom.consent.given.v1',
      { scope, recordedBy: 'key worker', formReference: 'CF-2', expires: '2025-02-01T00:00:00Z' },
      'health',
      'consent',
    );
    expect(policeSees(fold(expired), drugTestBy('health'))).toEqual({ read: false, cut: true });
  });
});

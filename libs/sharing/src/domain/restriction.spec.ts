import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE_EXAMPLES, type PublishedEvent, type PurposeOfUse } from '@throughline/domain';
import { parseAgreement } from './agreement';
import { categoryBasis } from './category-basis';
import { TableTimeline } from './decision-table.data';
import type { Reader } from './engine';
import { buildReadPolicy, decide, projectionCut } from './policy';
import {
  emptySharingState,
  evolveSharing,
  restrictedPurposes,
  restrictionAllows,
  type SharingState,
} from './sharing-state';

const agreement = parseAgreement(
  readFileSync(join(__dirname, '..', '..', '..', '..', 'infra', 'agreements', 'default-iom.yaml'), 'utf8'),
);
const NOW = new Date('2025-03-01T12:00:00Z');
const ID = '00000000-0000-4000-8000-00000000000a';
const person = (agency: string): Reader => ({
  kind: 'person',
  id: `${agency}-1`,
  agency,
  role: 'iom-officer',
});

const t = new TableTimeline();
const arrest = t.event(
  'iom.arrest.recorded.v1',
  CATALOGUE_EXAMPLES['iom.arrest.recorded.v1'],
  'police',
  'offending',
);
const restrict = (agency: string, purposes: PurposeOfUse[], categories = ['offending']): PublishedEvent =>
  t.event(
    'iom.record.restricted.v1',
    {
      restrictionId: ID,
      categories,
      purposes,
      reason: 'Accuracy contested',
      legalBasis: 'DPA 2018 s.47(2)',
      restrictedBy: 'ig-1',
    },
    agency,
    'consent',
  );
const lift = (agency: string): PublishedEvent =>
  t.event(
    'iom.record.restriction-lifted.v1',
    { restrictionId: ID, reason: 'Checked', liftedBy: 'ig-1' },
    agency,
    'consent',
  );
const fold = (...events: PublishedEvent[]): SharingState =>
  events.reduce<SharingState>((state, event) => evolveSharing(state, event), emptySharingState());

/** The read-time answer and the projection's widest cut for one reader of the arrest. */
function sees(sharing: SharingState, agency: string, purpose: PurposeOfUse): { read: boolean; cut: boolean } {
  const policy = buildReadPolicy({ reader: person(agency), purpose, agreement, sharing, now: NOW });
  return {
    read: decide(policy, arrest) !== null,
    cut: projectionCut(agreement, sharing, agency, arrest) !== null,
  };
}

describe('a restriction of processing, in the one engine', () => {
  it('naming no purpose withholds the data from every reader, its own agency included, in both cuts', () => {
    const sharing = fold(restrict('police', []));
    for (const agency of ['police', 'probation', 'prison'])
      for (const purpose of ['case-management', 'safeguarding', 'enforcement'] as const)
        expect(sees(sharing, agency, purpose)).toEqual({ read: false, cut: false });
  });

  it('naming safeguarding still serves a safeguarding read, and no other purpose', () => {
    const sharing = fold(restrict('police', ['safeguarding']));
    expect(sees(sharing, 'probation', 'safeguarding')).toEqual({ read: true, cut: true });
    expect(sees(sharing, 'police', 'safeguarding')).toEqual({ read: true, cut: true });
    expect(sees(sharing, 'probation', 'case-management')).toEqual({ read: false, cut: true });
    expect(sees(sharing, 'police', 'enforcement')).toEqual({ read: false, cut: true });
  });

  it('holds no wider a cut than the purposes it names allow', () => {
    // Health is never shown offending; a restriction naming safeguarding opens nothing to it.
    const sharing = fold(restrict('police', ['safeguarding']));
    expect(sees(sharing, 'health', 'safeguarding')).toEqual({ read: false, cut: false });
  });

  it('restricts only the restricting agency’s own data', () => {
    const sharing = fold(restrict('probation', []));
    expect(sees(sharing, 'probation', 'case-management')).toEqual({ read: true, cut: true });
  });

  it('is stated as the basis `restricted`, never as empty, and lifted restores the basis', () => {
    const restricted = fold(restrict('police', []));
    const bases = (sharing: SharingState, purpose: PurposeOfUse) =>
      categoryBasis({
        policy: buildReadPolicy({ reader: person('probation'), purpose, agreement, sharing, now: NOW }),
        reader: person('probation'),
        purpose,
      });
    expect(bases(restricted, 'case-management').offending).toBe('restricted');
    expect(bases(restricted, 'case-management').custody).toBe('shared');
    const lifted = fold(restrict('police', []), lift('police'));
    expect(bases(lifted, 'case-management').offending).toBe('shared');
    expect(sees(lifted, 'probation', 'case-management')).toEqual({ read: true, cut: true });
  });

  it('is lifted only by the agency that restricted', () => {
    const sharing = fold(restrict('police', []), lift('probation'));
    expect(restrictedPurposes(sharing, 'police', 'offending')).toEqual([]);
  });

  it('two restrictions on one category allow only the purposes both name', () => {
    const other = t.event(
      'iom.record.restricted.v1',
      {
        restrictionId: '00000000-0000-4000-8000-00000000000b',
        categories: ['offending'],
        purposes: ['enforcement'],
        reason: 'Held for court',
        legalBasis: 'DPA 2018 s.47(3)',
        restrictedBy: 'ig-1',
      },
      'police',
      'consent',
    );
    const sharing = fold(restrict('police', ['safeguarding', 'enforcement']), other);
    expect(restrictedPurposes(sharing, 'police', 'offending')).toEqual(['enforcement']);
    expect(sees(sharing, 'police', 'safeguarding').read).toBe(false);
    expect(sees(sharing, 'police', 'enforcement').read).toBe(true);
  });
});

describe('restrictionAllows, for the uses of events the ability does not cut', () => {
  it('allows what no restriction holds, and a restricted kind only for a purpose it names', () => {
    const sharing = fold(restrict('police', ['safeguarding']));
    expect(restrictionAllows(sharing, 'probation', 'offending', 'tasking')).toBe(true);
    expect(restrictionAllows(sharing, 'police', 'custody', 'tasking')).toBe(true);
    expect(restrictionAllows(sharing, 'police', 'offending', 'tasking')).toBe(false);
    expect(restrictionAllows(sharing, 'police', 'offending', 'safeguarding')).toBe(true);
  });
});

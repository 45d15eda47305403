import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CATALOGUE,
  DATA_CATEGORIES,
  type DataCategory,
  DEFAULT_AGENCIES,
  type DefaultAgency,
  EVENT_TYPES,
  PURPOSES_OF_USE,
  type PurposeOfUse,
} from '@throughline/domain';
import { parseAgreement } from './agreement';
import {
  type CategoryBasis,
  categoryAccess,
  categoryBasis,
  policySignature,
  type WithheldBasis,
} from './category-basis';
import {
  type Cell,
  CELL_STATES,
  type CellState,
  DEFAULT_TABLE,
  PRACTITIONERS,
  TABLE_NOW,
  TableTimeline,
} from './decision-table.data';
import { buildReadPolicy, type Reader } from './policy';
import { emptySharingState, evolveSharing, type SharingState } from './sharing-state';

const agreement = parseAgreement(
  readFileSync(join(__dirname, '..', '..', '..', '..', 'infra', 'agreements', 'default-iom.yaml'), 'utf8'),
);
const timeline = new TableTimeline();

const person = (agency: DefaultAgency): Reader => ({
  kind: 'person',
  id: `${agency}-${PRACTITIONERS[agency]}-1`,
  agency,
  role: PRACTITIONERS[agency],
});

const bases = (reader: Reader, purpose: PurposeOfUse, sharing: SharingState = emptySharingState()) =>
  categoryBasis({
    policy: buildReadPolicy({ reader, purpose, agreement, sharing, now: TABLE_NOW }),
    agreement,
    reader,
    purpose,
  });

/**
 * The agencies the catalogue lets publish a category, and whether some of its types any agency may
 * publish: worked out here from the catalogue, apart from the engine.
 */
function catalogued(category: DataCategory): { readonly agencies: string[]; readonly any: boolean } {
  const agencies = new Set<string>();
  let any = false;
  for (const type of EVENT_TYPES) {
    const spec = CATALOGUE[type];
    if (spec.category !== category || spec.recordedByPlatform) continue;
    if (spec.publishers === 'any') any = true;
    else for (const agency of spec.publishers) agencies.add(agency);
  }
  return { agencies: [...agencies], any };
}

/**
 * The basis the domain table gives one cell in one state: the strongest whole grant that holds
 * names it; a grant narrowed by fields, types or data values that holds makes it shared in part;
 * otherwise what would open it, the consent or the concern it waits for. A consent opens only its
 * controller's data: consents from every agency the catalogue names open the category whole, but
 * where any agency may publish some of it, or a consent comes from one publisher alone, in part.
 */
function expectedBasis(
  cell: Cell,
  category: DataCategory,
  purpose: PurposeOfUse,
  state: CellState,
): CategoryBasis {
  if (cell.never) return 'not-shared';
  const { any } = catalogued(category);
  const grants = cell.grants.filter((grant) => grant.purposes.includes(purpose));
  const consentWhole = state.consent === 'given' && !any;
  const consentPart = (state.consent === 'given' && any) || (state.consent === 'other-agency' && any);
  const holdsWhole = (basis: 'A' | 'C' | 'S'): boolean =>
    basis === 'A' || (basis === 'C' ? consentWhole : state.concern === 'open');
  const holds = (basis: 'A' | 'C' | 'S'): boolean => holdsWhole(basis) || (basis === 'C' && consentPart);
  const whole = grants.filter(
    (grant) => !grant.fields && !grant.types && !grant.data && holdsWhole(grant.basis),
  );
  if (whole.some((grant) => grant.basis === 'A')) return 'shared';
  if (whole.some((grant) => grant.basis === 'C')) return 'consent';
  if (whole.some((grant) => grant.basis === 'S')) return 'safeguarding';
  if (state.breakGlass === 'active') return 'break-glass';
  if (grants.some((grant) => holds(grant.basis))) return 'shared-in-part';
  if (grants.some((grant) => grant.basis === 'C')) return 'consent-required';
  if (grants.some((grant) => grant.basis === 'S')) return 'safeguarding-only';
  return 'not-shared';
}

/** A consent in the "given" state comes from every agency the catalogue lets publish the category. */
const controllersOf = (category: DataCategory): string[] => catalogued(category).agencies;

describe('categoryBasis', () => {
  describe('the domain table, cell by cell', () => {
    it.each(
      DEFAULT_AGENCIES.flatMap((agency) => PURPOSES_OF_USE.map((purpose) => [agency, purpose] as const)),
    )('%s reading for %s: every category in every sharing state', (agency, purpose) => {
      const reader = person(agency);
      // The agreement's role section, read as data: a purpose the role may not read subjects for
      // shares nothing, whatever the clauses say.
      const readsSubjects = agreement.roles?.[reader.role]?.subjects?.includes(purpose) ?? false;
      const disagreements: string[] = [];
      for (const category of DATA_CATEGORIES) {
        for (const state of CELL_STATES) {
          const sharing = timeline
            .cellState({
              readerId: reader.id,
              agency,
              category,
              purpose,
              state,
              controllers: controllersOf(category),
            })
            .reduce<SharingState>((state, event) => evolveSharing(state, event), emptySharingState());
          const expected = readsSubjects
            ? expectedBasis(DEFAULT_TABLE[agency][category], category, purpose, state)
            : 'not-shared';
          const actual = bases(reader, purpose, sharing)[category];
          if (actual !== expected)
            disagreements.push(
              `${category} (consent ${state.consent}, concern ${state.concern}, break-glass ${state.breakGlass}): table ${expected}, basis ${actual}`,
            );
        }
      }
      expect(disagreements).toEqual([]);
    });
  });

  it.each<[DefaultAgency, PurposeOfUse, DataCategory, CategoryBasis]>([
    ['voluntary', 'case-management', 'offending', 'not-shared'],
    ['voluntary', 'case-management', 'intelligence', 'not-shared'],
    ['voluntary', 'case-management', 'custody', 'shared-in-part'],
    ['voluntary', 'case-management', 'cohort', 'shared-in-part'],
    ['voluntary', 'case-management', 'supervision', 'consent-required'],
    ['voluntary', 'case-management', 'housing', 'shared'],
    ['police', 'safeguarding', 'health', 'safeguarding-only'],
    ['police', 'case-management', 'health', 'not-shared'],
    ['probation', 'case-management', 'drugs', 'shared-in-part'],
  ])('%s for %s, with no consent or concern: %s is %s', (agency, purpose, category, expected) => {
    expect(bases(person(agency), purpose)[category]).toBe(expected);
  });

  it.each<[DefaultAgency, DataCategory, WithheldBasis]>([
    ['voluntary', 'custody', 'not-shared'],
    ['voluntary', 'cohort', 'not-shared'],
    ['probation', 'drugs', 'consent-required'],
  ])('what %s is not served of %s, shared in part, is %s', (agency, category, withheld) => {
    const reader = person(agency);
    const policy = buildReadPolicy({
      reader,
      purpose: 'case-management',
      agreement,
      sharing: emptySharingState(),
      now: TABLE_NOW,
    });
    expect(categoryAccess({ policy, agreement, reader, purpose: 'case-management' })[category]).toEqual({
      basis: 'shared-in-part',
      withheld,
    });
  });

  it('a system principal is served nothing', () => {
    const system: Reader = {
      kind: 'system',
      id: 'urn:throughline:police:custody',
      agency: 'police',
      role: 'system',
    };
    expect(new Set(Object.values(bases(system, 'case-management')))).toEqual(new Set(['not-shared']));
  });

  it('a break-glass claim names itself only for its own user and until it expires', () => {
    const reader = person('housing');
    const claimed = timeline
      .cellState({
        readerId: reader.id,
        agency: 'housing',
        category: 'supervision',
        purpose: 'case-management',
        controllers: controllersOf('supervision'),
        state: { consent: 'none', concern: 'none', breakGlass: 'active' },
      })
      .reduce<SharingState>((state, event) => evolveSharing(state, event), emptySharingState());
    expect(bases(reader, 'case-management', claimed).supervision).toBe('break-glass');
    expect(bases({ ...reader, id: 'someone-else' }, 'case-management', claimed).supervision).toBe(
      'not-shared',
    );
    const after = new Date(Date.parse(claimed.breakGlass[0]!.expiresAt) + 60_000);
    const policy = buildReadPolicy({
      reader,
      purpose: 'case-management',
      agreement,
      sharing: claimed,
      now: after,
    });
    expect(categoryBasis({ policy, agreement, reader, purpose: 'case-management' }).supervision).toBe(
      'not-shared',
    );
  });

  it('without an agreement nothing is shared', () => {
    const reader = person('police');
    const policy = buildReadPolicy({
      reader,
      purpose: 'case-management',
      agreement: null,
      sharing: emptySharingState(),
      now: TABLE_NOW,
    });
    const all = categoryBasis({ policy, agreement: null, reader, purpose: 'case-management' });
    expect(new Set(Object.values(all))).toEqual(new Set(['not-shared']));
  });

  describe('policySignature', () => {
    const reader = person('voluntary');
    const consentTo = (category: DataCategory): SharingState =>
      timeline
        .cellState({
          readerId: reader.id,
          agency: 'voluntary',
          category,
          purpose: 'case-management',
          controllers: controllersOf(category),
          state: { consent: 'given', concern: 'none', breakGlass: 'none' },
        })
        .reduce<SharingState>((state, event) => evolveSharing(state, event), emptySharingState());
    const signature = (sharing: SharingState): string =>
      policySignature(
        buildReadPolicy({ reader, purpose: 'case-management', agreement, sharing, now: TABLE_NOW }),
      );

    it('is the same for policies that differ only in the events they rely on', () => {
      expect(signature(consentTo('drugs'))).toBe(signature(consentTo('drugs')));
    });

    it('differs when a different category is opened, under the same clause', () => {
      expect(signature(consentTo('drugs'))).not.toBe(signature(consentTo('family')));
      expect(signature(consentTo('drugs'))).not.toBe(signature(emptySharingState()));
    });
  });
});

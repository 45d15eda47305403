import fc from 'fast-check';
import {
  CATALOGUE,
  CATALOGUE_EXAMPLES,
  DATA_CATEGORIES,
  DEFAULT_AGENCIES,
  EVENT_TYPES,
  type EventType,
  type PublishedEvent,
  PURPOSES_OF_USE,
  DEFAULT_ISSUING_AGENCIES,
} from '@throughline/domain';
import { type Agreement, type Clause, SHARE_BASES, type ShareBasis } from './agreement';
import {
  compiledAgreements,
  mayList,
  projectionCut,
  projectionCuts,
  type Reader,
  sharingEngine,
  timeZoneOf,
} from './engine';
import { buildReadPolicy, decide } from './policy';
import { consentKey, type SharingState } from './sharing-state';

const DRUG_TEST = 'iom.drug-test.recorded.v1';
const CONTEXTS = ['licence', 'on-arrest', 'community'];
const TYPES: readonly EventType[] = EVENT_TYPES.filter((type) => !CATALOGUE[type].recordedByPlatform);
const ROLES = ['officer', 'worker', 'chair'];
const INSTANTS = ['2025-01-01T00:00:00.000Z', '2025-06-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'];
const NOWS = INSTANTS.map((instant) => new Date(Date.parse(instant) + 1000));

const agency = fc.constantFrom(...DEFAULT_AGENCIES);
const agencies = fc.subarray([...DEFAULT_AGENCIES], { minLength: 1, maxLength: 4 });
const categories = fc.subarray([...DATA_CATEGORIES], { minLength: 1, maxLength: 4 });
const purposes = fc.subarray([...PURPOSES_OF_USE], { minLength: 1, maxLength: 4 });
const instant = fc.constantFrom(...INSTANTS);

const clause = (id: number): fc.Arbitrary<Clause> =>
  fc
    .record(
      {
        recipients: agencies,
        categories,
        basis: fc.constantFrom<ShareBasis>(...SHARE_BASES),
        purposes,
        fields: fc.subarray(['context', 'results', 'date', 'status', 'outcome', 'attended'], {
          minLength: 1,
        }),
        types: fc.subarray([DRUG_TEST, ...TYPES.slice(0, 12)], { minLength: 1, maxLength: 3 }),
        contexts: fc.subarray(CONTEXTS, { minLength: 1 }),
        narrow: fc.constantFrom('none', 'fields', 'types', 'data'),
      },
      { requiredKeys: ['recipients', 'categories', 'basis', 'purposes', 'narrow'] },
    )
    .map(({ narrow, fields, types, contexts, ...terms }) => ({
      id: `c${id}`,
      legalBasis: `basis of c${id}`,
      ...terms,
      ...(narrow === 'fields' ? { fields: fields ?? ['context'] } : {}),
      ...(narrow === 'types' ? { when: { types: types ?? [DRUG_TEST] } } : {}),
      ...(narrow === 'data'
        ? { when: { types: [DRUG_TEST], data: { context: contexts ?? ['licence'] } } }
        : {}),
    }));

const agreement: fc.Arbitrary<Agreement> = fc
  .record({
    clauses: fc
      .array(fc.nat(), { minLength: 1, maxLength: 8 })
      .chain((ids) => fc.tuple(...ids.map((_, index) => clause(index)))),
    roles: fc.dictionary(fc.constantFrom(...ROLES), fc.record({ subjects: purposes })),
  })
  .map(({ clauses, roles }) => ({
    partnership: 'test',
    version: 'random',
    agencies: [...DEFAULT_AGENCIES],
    breakGlass: { maxMinutes: 60, roles: [...ROLES], partnershipReviewers: [] },
    taskingMeeting: { roles: [], purposes: [] },
    identifiers: DEFAULT_ISSUING_AGENCIES,
    timeZone: 'Europe/London',
    wideList: [],
    roles,
    clauses,
  }));

const sharing: fc.Arbitrary<SharingState> = fc
  .record({
    consents: fc.array(
      fc.record({
        controller: agency,
        category: fc.constantFrom(...DATA_CATEGORIES),
        recipient: agency,
        purpose: fc.constantFrom(...PURPOSES_OF_USE),
        expires: fc.option(instant),
      }),
      { maxLength: 8 },
    ),
    concerns: fc.array(fc.record({ categories, recipients: agencies, expires: instant }), { maxLength: 3 }),
    breakGlass: fc.array(
      fc.record({ agency, categories, expiresAt: instant, user: fc.constantFrom(...ROLES) }),
      { maxLength: 2 },
    ),
  })
  .map((state) => ({
    consents: Object.fromEntries(
      state.consents.map((consent, index) => [
        consentKey(consent.controller, consent.category, consent.recipient, consent.purpose),
        { eventId: `consent-${index}`, controller: consent.controller, expires: consent.expires },
      ]),
    ),
    concerns: Object.fromEntries(
      state.concerns.map((concern, index) => [
        `SG-${index}`,
        {
          ...concern,
          eventId: `concern-${index}`,
          concernId: `SG-${index}`,
          kind: 'risk',
          legalBasis: 'DPA',
        },
      ]),
    ),
    breakGlass: state.breakGlass.map((grant, index) => ({
      ...grant,
      user: `${grant.agency}-${grant.user}`,
      eventId: `glass-${index}`,
      justification: 'a justification long enough',
    })),
  }));

type Probe = Pick<PublishedEvent, 'type' | 'data' | 'meta'>;

const event: fc.Arbitrary<Probe> = fc
  .record({
    type: fc.constantFrom(DRUG_TEST, ...TYPES),
    publisher: agency,
    context: fc.constantFrom(...CONTEXTS),
  })
  .map(({ type, publisher, context }) => ({
    type,
    data: (type === DRUG_TEST
      ? { ...CATALOGUE_EXAMPLES[DRUG_TEST], context }
      : CATALOGUE_EXAMPLES[type]) as unknown as PublishedEvent['data'],
    meta: { agency: publisher, category: CATALOGUE[type].category } as PublishedEvent['meta'],
  }));

/** Every reader an agency has: a person in each role the agreement names, and the agency as a whole. */
const readersOf = (terms: Agreement, of: string): Reader[] => [
  { kind: 'agency', id: `${of}-relay`, agency: of, role: 'alerts' },
  ...Object.keys(terms.roles ?? {}).map((role): Reader => ({
    kind: 'person',
    id: `${of}-${role}`,
    agency: of,
    role,
  })),
];

describe('the sharing engine', () => {
  it('never cuts a projection narrower than any reader of the agency may read now', () => {
    fc.assert(
      fc.property(
        agreement,
        sharing,
        fc.array(event, { minLength: 1, maxLength: 6 }),
        (terms, state, events) => {
          for (const of of DEFAULT_AGENCIES) {
            for (const reader of readersOf(terms, of)) {
              for (const purpose of PURPOSES_OF_USE) {
                for (const now of NOWS) {
                  const policy = buildReadPolicy({ reader, purpose, agreement: terms, sharing: state, now });
                  for (const probe of events) {
                    const decision = decide(policy, probe);
                    // Break-glass reaches past the cut by design, and the read says so in the audit.
                    if (!decision || decision.breakGlass) continue;
                    const cut = projectionCut(terms, state, of, probe);
                    expect(cut).not.toBeNull();
                    expect(cut).toEqual(expect.arrayContaining([...decision.fields]));
                  }
                }
              }
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('answers the read and the widest cut from one compiled object per agreement version', () => {
    fc.assert(
      fc.property(agreement, sharing, event, (terms, state, probe) => {
        const engine = sharingEngine(terms);
        const reader: Reader = { kind: 'agency', id: 'relay', agency: 'police', role: 'alerts' };
        const policy = buildReadPolicy({
          reader,
          purpose: 'case-management',
          agreement: terms,
          sharing: state,
          now: NOWS[0]!,
        });
        expect(policy.engine).toBe(engine);
        // The same version and terms, parsed again elsewhere, find the same engine.
        expect(sharingEngine(structuredClone(terms))).toBe(engine);
        for (const of of DEFAULT_AGENCIES)
          expect(projectionCuts(terms, state, probe)(of)).toEqual(engine.widestCuts(state, probe)(of));
      }),
      { numRuns: 50 },
    );
  });

  it('compiles an agreement that reuses a version with other terms afresh', () => {
    const terms = fc.sample(agreement, { numRuns: 1, seed: 7 })[0]!;
    const other: Agreement = { ...terms, clauses: [] };
    expect(sharingEngine(other)).not.toBe(sharingEngine(terms));
    expect(sharingEngine(other).version).toBe(sharingEngine(terms).version);
  });

  it('decides alike with the cache turned off', () => {
    fc.assert(
      fc.property(agreement, sharing, event, (terms, state, probe) => {
        const cached = DEFAULT_AGENCIES.map((of) => projectionCut(terms, state, of, probe));
        compiledAgreements.enabled = false;
        try {
          expect(sharingEngine(terms)).not.toBe(sharingEngine(terms));
          expect(DEFAULT_AGENCIES.map((of) => projectionCut(terms, state, of, probe))).toEqual(cached);
        } finally {
          compiledAgreements.enabled = true;
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('the subject list', () => {
  const terms = (wideList: Agreement['wideList']): Agreement => ({
    partnership: 'test',
    version: 'list',
    agencies: [...DEFAULT_AGENCIES],
    breakGlass: { maxMinutes: 60, roles: [], partnershipReviewers: [] },
    taskingMeeting: { roles: [], purposes: [] },
    identifiers: DEFAULT_ISSUING_AGENCIES,
    timeZone: 'Europe/Dublin',
    wideList,
    roles: {},
    clauses: [],
  });
  const officer = { agency: 'police', role: 'iom-officer' };

  it('is the caseload for everyone, and wider only for an agency and role the agreement names', () => {
    expect(mayList(null, officer, 'caseload')).toBe(true);
    expect(mayList(null, officer, 'partnership')).toBe(false);
    expect(mayList(terms([]), officer, 'partnership')).toBe(false);
    expect(mayList(terms([officer]), officer, 'partnership')).toBe(true);
    expect(mayList(terms([officer]), { agency: 'police', role: 'analyst' }, 'partnership')).toBe(false);
    expect(mayList(terms([officer]), { agency: 'health', role: 'iom-officer' }, 'partnership')).toBe(false);
  });

  it('reads date-only ends in the time zone the agreement names, London without one', () => {
    expect(timeZoneOf(terms([]))).toBe('Europe/Dublin');
    expect(timeZoneOf(null)).toBe('Europe/London');
  });
});

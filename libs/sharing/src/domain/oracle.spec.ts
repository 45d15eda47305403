import fc from 'fast-check';
import {
  CATALOGUE,
  CATALOGUE_EXAMPLES,
  DATA_CATEGORIES,
  type DataCategory,
  DEFAULT_AGENCIES,
  EVENT_TYPES,
  type EventType,
  type PublishedEvent,
  PURPOSES_OF_USE,
  type PurposeOfUse,
  VIEWS,
  DEFAULT_ISSUING_AGENCIES,
} from '@throughline/domain';
import { discloseSubject, evolveSubjectDoc, type FoldedSubjectDoc, settleViews } from '@throughline/subjects';
import {
  mayReadSubjects,
  type OracleEvent,
  type OracleReader,
  oracleBasis,
  oracleServes,
  sharingOf,
} from '../testing/sharing-oracle';
import type { Agreement, Clause, RoleTerms } from './agreement';
import { categoryAccess } from './category-basis';
import { buildReadPolicy, type Reader } from './policy';

/**
 * The engine against the document: random agreements (role sections, never clauses, clauses
 * narrowed by fields, types and values), random sharing histories (consents recorded by different
 * agencies, concerns, break-glass claims) and random readers, each read cut by the read path and
 * compared, entry by entry and field by field, with the oracle written from docs/sharing.md.
 * `ORACLE_SEED` replays a failure (fixed by default; `random` explores afresh), `ORACLE_RUNS`
 * sets the budget.
 */
const RUNS = Number(process.env.ORACLE_RUNS ?? 500);
const SEED = process.env.ORACLE_SEED === 'random' ? undefined : Number(process.env.ORACLE_SEED ?? 20261206);
const settings = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) };

const SUBJECT = '5e0c1a9d-7b34-4f21-9c6e-2d8f4a1b3c57';
const AGENCIES = [...DEFAULT_AGENCIES];
const BASE = Date.parse('2025-03-01T00:00:00Z');
const SPAN_MINUTES = 60 * 24 * 30;
const instantAt = (minutes: number): string => new Date(BASE + minutes * 60_000).toISOString();
const DAY = 60 * 24;
/**
 * Minutes from BASE. Often a day's first minute or one either side of it, so that an expiry meets
 * the time of the read at the very instant, and a date-only expiry (its midnight) is put to the test.
 */
const minute = fc.oneof(
  fc.integer({ min: 0, max: SPAN_MINUTES }),
  fc
    .tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(-1, 0, 1))
    .map(([day, shift]) => Math.max(0, day * DAY + shift)),
);

// ---------------------------------------------------------------------------------------------
// Each run draws a small world first (a few categories, purposes and agencies), and the
// agreement, the history and the readers from it: over the whole catalogue a random clause would
// seldom meet a random event, and the rules would seldom be put to the test.
// ---------------------------------------------------------------------------------------------

const SHARING_TYPES = new Set([
  'iom.consent.given.v1',
  'iom.consent.withdrawn.v1',
  'iom.consent.refused.v1',
  'iom.safeguarding.concern-raised.v1',
  'iom.safeguarding.concern-closed.v1',
  'iom.break-glass.claimed.v1',
  'iom.break-glass.reviewed.v1',
]);
const ORDINARY = EVENT_TYPES.filter(
  (type) => !SHARING_TYPES.has(type) && CATALOGUE[type].category !== 'of-target',
);
const typesOf = (category: string): EventType[] =>
  ORDINARY.filter((type) => CATALOGUE[type].category === category);
const fieldsOf = (categories: readonly string[]): string[] => [
  ...new Set(
    categories.flatMap((category) =>
      typesOf(category).flatMap((type) => Object.keys(CATALOGUE_EXAMPLES[type] as object)),
    ),
  ),
];
/** Categories a partner publishes ordinary events in; consent and safeguarding records are among them. */
const PUBLISHED_CATEGORIES = DATA_CATEGORIES.filter((category) => typesOf(category).length > 0);

interface World {
  readonly categories: DataCategory[];
  readonly purposes: PurposeOfUse[];
  readonly agencies: string[];
}

const world: fc.Arbitrary<World> = fc.record({
  categories: fc.subarray(PUBLISHED_CATEGORIES, { minLength: 1, maxLength: 4 }),
  purposes: fc.subarray([...PURPOSES_OF_USE], { minLength: 1, maxLength: 3 }),
  agencies: fc.subarray(AGENCIES, { minLength: 2, maxLength: 4 }),
});

const ROLE_NAMES = ['iom-officer', 'mentor', 'tasking-chair'] as const;
/** Readers also hold a role the section never names: it reads nothing. */
const READER_ROLES = [...ROLE_NAMES, 'analyst', 'ig-lead'] as const;

/** Values the ordinary events below are drawn with, so a `when.data` narrowing matches some and not others. */
const WHEN_DATA: readonly Record<string, string[]>[] = [
  { context: ['licence'] },
  { context: ['on-arrest', 'voluntary'] },
  { status: ['remand'] },
];

const clause = (w: World, index: number): fc.Arbitrary<Clause> =>
  fc
    .record({
      recipients: fc.subarray(w.agencies, { minLength: 1 }),
      categories: fc.subarray(w.categories, { minLength: 1 }),
      basis: fc.constantFrom('always', 'always', 'consent', 'consent', 'safeguarding', 'never'),
      purposes: fc.subarray(w.purposes, { minLength: 1 }),
    })
    .chain(({ recipients, categories, basis, purposes }) => {
      const types = categories.flatMap(typesOf);
      return fc
        .record({
          fields: fc.option(fc.subarray(fieldsOf(categories)), { freq: 3 }),
          when: fc.option(
            fc.oneof(
              fc
                .subarray(types, { maxLength: Math.min(2, types.length) })
                .map((picked) => ({ types: picked })),
              fc.constantFrom(...WHEN_DATA).map((data) => ({ data })),
            ),
            { freq: 4 },
          ),
        })
        .map(({ fields, when }): Clause => ({
          id: `clause-${index}`,
          recipients,
          categories,
          basis,
          // A never clause serves no purpose; the document gives it no fields to narrow.
          purposes: basis === 'never' ? [] : purposes,
          legalBasis: 'Test basis',
          // The loader refuses an empty list of fields or types.
          ...(fields && fields.length > 0 && basis !== 'never' ? { fields } : {}),
          ...(when && ('data' in when || when.types.length > 0) ? { when } : {}),
        }));
    });

const roleTerms = (w: World): fc.Arbitrary<RoleTerms> =>
  fc
    .record({
      subjects: fc.option(fc.subarray(w.purposes, { minLength: 1 }), { freq: 6 }),
      other: fc.option(fc.constantFrom(...VIEWS.filter((view) => view !== 'subjects'))),
    })
    .map(({ subjects, other }) => ({
      ...(subjects ? { subjects } : {}),
      ...(other ? { [other]: ['audit'] as PurposeOfUse[] } : {}),
    }));

const agreementIn = (w: World): fc.Arbitrary<Agreement> =>
  fc
    .record({
      clauses: fc
        .integer({ min: 1, max: 8 })
        .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => clause(w, i)))),
      roles: fc.tuple(...ROLE_NAMES.map(() => fc.option(roleTerms(w), { freq: 8 }))),
      // An agreement loaded before role sections existed is still read.
      legacy: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
    })
    .map(({ clauses, roles, legacy }) => ({
      partnership: 'Oracle partnership',
      version: 'oracle',
      agencies: AGENCIES,
      breakGlass: { maxMinutes: 60, roles: ['iom-officer'], partnershipReviewers: [] },
      taskingMeeting: { roles: ['tasking-chair'], purposes: ['tasking'] },
      identifiers: DEFAULT_ISSUING_AGENCIES,
      timeZone: 'Europe/London',
      wideList: [],
      roles: legacy
        ? null
        : Object.fromEntries(ROLE_NAMES.flatMap((role, i) => (roles[i] ? [[role, roles[i]] as const] : []))),
      clauses,
    }));

const agencyOfUser = (user: string): string => user.slice(0, user.lastIndexOf('-'));
const usersOf = (w: World): string[] => w.agencies.flatMap((agency) => [`${agency}-u0`, `${agency}-u1`]);

/** An expiry in the forms the log may hold: an instant, or a date (its midnight UTC). */
const expiry = fc.oneof(
  { weight: 6, arbitrary: minute.map(instantAt) },
  { weight: 2, arbitrary: minute.map((m) => instantAt(m).slice(0, 10)) },
  // Stored before today's checks, naming no instant: what rests on it grants nothing.
  { weight: 1, arbitrary: fc.constantFrom('20990101', '2099-13-01', 'next week') },
);

type Step = readonly [type: string, publisher: string, data: Record<string, unknown>];

const stepIn = (w: World): fc.Arbitrary<Step> => {
  const types = w.categories.flatMap(typesOf);
  const scope = fc.record({
    categories: fc.subarray(w.categories, { minLength: 1 }),
    recipients: fc.subarray(w.agencies, { minLength: 1 }),
    purposes: fc.subarray(w.purposes, { minLength: 1 }),
  });
  const concernId = fc.constantFrom('SG-1', 'SG-2');
  const restrictionId = fc.constantFrom(
    '00000000-0000-4000-8000-000000000001',
    '00000000-0000-4000-8000-000000000002',
  );
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .record({ type: fc.constantFrom(...types), pick: fc.nat(), variant: fc.nat() })
        .map(({ type, pick, variant }): Step => {
          const { publishers } = CATALOGUE[type];
          const allowed = publishers === 'any' ? AGENCIES : publishers;
          const data = { ...(CATALOGUE_EXAMPLES[type] as unknown as Record<string, unknown>) };
          if (type === 'iom.drug-test.recorded.v1')
            data.context = ['on-arrest', 'licence', 'prison-mandatory', 'voluntary'][variant % 4];
          if (type === 'iom.custody.received.v1') data.status = variant % 2 ? 'remand' : 'sentenced';
          // Mostly an agency of the world, so its readers meet each other's data.
          const inWorld = allowed.filter((agency) => w.agencies.includes(agency));
          const from = inWorld.length > 0 && variant % 4 !== 0 ? inWorld : allowed;
          return [type, from[pick % from.length]!, data];
        }),
    },
    {
      weight: 4,
      arbitrary: fc
        .record({ by: fc.constantFrom(...w.agencies), scope, expires: fc.option(expiry, { freq: 2 }) })
        .map(({ by, scope: s, expires }): Step => [
          'iom.consent.given.v1',
          by,
          { scope: s, recordedBy: 'Key worker', formReference: 'CF-1', ...(expires ? { expires } : {}) },
        ]),
    },
    {
      weight: 3,
      arbitrary: fc
        .record({ by: fc.constantFrom(...AGENCIES), scope, verb: fc.constantFrom('withdrawn', 'refused') })
        .map(({ by, scope: s, verb }): Step => [
          `iom.consent.${verb}.v1`,
          by,
          { scope: s, recordedBy: 'Key worker' },
        ]),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({
          by: fc.constantFrom(...AGENCIES),
          concernId,
          categories: fc.subarray(w.categories, { minLength: 1 }),
          recipients: fc.subarray(w.agencies, { minLength: 1 }),
          expires: expiry,
        })
        .map(({ by, ...concern }): Step => [
          'iom.safeguarding.concern-raised.v1',
          by,
          { ...concern, kind: 'adult-at-risk', legalBasis: 'DPA 2018 Sch 8 para 4' },
        ]),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ by: fc.constantFrom(...AGENCIES), concernId })
        .map(({ by, concernId: id }): Step => [
          'iom.safeguarding.concern-closed.v1',
          by,
          { concernId: id, reason: 'Plan agreed' },
        ]),
    },
    {
      weight: 2,
      // The claim is made with the claimant's own credential, so it names their agency.
      arbitrary: fc
        .record({
          user: fc.constantFrom(...usersOf(w)),
          categories: fc.subarray(w.categories, { minLength: 1 }),
          expiresAt: minute.map(instantAt),
        })
        .map(({ user, categories, expiresAt }): Step => [
          'iom.break-glass.claimed.v1',
          agencyOfUser(user),
          {
            user,
            agency: agencyOfUser(user),
            categories,
            expiresAt,
            justification: 'Found unresponsive at home',
          },
        ]),
    },
    {
      weight: 2,
      // The IG lead restricts the agency's own data, naming the purposes still allowed (maybe none).
      arbitrary: fc
        .record({
          by: fc.constantFrom(...w.agencies),
          restrictionId: restrictionId,
          categories: fc.subarray(w.categories, { minLength: 1 }),
          purposes: fc.subarray(w.purposes),
        })
        .map(({ by, ...restriction }): Step => [
          'iom.record.restricted.v1',
          by,
          { ...restriction, reason: 'Accuracy contested', legalBasis: 'DPA 2018 s.47', restrictedBy: 'ig' },
        ]),
    },
    {
      weight: 1,
      // Lifted by any agency: only the one that restricted ends it.
      arbitrary: fc
        .record({ by: fc.constantFrom(...AGENCIES), restrictionId })
        .map(({ by, restrictionId: id }): Step => [
          'iom.record.restriction-lifted.v1',
          by,
          { restrictionId: id, reason: 'Checked', liftedBy: 'ig' },
        ]),
    },
  );
};

function published(steps: readonly Step[]): PublishedEvent[] {
  const registration: Step = [
    'iom.subject.registered.v1',
    'police',
    { ...CATALOGUE_EXAMPLES['iom.subject.registered.v1'] },
  ];
  return [registration, ...steps].map(([type, agency, data], index) => {
    const spec = CATALOGUE[type as EventType];
    return {
      type,
      data,
      id: `evt-${index + 1}`,
      subjectId: SUBJECT,
      position: index + 1,
      revision: index,
      meta: {
        agency,
        source: `urn:throughline:${agency}:oracle`,
        ceId: `ce-${index + 1}`,
        time: instantAt(index),
        subjectRef: SUBJECT,
        publishedBy: `${agency}-system`,
        category: spec.category as DataCategory,
      },
    } as unknown as PublishedEvent;
  });
}

const readerIn = (w: World): fc.Arbitrary<OracleReader> =>
  fc.oneof(
    {
      weight: 12,
      arbitrary: fc
        .record({ user: fc.constantFrom(...usersOf(w)), role: fc.constantFrom(...READER_ROLES) })
        .map(({ user, role }) => ({ kind: 'person' as const, user, agency: agencyOfUser(user), role })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...w.agencies).map((agency) => ({
        kind: 'system' as const,
        user: `urn:throughline:${agency}:oracle`,
        agency,
        role: 'system',
      })),
    },
  );

/** One run: an agreement, a subject's log, who reads it for what, and when. */
const scenario = world.chain((w) =>
  fc.record({
    terms: agreementIn(w),
    events: fc.array(stepIn(w), { minLength: 1, maxLength: 25 }).map(published),
    asked: fc.array(fc.tuple(readerIn(w), fc.constantFrom(...w.purposes)), { minLength: 1, maxLength: 4 }),
    at: minute.map((m) => new Date(BASE + m * 60_000)),
  }),
);

// ---------------------------------------------------------------------------------------------
// The two sides.
// ---------------------------------------------------------------------------------------------

const asOracleEvent = (event: PublishedEvent): OracleEvent => ({
  id: event.id,
  type: event.type,
  category: event.meta.category,
  publisher: event.meta.agency,
  data: event.data as unknown as Record<string, unknown>,
});

const asEngineReader = (r: OracleReader): Reader => ({
  kind: r.kind,
  id: r.user,
  agency: r.agency,
  role: r.role,
});

/** What the read path serves: the projected document (widest cuts) cut again by the request's policy. */
function engineRead(
  events: readonly PublishedEvent[],
  terms: Agreement,
  r: OracleReader,
  purpose: PurposeOfUse,
  at: Date,
) {
  const folded = events.reduce<FoldedSubjectDoc | null>(
    (doc, event) => evolveSubjectDoc(doc, event, terms),
    null,
  )!;
  const doc = settleViews(folded, terms);
  const policy = buildReadPolicy({
    reader: asEngineReader(r),
    purpose,
    agreement: terms,
    sharing: doc.sharing,
    now: at,
  });
  const served = new Map<string, string[]>();
  for (const { entry } of discloseSubject(doc, r.agency, policy)?.entries ?? [])
    served.set(entry.id, Object.keys(entry.data));
  const bases = categoryAccess({ policy, agreement: terms, reader: asEngineReader(r), purpose });
  return { served, bases };
}

function oracleRead(
  events: readonly PublishedEvent[],
  terms: Agreement,
  r: OracleReader,
  purpose: PurposeOfUse,
  at: Date,
) {
  const log = events.map(asOracleEvent);
  const sharing = sharingOf(log);
  const served = new Map<string, string[]>();
  for (const event of log) {
    const fields = oracleServes({ agreement: terms, reader: r, purpose, sharing, now: at, event });
    if (fields) served.set(event.id, [...fields]);
  }
  return { served, sharing };
}

const describeRead = (r: OracleReader, purpose: string, at: Date): string =>
  `${r.kind} ${r.user} (${r.agency}, ${r.role}) for ${purpose} at ${at.toISOString()}`;

describe('the served cut agrees with the oracle written from docs/sharing.md', () => {
  it('serves exactly the entries and fields the oracle allows, for random agreements, histories and readers', () => {
    fc.assert(
      fc.property(scenario, ({ terms, events, asked, at }) => {
        for (const [r, purpose] of asked) {
          const engine = engineRead(events, terms, r, purpose, at);
          const oracle = oracleRead(events, terms, r, purpose, at);
          const differences = events.flatMap((event) => {
            const got = engine.served.get(event.id) ?? null;
            const want = oracle.served.get(event.id) ?? null;
            return JSON.stringify(got) === JSON.stringify(want)
              ? []
              : [
                  `${event.id} ${event.type} by ${event.meta.agency}: oracle ${JSON.stringify(want)}, served ${JSON.stringify(got)}`,
                ];
          });
          expect({ read: describeRead(r, purpose, at), differences }).toEqual({
            read: describeRead(r, purpose, at),
            differences: [],
          });
        }
      }),
      settings,
    );
  });

  it("states each category's basis as the oracle reads the table, for a person the role section lets read", () => {
    fc.assert(
      fc.property(scenario, ({ terms, events, asked, at }) => {
        for (const [r, purpose] of asked) {
          if (!mayReadSubjects(terms, r, purpose)) continue;
          const engine = engineRead(events, terms, r, purpose, at);
          const { sharing } = oracleRead(events, terms, r, purpose, at);
          const differences = DATA_CATEGORIES.flatMap((category) => {
            const want = oracleBasis({ agreement: terms, reader: r, purpose, sharing, now: at, category });
            const got = engine.bases[category].basis;
            if (want === undefined || want === got) return [];
            return [`${category}: oracle ${want}, served ${got}`];
          });
          expect({ read: describeRead(r, purpose, at), differences }).toEqual({
            read: describeRead(r, purpose, at),
            differences: [],
          });
        }
      }),
      settings,
    );
  });
});

describe('basis cases the oracle found the engine getting wrong, now agreed', () => {
  const terms = (clauses: Clause[]): Agreement => ({
    partnership: 'Oracle partnership',
    version: 'oracle',
    agencies: AGENCIES,
    breakGlass: { maxMinutes: 60, roles: ['iom-officer'], partnershipReviewers: [] },
    taskingMeeting: { roles: ['tasking-chair'], purposes: ['tasking'] },
    identifiers: DEFAULT_ISSUING_AGENCIES,
    timeZone: 'Europe/London',
    wideList: [],
    roles: { 'iom-officer': { subjects: ['case-management'] } },
    clauses,
  });
  const consentClause = (recipient: string, category: DataCategory, extra: Partial<Clause> = {}): Clause => ({
    id: 'pathway-consent',
    recipients: [recipient],
    categories: [category],
    basis: 'consent',
    purposes: ['case-management'],
    legalBasis: 'UK GDPR Art 6(1)(a) consent',
    ...extra,
  });
  const consentBy = (controller: string, category: DataCategory, recipient: string): Step => [
    'iom.consent.given.v1',
    controller,
    {
      scope: { categories: [category], recipients: [recipient], purposes: ['case-management'] },
      recordedBy: 'Key worker',
      formReference: 'CF-1',
    },
  ];
  const example = (type: EventType, publisher: string): Step => [
    type,
    publisher,
    { ...(CATALOGUE_EXAMPLES[type] as unknown as Record<string, unknown>) },
  ];
  const at = new Date(BASE);
  /** Both sides of one read: the entries served, and the category's basis. */
  function both(agreementUsed: Agreement, steps: Step[], agency: string, category: DataCategory) {
    const r: OracleReader = { kind: 'person', user: `${agency}-u0`, agency, role: 'iom-officer' };
    const events = published(steps);
    const engine = engineRead(events, agreementUsed, r, 'case-management', at);
    const oracle = oracleRead(events, agreementUsed, r, 'case-management', at);
    return {
      servedAlike: JSON.stringify([...engine.served]) === JSON.stringify([...oracle.served]),
      served: [...engine.served.keys()],
      engine: engine.bases[category].basis,
      oracle: oracleBasis({
        agreement: agreementUsed,
        reader: r,
        purpose: 'case-management',
        sharing: oracle.sharing,
        now: at,
        category,
      }),
    };
  }

  // Offending is published by police and probation. Police's consent opens all of it that
  // probation does not hold as its own, and probation is served police's arrest whole; the
  // document says a basis speaks of other agencies' data, so it is `consent`.
  it("a consent from every other publisher is the basis `consent`, without one from the reader's own agency", () => {
    const read = both(
      terms([consentClause('probation', 'offending')]),
      [consentBy('police', 'offending', 'probation'), example('iom.arrest.recorded.v1', 'police')],
      'probation',
      'offending',
    );
    expect(read.servedAlike).toBe(true);
    expect(read.served).toContain('evt-3');
    expect(read.oracle).toBe('consent');
    expect(read.engine).toBe(read.oracle);
  });

  // Supervision has types any partner may publish (appointments): with every other partner's
  // consent recorded, all of it is shared with health by consent.
  it('a consent from every other partner opens a category any partner may publish', () => {
    const others = AGENCIES.filter((agency) => agency !== 'health');
    const read = both(
      terms([consentClause('health', 'supervision')]),
      others.map((controller) => consentBy(controller, 'supervision', 'health')),
      'health',
      'supervision',
    );
    expect(read.servedAlike).toBe(true);
    expect(read.oracle).toBe('consent');
    expect(read.engine).toBe(read.oracle);
  });

  // Only probation publishes risk. Health recording a consent for risk to health opens health's
  // own risk data, of which there is none: nothing of the category is shared, and probation's
  // assessment is not served, under a clause narrowed by type or not.
  it('a consent that opens none of the other agencies’ data shares nothing, narrowed clause or not', () => {
    const read = both(
      terms([consentClause('health', 'risk', { when: { types: ['iom.risk.assessed.v1'] } })]),
      [consentBy('health', 'risk', 'health'), example('iom.risk.assessed.v1', 'probation')],
      'health',
      'risk',
    );
    expect(read.servedAlike).toBe(true);
    expect(read.served).not.toContain('evt-3');
    expect(read.oracle).toBe('consent-required');
    expect(read.engine).toBe(read.oracle);
  });

  it('the same consent under the unnarrowed clause is `consent-required` on both sides', () => {
    const read = both(
      terms([consentClause('health', 'risk')]),
      [consentBy('health', 'risk', 'health'), example('iom.risk.assessed.v1', 'probation')],
      'health',
      'risk',
    );
    expect(read).toMatchObject({ servedAlike: true, oracle: 'consent-required', engine: 'consent-required' });
  });
});

describe('an agreement without a role section', () => {
  // docs/sharing.md: an agreement loaded before the role section existed keeps the practitioners'
  // reading of subjects, but the IG lead and the tasking meeting's roles read only their own tools.
  it.each(['ig-lead', 'tasking-chair'])('keeps a %s out of subjects, as the oracle does', (role) => {
    const legacy: Agreement = {
      partnership: 'Oracle partnership',
      version: 'legacy',
      agencies: AGENCIES,
      breakGlass: { maxMinutes: 60, roles: ['iom-officer'], partnershipReviewers: [] },
      taskingMeeting: { roles: ['tasking-chair'], purposes: ['tasking'] },
      identifiers: DEFAULT_ISSUING_AGENCIES,
      timeZone: 'Europe/London',
      wideList: [],
      roles: null,
      clauses: [],
    };
    const r: OracleReader = { kind: 'person', user: 'police-u0', agency: 'police', role };
    const events = published([]);
    expect(mayReadSubjects(legacy, r, 'case-management')).toBe(false);
    expect([...engineRead(events, legacy, r, 'case-management', new Date(BASE)).served.keys()]).toEqual([
      ...oracleRead(events, legacy, r, 'case-management', new Date(BASE)).served.keys(),
    ]);
  });
});

describe('expiry cases the oracle found the engine getting wrong, now agreed', () => {
  // docs/sharing.md and decision 0009: an expiry stored in a form that names no instant has
  // already passed. The platform's forms (libs/domain instants) name a real day and time; these
  // look like dates but name none, and a lax parser would read each as a later real instant
  // (2099-02-30 as 2099-03-02, 24:00 as the next midnight, a space for a T in local time).
  const terms: Agreement = {
    partnership: 'Oracle partnership',
    version: 'oracle',
    agencies: AGENCIES,
    breakGlass: { maxMinutes: 60, roles: ['iom-officer'], partnershipReviewers: [] },
    taskingMeeting: { roles: ['tasking-chair'], purposes: ['tasking'] },
    identifiers: DEFAULT_ISSUING_AGENCIES,
    timeZone: 'Europe/London',
    wideList: [],
    roles: { 'iom-officer': { subjects: ['case-management'] } },
    clauses: [
      {
        id: 'pathway-consent',
        recipients: ['police'],
        categories: ['drugs'],
        basis: 'consent',
        purposes: ['case-management'],
        legalBasis: 'UK GDPR Art 6(1)(a) consent',
      },
    ],
  };
  const r: OracleReader = { kind: 'person', user: 'police-u0', agency: 'police', role: 'iom-officer' };

  it.each(['2099-02-30', '2099-02-30T10:00:00Z', '2099-01-01T24:00:00Z', '2099-01-01 10:00', 'March 3 2099'])(
    'a consent whose stored expiry %j names no instant opens nothing',
    (expires) => {
      const events = published([
        [
          'iom.consent.given.v1',
          'health',
          {
            scope: { categories: ['drugs'], recipients: ['police'], purposes: ['case-management'] },
            recordedBy: 'Key worker',
            formReference: 'CF-1',
            expires,
          },
        ],
        ['iom.treatment.started.v1', 'health', { ...CATALOGUE_EXAMPLES['iom.treatment.started.v1'] }],
      ]);
      const at = new Date(BASE);
      const oracle = oracleRead(events, terms, r, 'case-management', at);
      expect(oracle.served.has('evt-3')).toBe(false);
      expect(engineRead(events, terms, r, 'case-management', at).served.has('evt-3')).toBe(false);
    },
  );

  it('a consent whose stored expiry is in a form Date.parse refuses too opens nothing, on both sides', () => {
    const events = published([
      [
        'iom.consent.given.v1',
        'health',
        {
          scope: { categories: ['drugs'], recipients: ['police'], purposes: ['case-management'] },
          recordedBy: 'Key worker',
          formReference: 'CF-1',
          expires: '20990101',
        },
      ],
      ['iom.treatment.started.v1', 'health', { ...CATALOGUE_EXAMPLES['iom.treatment.started.v1'] }],
    ]);
    const at = new Date(BASE);
    expect(oracleRead(events, terms, r, 'case-management', at).served.has('evt-3')).toBe(false);
    expect(engineRead(events, terms, r, 'case-management', at).served.has('evt-3')).toBe(false);
  });
});

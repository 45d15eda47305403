import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  CATALOGUE,
  CATALOGUE_EXAMPLES,
  DATA_CATEGORIES,
  type DataCategory,
  DEFAULT_AGENCIES,
  EVENT_TYPES,
  type EventType,
  PURPOSES_OF_USE,
} from '@throughline/domain';
import { parseAgreement } from '@throughline/sharing';
// The oracle is test code of the sharing lib, deliberately kept out of its public index.
// eslint-disable-next-line no-restricted-imports
import {
  type OracleEvent,
  type OracleReader,
  mayReadSubjects,
  oracleBasis,
  oracleServes,
  sharingOf,
} from '../../../libs/sharing/src/testing/sharing-oracle';
import { cloudEvent, POLICE, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

/**
 * What the API serves, held to the oracle written from docs/sharing.md: under the shipped
 * agreement, a random subject history published over HTTP by the agencies that own it (consents
 * recorded by different agencies, concerns, break-glass claims made through the API), read by
 * random practitioners for random purposes through the timeline and the record. `ORACLE_SEED`
 * replays a failure (fixed by default; `random` explores afresh), `ORACLE_E2E_RUNS` sets the budget.
 */
const RUNS = Number(process.env.ORACLE_E2E_RUNS ?? 25);
const SEED = process.env.ORACLE_SEED === 'random' ? undefined : Number(process.env.ORACLE_SEED ?? 20261206);
const settings = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true };

const SHIPPED = parseAgreement(
  readFileSync(join(__dirname, '..', '..', '..', 'infra', 'agreements', 'default-iom.yaml'), 'utf8'),
);
const AGENCIES = [...DEFAULT_AGENCIES];
const BATCH = 'application/cloudevents-batch+json';
const sourceOf = (agency: string): string => `urn:throughline:${agency}:oracle`;

const SHARING_TYPES = new Set([
  'iom.consent.given.v1',
  'iom.consent.withdrawn.v1',
  'iom.consent.refused.v1',
  'iom.safeguarding.concern-raised.v1',
  'iom.safeguarding.concern-closed.v1',
]);
/** Identity repairs are checked against the identity index (the examples name no such records): not sharing facts. */
const IDENTITY_REPAIRS = new Set<string>([
  'iom.subject.identifier-unlinked.v1',
  'iom.subject.merged.v1',
  'iom.subject.unmerged.v1',
]);
const ORDINARY = EVENT_TYPES.filter(
  (type) =>
    !SHARING_TYPES.has(type) &&
    !IDENTITY_REPAIRS.has(type) &&
    !CATALOGUE[type].recordedByPlatform &&
    !CATALOGUE[type].registersSubject &&
    CATALOGUE[type].category !== 'of-target',
);
const CLAIMANT_ROLES: Readonly<Record<string, string>> = {
  police: 'iom-officer',
  probation: 'offender-manager',
  prison: 'prison-officer',
  health: 'drug-worker',
  housing: 'housing-officer',
};
const READER_ROLES = Object.keys(SHIPPED.roles ?? {});
const PRACTITIONER_ROLES = READER_ROLES.filter((role) => SHIPPED.roles?.[role]?.subjects);

/**
 * Expiries far from the time of the read, on either side and in both forms: the read runs on the
 * real clock, and the instant itself is put to the test in the unit tier.
 */
const expiry = fc.constantFrom(
  '2025-01-01',
  '2025-06-30T12:00:00Z',
  '2097-01-01',
  '2098-06-30T12:00:00+01:00',
);
/**
 * Drawn mostly where the shipped agreement has consent and safeguarding clauses, so that a run
 * opens and closes something a reader may be served; any category still comes up.
 */
const categoriesAmong = (likely: readonly DataCategory[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.subarray([...likely], { minLength: 1, maxLength: 3 }) },
    { weight: 1, arbitrary: fc.subarray([...DATA_CATEGORIES], { minLength: 1, maxLength: 3 }) },
  );
const categories = fc.subarray([...DATA_CATEGORIES], { minLength: 1, maxLength: 4 });
const scope = fc.record({
  categories: categoriesAmong(['drugs', 'ete', 'finance', 'health', 'family', 'supervision']),
  recipients: fc.subarray(AGENCIES, { minLength: 1, maxLength: 4 }),
  purposes: fc.subarray(['case-management', 'continuity-of-care', 'safeguarding'], { minLength: 1 }),
});

/** An agency the catalogue lets publish one of the categories (any agency when none does). */
function controllerOf(categories: readonly DataCategory[], pick: number): string {
  const publishers = [
    ...new Set(
      EVENT_TYPES.filter((type) => categories.includes(CATALOGUE[type].category as DataCategory)).flatMap(
        (type) => {
          const { publishers: who } = CATALOGUE[type];
          return who === 'any' ? AGENCIES : [...who];
        },
      ),
    ),
  ];
  const from = publishers.length > 0 ? publishers : AGENCIES;
  return from[pick % from.length]!;
}

type Step =
  | {
      readonly kind: 'publish';
      readonly agency: string;
      readonly type: string;
      readonly data: Record<string, unknown>;
    }
  | { readonly kind: 'claim'; readonly agency: string; readonly categories: DataCategory[] }
  /** The agency's IG lead restricts its own data (`purposes` still allowed), or lifts its last restriction. */
  | {
      readonly kind: 'restrict';
      readonly agency: string;
      readonly categories: DataCategory[];
      readonly purposes: string[];
    }
  | { readonly kind: 'lift'; readonly agency: string };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc
      .record({
        agency: fc.constantFrom(...AGENCIES),
        categories,
        purposes: fc.subarray(['case-management', 'safeguarding', 'continuity-of-care', 'enforcement']),
      })
      .map(({ agency, categories: restricted, purposes }): Step => ({
        kind: 'restrict',
        agency,
        categories: restricted,
        purposes,
      })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...AGENCIES).map((agency): Step => ({ kind: 'lift', agency })),
  },
  {
    weight: 6,
    arbitrary: fc
      .record({ type: fc.constantFrom(...ORDINARY), pick: fc.nat(), variant: fc.nat() })
      .map(({ type, pick, variant }): Step => {
        const { publishers } = CATALOGUE[type];
        const allowed = publishers === 'any' ? AGENCIES : publishers;
        const data = { ...(CATALOGUE_EXAMPLES[type] as unknown as Record<string, unknown>) };
        if (type === 'iom.drug-test.recorded.v1')
          data.context = ['on-arrest', 'licence', 'prison-mandatory', 'voluntary'][variant % 4];
        return { kind: 'publish', agency: allowed[pick % allowed.length]!, type, data };
      }),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({ other: fc.nat(), pick: fc.nat(), scope, expires: fc.option(expiry) })
      .map(({ other, pick, scope: s, expires }): Step => ({
        kind: 'publish',
        // Mostly an agency that publishes what the consent names, as the controller holding the
        // form would be; sometimes another, whose consent opens none of that data.
        agency: other % 3 === 0 ? AGENCIES[pick % AGENCIES.length]! : controllerOf(s.categories, pick),
        type: 'iom.consent.given.v1',
        data: { scope: s, recordedBy: 'Key worker', formReference: 'CF-1', ...(expires ? { expires } : {}) },
      })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ agency: fc.constantFrom(...AGENCIES), scope, verb: fc.constantFrom('withdrawn', 'refused') })
      .map(({ agency, scope: s, verb }): Step => ({
        kind: 'publish',
        agency,
        type: `iom.consent.${verb}.v1`,
        data: { scope: s, recordedBy: 'Key worker' },
      })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        agency: fc.constantFrom(...AGENCIES),
        concernId: fc.constantFrom('SG-1', 'SG-2'),
        categories: categoriesAmong(['intelligence', 'health', 'family', 'risk']),
        recipients: fc.subarray(AGENCIES, { minLength: 1, maxLength: 4 }),
        expires: expiry,
      })
      .map(({ agency, ...concern }): Step => ({
        kind: 'publish',
        agency,
        type: 'iom.safeguarding.concern-raised.v1',
        data: { ...concern, kind: 'adult-at-risk', legalBasis: 'DPA 2018 Sch 8 para 4' },
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ agency: fc.constantFrom(...AGENCIES), concernId: fc.constantFrom('SG-1', 'SG-2') })
      .map(({ agency, concernId }): Step => ({
        kind: 'publish',
        agency,
        type: 'iom.safeguarding.concern-closed.v1',
        data: { concernId, reason: 'Plan agreed' },
      })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ agency: fc.constantFrom(...Object.keys(CLAIMANT_ROLES)), categories })
      .map(({ agency, categories: asked }): Step => ({
        kind: 'claim',
        agency,
        // A claim may not name a category a never clause closes to the claimant's agency.
        categories: asked.filter(
          (category) =>
            !SHIPPED.clauses.some(
              (c) => c.basis === 'never' && c.recipients.includes(agency) && c.categories.includes(category),
            ),
        ),
      })),
  },
);

/** A practitioner of the run: claimants read too, so their own claims are put to the test. */
const reader = fc.record({
  agency: fc.constantFrom(...AGENCIES),
  // Mostly roles and purposes that read subjects, so most reads are cut rather than refused.
  role: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...PRACTITIONER_ROLES) },
    { weight: 1, arbitrary: fc.constantFrom(...READER_ROLES) },
  ),
  claimant: fc.boolean(),
  purpose: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('case-management', 'safeguarding', 'continuity-of-care') },
    { weight: 1, arbitrary: fc.constantFrom(...PURPOSES_OF_USE) },
  ),
});

const run = fc.record({
  steps: fc.array(step, { minLength: 3, maxLength: 12 }),
  readers: fc.array(reader, { minLength: 3, maxLength: 5 }),
});

describe('what the API serves agrees with the oracle written from docs/sharing.md', () => {
  let t: TestApp;
  const systems = new Map<string, string>();

  const systemToken = async (agency: string): Promise<string> => {
    let token = systems.get(agency);
    if (!token) systems.set(agency, (token = await t.systemToken(agency, [sourceOf(agency), POLICE])));
    return token;
  };

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** Publishes the run's history and returns the subject and its log as the oracle reads it. */
  async function publishHistory(steps: readonly Step[], users: ReadonlyMap<string, string>) {
    const journey = new SubjectJourney();
    const registration = journey.registered('Robin', 'Oracle');
    const registered = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${await systemToken('police')}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify([registration]))
      .expect(200);
    const subjectId = registered.body.results[0].subjectId as string;
    const log: OracleEvent[] = [
      {
        id: registration.id,
        type: registration.type,
        category: 'identity',
        publisher: 'police',
        data: registration.data,
      },
    ];
    const restrictions = new Map<string, string[]>();
    for (const s of steps) {
      if (s.kind === 'restrict' || s.kind === 'lift') {
        const lead = `Bearer ${await t.personToken(s.agency, 'ig-lead', `${s.agency}-ig`)}`;
        const made = restrictions.get(s.agency) ?? [];
        if (s.kind === 'restrict') {
          const data = {
            categories: s.categories,
            purposes: s.purposes,
            reason: 'Contested',
            legalBasis: 's.47',
          };
          const response = await t.http
            .post(`/v1/audit/restrictions/${subjectId}`)
            .set('Authorization', lead)
            .send(data)
            .expect(201);
          restrictions.set(s.agency, [...made, response.body.restrictionId as string]);
          log.push({
            id: response.body.eventId as string,
            type: 'iom.record.restricted.v1',
            category: 'consent',
            publisher: s.agency,
            data: {
              ...data,
              restrictionId: response.body.restrictionId as string,
              restrictedBy: `${s.agency}-ig`,
            },
          });
        } else if (made.length > 0) {
          const restrictionId = made.at(-1)!;
          const response = await t.http
            .post(`/v1/audit/restrictions/${subjectId}/${restrictionId}/lift`)
            .set('Authorization', lead)
            .send({ reason: 'Checked' })
            .expect(201);
          restrictions.set(s.agency, made.slice(0, -1));
          log.push({
            id: response.body.eventId as string,
            type: 'iom.record.restriction-lifted.v1',
            category: 'consent',
            publisher: s.agency,
            data: { restrictionId, reason: 'Checked', liftedBy: `${s.agency}-ig` },
          });
        }
        continue;
      }
      if (s.kind === 'publish') {
        // An identifier names one person: each run's subject gets its own.
        const data =
          s.type === 'iom.subject.identifier-linked.v1'
            ? { scheme: 'local', value: `L-${randomUUID().slice(0, 12)}` }
            : s.data;
        const event = cloudEvent(sourceOf(s.agency), s.type, subjectId, data);
        const response = await t.http
          .post('/v1/events')
          .set('Authorization', `Bearer ${await systemToken(s.agency)}`)
          .set('Content-Type', BATCH)
          .send(JSON.stringify([event]));
        expect({ type: s.type, status: response.status }).toEqual({ type: s.type, status: 200 });
        const category = CATALOGUE[s.type as EventType].category;
        log.push({ id: event.id, type: s.type, category, publisher: s.agency, data });
        continue;
      }
      if (s.categories.length === 0) continue;
      const user = users.get(s.agency)!;
      const token = await t.personToken(s.agency, CLAIMANT_ROLES[s.agency]!, user);
      const justification = 'Reported missing after release; contacts needed now';
      const claim = await t.http
        .post(`/v1/subjects/${subjectId}/break-glass`)
        .set('Authorization', `Bearer ${token}`)
        .send({ justification, categories: s.categories, minutes: 30 })
        .expect(201);
      log.push({
        id: claim.body.eventId as string,
        type: 'iom.break-glass.claimed.v1',
        category: 'safeguarding',
        publisher: s.agency,
        data: {
          user,
          agency: s.agency,
          categories: s.categories,
          expiresAt: claim.body.expiresAt as string,
          justification,
        },
      });
    }
    await t.settle();
    return { subjectId, log };
  }

  it('serves every entry the oracle allows and no other, with only its fields, and states its bases', async () => {
    const details = await fc.check(
      fc.asyncProperty(run, async ({ steps, readers }) => {
        const runId = randomUUID().slice(0, 8);
        const users = new Map(AGENCIES.map((agency) => [agency, `${agency}-claimant-${runId}`]));
        const { subjectId, log } = await publishHistory(steps, users);
        for (const { agency, role, claimant, purpose } of readers) {
          const user = claimant ? users.get(agency)! : `${agency}-${role}-${runId}`;
          const r: OracleReader = { kind: 'person', user, agency, role };
          const token = await t.personToken(agency, role, user);
          const get = (path: string) =>
            t.http.get(path).set('Authorization', `Bearer ${token}`).set('X-Purpose-Of-Use', purpose);
          const timeline = await get(`/v1/subjects/${subjectId}/timeline?limit=200`);
          const record = await get(`/v1/subjects/${subjectId}`);
          const now = new Date();
          const sharing = sharingOf(log);
          const who = `${agency} ${role}${claimant ? ' (claimant)' : ''} for ${purpose}`;

          if (!mayReadSubjects(SHIPPED, r, purpose)) {
            expect({ who, timeline: timeline.status, record: record.status }).toEqual({
              who,
              timeline: 403,
              record: 403,
            });
            continue;
          }
          const allowed = new Map<string, string[]>();
          for (const event of log) {
            const fields = oracleServes({ agreement: SHIPPED, reader: r, purpose, sharing, now, event });
            if (fields) allowed.set(event.id, [...fields].sort());
          }
          if (allowed.size === 0) {
            // Nothing to serve is told as a subject not found, not as an empty timeline.
            expect({ who, timeline: timeline.status, record: record.status }).toEqual({
              who,
              timeline: 404,
              record: 404,
            });
            continue;
          }
          expect({ who, timeline: timeline.status, record: record.status }).toEqual({
            who,
            timeline: 200,
            record: 200,
          });
          const items = timeline.body.items as { id: string; data: Record<string, unknown> }[];
          const served = new Map(items.map((item) => [item.id, Object.keys(item.data).sort()]));
          const differences = log.flatMap((event) => {
            const want = allowed.get(event.id) ?? null;
            const got = served.get(event.id) ?? null;
            return JSON.stringify(want) === JSON.stringify(got)
              ? []
              : [
                  `${event.type} by ${event.publisher}: oracle ${JSON.stringify(want)}, served ${JSON.stringify(got)}`,
                ];
          });
          expect({ who, differences }).toEqual({ who, differences: [] });
          // A field served is the value published, not a stand-in.
          const altered = items.flatMap((item) => {
            const published = log.find((event) => event.id === item.id)!.data;
            return Object.entries(item.data)
              .filter(([field, value]) => JSON.stringify(value) !== JSON.stringify(published[field]))
              .map(([field]) => `${item.id}.${field}`);
          });
          expect({ who, altered }).toEqual({ who, altered: [] });

          const bases = record.body.bases as Record<string, string>;
          const basisDifferences = DATA_CATEGORIES.flatMap((category) => {
            const want = oracleBasis({ agreement: SHIPPED, reader: r, purpose, sharing, now, category });
            const got = bases[category] ?? 'missing';
            if (want === undefined || want === got) return [];
            return [`${category}: oracle ${want}, served ${got}`];
          });
          expect({ who, basisDifferences }).toEqual({ who, basisDifferences: [] });
        }
      }),
      settings,
    );
    if (details.failed) {
      const why = details.errorInstance instanceof Error ? details.errorInstance.message : '';
      throw new Error(`ORACLE_SEED=${details.seed} (run ${details.numRuns}): ${why}`);
    }
  });
});

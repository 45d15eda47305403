import {
  CATALOGUE,
  type DataCategory,
  DEFAULT_AGENCIES,
  type DefaultAgency,
  type PurposeOfUse,
} from '@throughline/domain';
import { ProjectionRunner } from '@throughline/projections';
// The decision table is test data of the sharing lib, deliberately kept out of its public index.
// eslint-disable-next-line no-restricted-imports
import {
  type CellState,
  expectedRead,
  PRACTITIONERS,
  type Probe,
  PROBES,
  probeData,
} from '../../../libs/sharing/src/domain/decision-table.data';
import { cloudEvent, POLICE, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const BATCH = 'application/cloudevents-batch+json';
const PURPOSES: readonly PurposeOfUse[] = ['case-management', 'safeguarding'];
const sourceOf = (agency: string): string => `urn:throughline:${agency}:decision-table`;

/** One event on the subject's timeline, as published, and the table probe it stands for. */
interface Published {
  readonly ceId: string;
  readonly publisher: DefaultAgency;
  readonly probe: Probe;
}

/** A consent's scope and the agency that recorded it: the controller whose data alone it opens. */
interface Consent {
  readonly categories: DataCategory[];
  readonly recipients: string[];
  readonly purposes: PurposeOfUse[];
  readonly controller: DefaultAgency;
}

/** The consents and concern in force, as the table's per-cell state for one reader, category and purpose. */
interface Sharing {
  readonly consents?: readonly Consent[];
  readonly concern?: { categories: DataCategory[]; recipients: string[] };
}
const stateFor = (
  sharing: Sharing,
  agency: string,
  category: DataCategory,
  purpose: PurposeOfUse,
  publisher: DefaultAgency,
): CellState => {
  const covering = (sharing.consents ?? []).filter(
    (consent) =>
      consent.categories.includes(category) &&
      consent.recipients.includes(agency) &&
      consent.purposes.includes(purpose),
  );
  return {
    consent: covering.some((consent) => consent.controller === publisher)
      ? 'given'
      : covering.length > 0
        ? 'other-agency'
        : 'none',
    concern:
      sharing.concern?.categories.includes(category) && sharing.concern.recipients.includes(agency)
        ? 'open'
        : 'none',
    breakGlass: 'none',
  };
};

/**
 * The default decision table against the served HTTP timeline: one subject with an event of every
 * probe of every category, each published by two partners where the catalogue allows two, read by
 * every partner for case management and for safeguarding; then consent and a safeguarding concern
 * given over HTTP, and the affected cells checked on the very next read.
 */
describe('the decision table over HTTP', () => {
  let t: TestApp;
  let subjectId: string;
  const journey = new SubjectJourney();
  const published: Published[] = [];

  const publish = async (agency: DefaultAgency, events: unknown[]): Promise<void> => {
    const token = await t.systemToken(agency, [sourceOf(agency), POLICE]);
    const response = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify(events));
    expect({ agency, status: response.status, body: response.status === 200 ? null : response.body }).toEqual(
      {
        agency,
        status: 200,
        body: null,
      },
    );
  };

  /** Publishes a probe from a partner, by partnership id, and remembers it. */
  const publishProbe = async (probe: Probe, publisher: DefaultAgency): Promise<void> => {
    const event = cloudEvent(sourceOf(publisher), probe.type, subjectId, probeData(probe));
    await publish(publisher, [event]);
    published.push({ ceId: event.id, publisher, probe });
  };

  /** What each event looks like on the reader's timeline: its data's field names, or absent. */
  const timeline = async (agency: DefaultAgency, purpose: PurposeOfUse): Promise<Map<string, string[]>> => {
    const token = await t.personToken(agency, PRACTITIONERS[agency], `${agency}-table-reader`);
    const response = await t.http
      .get(`/v1/subjects/${subjectId}/timeline?limit=200`)
      .set('Authorization', `Bearer ${token}`)
      .set('X-Purpose-Of-Use', purpose);
    expect(response.status).toBe(200);
    const items = response.body.items as { id: string; data: Record<string, unknown> }[];
    return new Map(items.map((item) => [item.id, Object.keys(item.data).sort()]));
  };

  /** Every cell the subject's timeline can show a reader (events it did not publish), table versus served. */
  const disagreements = async (
    sharing: Sharing,
    readers: readonly DefaultAgency[] = DEFAULT_AGENCIES,
  ): Promise<string[]> => {
    const found: string[] = [];
    for (const agency of readers) {
      for (const purpose of PURPOSES) {
        const served = await timeline(agency, purpose);
        for (const { ceId, publisher, probe } of published) {
          // Each agency always sees its own publications; that rule is proven in the unit tier.
          if (publisher === agency) continue;
          const state = stateFor(sharing, agency, probe.category, purpose, publisher);
          const expected = expectedRead({
            reader: { kind: 'person', agency },
            purpose,
            probe,
            publisher,
            state,
          });
          const want = expected.allowed ? `[${[...expected.fields].sort().join(',')}]` : 'absent';
          const got = served.has(ceId) ? `[${served.get(ceId)!.join(',')}]` : 'absent';
          if (want !== got) {
            const states = `consent ${state.consent}, concern ${state.concern}`;
            found.push(
              `${agency} / ${purpose} / ${probe.type}${variantOf(probe)} (${probe.category}) from ${publisher} / ${states}: table ${want}, served ${got}`,
            );
          }
        }
      }
    }
    return found;
  };

  beforeAll(async () => {
    t = await startTestApp();
    const token = await t.systemToken('police', [POLICE]);
    const registration = journey.registered('Jordan', 'Ellery');
    const registered = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify([registration]));
    expect(registered.status).toBe(200);
    subjectId = registered.body.results[0].subjectId as string;
    published.push({
      ceId: registration.id,
      publisher: 'police',
      probe: { category: 'identity', type: 'iom.subject.registered.v1', data: registration.data },
    });

    for (const probe of PROBES) {
      if (probe.type === 'iom.break-glass.claimed.v1' || probe.type === 'iom.subject.registered.v1') continue;
      const { publishers } = CATALOGUE[probe.type];
      const allowed = publishers === 'any' ? DEFAULT_AGENCIES : publishers;
      // Two publishers where the catalogue allows, so every reader has a copy it did not publish.
      for (const publisher of allowed.slice(0, 2)) await publishProbe(sharedProbe(probe), publisher);
    }
    // Identity as published by a partner other than the registering police.
    await publishProbe(
      {
        category: 'identity',
        type: 'iom.subject.identifier-linked.v1',
        data: { scheme: 'local', value: `L-${journey.crn}` },
      },
      'probation',
    );

    // Break-glass claims are recorded by the platform for a practitioner; two partners claim.
    for (const [agency, role] of [
      ['police', 'iom-officer'],
      ['probation', 'offender-manager'],
    ] as const) {
      const claimant = await t.personToken(agency, role, `${agency}-claimant`);
      const claim = await t.http
        .post(`/v1/subjects/${subjectId}/break-glass`)
        .set('Authorization', `Bearer ${claimant}`)
        .send({
          justification: 'Reported missing after release; need the contacts now',
          categories: ['identity'],
          minutes: 5,
        });
      expect(claim.status).toBe(201);
      const data = {
        user: `${agency}-claimant`,
        agency,
        categories: ['identity'],
        expiresAt: claim.body.expiresAt as string,
        justification: 'Reported missing after release; need the contacts now',
      };
      published.push({
        ceId: claim.body.eventId as string,
        publisher: agency,
        probe: { category: 'safeguarding', type: 'iom.break-glass.claimed.v1', data },
      });
    }
    await t.settle();
  });
  afterAll(() => t.close());

  it('published every probe of every category, two copies where two partners may publish', () => {
    expect(new Set(published.map((p) => p.probe.category)).size).toBe(15);
    expect(published.length).toBeGreaterThanOrEqual(PROBES.length);
  });

  it('with no consent and no concern, every partner sees exactly the cells the table gives it', async () => {
    expect(await disagreements({})).toEqual([]);
  });

  describe('consent given over HTTP', () => {
    const scope = {
      categories: ['drugs', 'health'] as DataCategory[],
      recipients: ['police', 'probation'],
      purposes: ['case-management'] as PurposeOfUse[],
    };
    const byPolice: Consent = { ...scope, controller: 'police' };
    const byHealth: Consent = { ...scope, controller: 'health' };
    const consentFrom = (agency: DefaultAgency, form: string): unknown =>
      cloudEvent(sourceOf(agency), 'iom.consent.given.v1', subjectId, {
        scope,
        expires: '2099-01-01T00:00:00Z',
        recordedBy: 'Key worker R. Patel',
        formReference: form,
      });

    it("a consent police records opens none of health's data to police, only police's own", async () => {
      await publish('police', [consentFrom('police', 'CF-TABLE-POLICE')]);
      const healthDrugs = published.filter((p) => p.publisher === 'health' && p.probe.category === 'drugs');
      expect(healthDrugs.length).toBeGreaterThan(0);
      const served = await timeline('police', 'case-management');
      expect(healthDrugs.filter((p) => served.has(p.ceId))).toEqual([]);
      expect(await disagreements({ consents: [byPolice] }, ['police', 'probation'])).toEqual([]);
      await t.settle();
      expect(await disagreements({ consents: [byPolice] })).toEqual([]);
    });

    it('opens the consented cells on the very next read, before the projection has applied it', async () => {
      const runner = t.app.get(ProjectionRunner);
      await runner.stop();
      try {
        await publish('health', [consentFrom('health', 'CF-TABLE-1')]);
        expect(await disagreements({ consents: [byPolice, byHealth] }, ['police', 'probation'])).toEqual([]);
      } finally {
        await runner.start();
      }
    });

    it('and the projection agrees once it has applied it', async () => {
      await t.settle();
      expect(await disagreements({ consents: [byPolice, byHealth] })).toEqual([]);
    });
  });

  describe('a safeguarding concern raised over HTTP', () => {
    const scope = {
      categories: ['drugs', 'health'] as DataCategory[],
      recipients: ['police', 'probation'],
      purposes: ['case-management'] as PurposeOfUse[],
    };
    const consents: Consent[] = [
      { ...scope, controller: 'police' },
      { ...scope, controller: 'health' },
    ];
    const concern = {
      categories: ['health', 'family', 'risk'] as DataCategory[],
      recipients: ['police', 'prison', 'housing'],
    };

    it('opens the S cells to the named partners for safeguarding on the very next read', async () => {
      const runner = t.app.get(ProjectionRunner);
      await runner.stop();
      try {
        await publish('probation', [
          cloudEvent(sourceOf('probation'), 'iom.safeguarding.concern-raised.v1', subjectId, {
            concernId: 'SG-TABLE-1',
            kind: 'adult-at-risk',
            legalBasis: 'DPA 2018 Sch 8 para 4',
            categories: concern.categories,
            recipients: concern.recipients,
            expires: '2099-01-01T00:00:00Z',
          }),
        ]);
        expect(await disagreements({ consents, concern }, ['police', 'prison', 'housing'])).toEqual([]);
      } finally {
        await runner.start();
      }
    });

    it('and the projection agrees once it has applied it', async () => {
      await t.settle();
      expect(await disagreements({ consents, concern })).toEqual([]);
    });

    it('closing the concern and withdrawing the consent close the cells again on the next read', async () => {
      await publish('probation', [
        cloudEvent(sourceOf('probation'), 'iom.safeguarding.concern-closed.v1', subjectId, {
          concernId: 'SG-TABLE-1',
          reason: 'Plan agreed',
        }),
        cloudEvent(sourceOf('probation'), 'iom.consent.withdrawn.v1', subjectId, {
          scope,
          recordedBy: 'Offender manager',
        }),
      ]);
      expect(await disagreements({}, ['police', 'prison', 'probation', 'housing'])).toEqual([]);
      await t.settle();
      expect(await disagreements({})).toEqual([]);
    });
  });
});

/** Tells apart the probes of one type, e.g. drug tests taken on licence or on arrest. */
function variantOf(probe: Probe): string {
  const context = probeData(probe).context;
  return typeof context === 'string' ? ` [${context}]` : '';
}

/**
 * Probes whose catalogue example would itself change sharing are published with data that opens
 * nothing (expired), so the baseline really is "no consent, no concern".
 */
function sharedProbe(probe: Probe): Probe {
  if (probe.type === 'iom.consent.given.v1') {
    return {
      ...probe,
      data: {
        scope: { categories: ['finance'], recipients: ['housing'], purposes: ['case-management'] },
        expires: '2020-01-01T00:00:00Z',
        recordedBy: 'Mentor A. Shah',
        formReference: 'CF-OLD-1',
      },
    };
  }
  if (probe.type === 'iom.safeguarding.concern-raised.v1') {
    return {
      ...probe,
      data: {
        concernId: 'SG-OLD-1',
        kind: 'child',
        legalBasis: 'DPA 2018 Sch 8 para 4',
        categories: ['family'],
        recipients: ['police'],
        expires: '2020-01-01T00:00:00Z',
        summary: 'Children at the address; closed by expiry',
      },
    };
  }
  return probe;
}

import {
  CATALOGUE,
  CATALOGUE_EXAMPLES,
  type DataCategory,
  DEFAULT_AGENCIES,
  type DefaultAgency,
  type EventType,
  type PublishedEvent,
  type PurposeOfUse,
} from '@throughline/domain';

/**
 * The default sharing table of the domain brief (section 6), kept as plain data so the tests can
 * hold the agreement YAML and the CASL policy to it. Nothing here is read from the YAML or from the
 * policy code: if the two disagree with this file, one of them is wrong and the test says which
 * cell. The purposes each clause serves are not in the brief's table, so they were copied from the
 * shipped agreement (infra/agreements/default-iom.yaml, version 2025.1); a change to a clause's
 * purposes is a policy change and should fail here until this file is updated on purpose.
 *
 * Beside the table: the semantics it leaves open, the probe events, and the small interpreter
 * (`expectedRead`, `widestRead`) that the ability spec, the served-view spec and the HTTP spec all
 * share, so that the three tiers are held to one reading of the table.
 */

/**
 * One way a cell opens: A (always for the purposes), C (with the subject's consent covering this
 * recipient, category and purpose) or S (while a safeguarding concern is open to this recipient for
 * this category). `fields`, `types` and `data` narrow it as the table's notes do.
 */
export interface Grant {
  readonly basis: 'A' | 'C' | 'S';
  readonly purposes: readonly PurposeOfUse[];
  /** Only these data fields (custody dates only); every field when absent. */
  readonly fields?: readonly string[];
  /** Only these event types (key-worker events only). */
  readonly types?: readonly EventType[];
  /** Only events whose data has one of these values (drug tests taken on licence). */
  readonly data?: Readonly<Record<string, readonly string[]>>;
}

export interface Cell {
  /** The cell as the brief prints it, for failure messages and the report. */
  readonly mark: string;
  /** Any grant that holds opens the cell; an empty list is the brief's `-`. */
  readonly grants: readonly Grant[];
  /**
   * A `-` the agreement writes down as `never`: not even break-glass reaches it. Other `-` cells
   * share nothing by agreement but stay reachable in an emergency.
   */
  readonly never?: true;
}

// Purposes, as the default agreement's clauses list them. No clause serves `tasking`: a meeting
// sees the board's flags, and detail only as the owning agency presents it.
const OPERATIONAL: readonly PurposeOfUse[] = [
  'case-management',
  'safeguarding',
  'continuity-of-care',
  'enforcement',
];
const POLICE_INTELLIGENCE: readonly PurposeOfUse[] = ['case-management', 'enforcement', 'safeguarding'];
const CARE: readonly PurposeOfUse[] = ['case-management', 'continuity-of-care'];
const CJ_CONSENT: readonly PurposeOfUse[] = ['case-management', 'continuity-of-care'];
const HEALTH_CORE: readonly PurposeOfUse[] = ['case-management', 'continuity-of-care', 'safeguarding'];
const LICENCE_TESTS: readonly PurposeOfUse[] = ['case-management', 'enforcement'];
/** S cells serve the safeguarding purpose only. */
const SAFEGUARDING: readonly PurposeOfUse[] = ['safeguarding'];
const CONSENT_RECORDS: readonly PurposeOfUse[] = [
  'case-management',
  'continuity-of-care',
  'safeguarding',
  'audit',
];
const SAFEGUARDING_RECORDS: readonly PurposeOfUse[] = ['safeguarding', 'case-management'];

/** Custody "dates only": that a person is in custody and when they leave, not where or why. */
export const CUSTODY_DATE_FIELDS: readonly string[] = ['expectedRelease', 'date', 'releasedAt'];

const always = (purposes: readonly PurposeOfUse[]): Cell => ({
  mark: 'A',
  grants: [{ basis: 'A', purposes }],
});
const consent = (purposes: readonly PurposeOfUse[]): Cell => ({
  mark: 'C',
  grants: [{ basis: 'C', purposes }],
});
const underConcern: Cell = { mark: 'S', grants: [{ basis: 'S', purposes: SAFEGUARDING }] };
const nothing: Cell = { mark: '-', grants: [] };
const never: Cell = { mark: '-', grants: [], never: true };
const custodyDates: Cell = {
  mark: 'A (dates only)',
  grants: [{ basis: 'A', purposes: CARE, fields: CUSTODY_DATE_FIELDS }],
};
const keyWorkerOnly: Cell = {
  mark: 'A (key worker)',
  grants: [{ basis: 'A', purposes: CARE, types: ['iom.key-worker.assigned.v1'] }],
};

/**
 * Recipient x category. The thirteen columns of the brief's table, then the consent and
 * safeguarding records, which the brief leaves to the agreement (clauses consent-records and
 * safeguarding-records): every partner sees consent records, the four statutory and health
 * partners see safeguarding records (and break-glass claims, which are in that category).
 */
export const DEFAULT_TABLE: Readonly<Record<DefaultAgency, Readonly<Record<DataCategory, Cell>>>> = {
  police: {
    identity: always(OPERATIONAL),
    cohort: always(OPERATIONAL),
    offending: always(OPERATIONAL),
    intelligence: always(POLICE_INTELLIGENCE),
    custody: always(OPERATIONAL),
    supervision: always(OPERATIONAL),
    risk: always(OPERATIONAL),
    drugs: consent(CJ_CONSENT),
    health: underConcern,
    housing: always(OPERATIONAL),
    ete: consent(CJ_CONSENT),
    finance: consent(CJ_CONSENT),
    family: underConcern,
    consent: always(CONSENT_RECORDS),
    safeguarding: always(SAFEGUARDING_RECORDS),
  },
  probation: {
    identity: always(OPERATIONAL),
    cohort: always(OPERATIONAL),
    offending: always(OPERATIONAL),
    intelligence: underConcern,
    custody: always(OPERATIONAL),
    supervision: always(OPERATIONAL),
    risk: always(OPERATIONAL),
    // The licence condition is the statute that lets probation see the tests it ordered; consent
    // opens every drugs event (licence tests included) for the consented purposes.
    drugs: {
      mark: 'A (licence drug tests) / C',
      grants: [
        {
          basis: 'A',
          purposes: LICENCE_TESTS,
          types: ['iom.drug-test.recorded.v1'],
          data: { context: ['licence'] },
        },
        { basis: 'C', purposes: CARE },
      ],
    },
    health: consent(CARE),
    housing: always(OPERATIONAL),
    ete: always(CARE),
    finance: always(CARE),
    family: consent(CARE),
    consent: always(CONSENT_RECORDS),
    safeguarding: always(SAFEGUARDING_RECORDS),
  },
  prison: {
    identity: always(OPERATIONAL),
    cohort: always(OPERATIONAL),
    offending: always(OPERATIONAL),
    intelligence: underConcern,
    custody: always(OPERATIONAL),
    supervision: always(OPERATIONAL),
    risk: always(OPERATIONAL),
    drugs: consent(CJ_CONSENT),
    health: consent(CARE),
    housing: always(OPERATIONAL),
    ete: consent(CJ_CONSENT),
    finance: consent(CJ_CONSENT),
    family: underConcern,
    consent: always(CONSENT_RECORDS),
    safeguarding: always(SAFEGUARDING_RECORDS),
  },
  health: {
    identity: always(OPERATIONAL),
    cohort: always(HEALTH_CORE),
    offending: never,
    intelligence: never,
    custody: custodyDates,
    supervision: consent(CARE),
    risk: underConcern,
    drugs: always(HEALTH_CORE),
    health: always(HEALTH_CORE),
    housing: always(HEALTH_CORE),
    ete: consent(CARE),
    finance: consent(CARE),
    family: underConcern,
    consent: always(CONSENT_RECORDS),
    safeguarding: always(SAFEGUARDING_RECORDS),
  },
  housing: {
    identity: always(OPERATIONAL),
    cohort: keyWorkerOnly,
    offending: never,
    intelligence: never,
    custody: custodyDates,
    supervision: nothing,
    risk: underConcern,
    drugs: nothing,
    health: nothing,
    housing: always(CARE),
    ete: consent(CARE),
    finance: consent(CARE),
    family: nothing,
    consent: always(CONSENT_RECORDS),
    safeguarding: nothing,
  },
  voluntary: {
    identity: always(OPERATIONAL),
    cohort: keyWorkerOnly,
    offending: never,
    intelligence: never,
    custody: custodyDates,
    supervision: consent(CARE),
    risk: nothing,
    drugs: consent(CARE),
    health: nothing,
    housing: always(CARE),
    ete: always(CARE),
    finance: always(CARE),
    family: consent(CARE),
    consent: always(CONSENT_RECORDS),
    safeguarding: nothing,
  },
};

/**
 * The semantics the table alone does not settle, decided here so the tests can hold the code to them.
 */
export const SEMANTICS = {
  /**
   * A live claim (same user and agency, not yet expired) opens the claimed categories for any
   * purpose and with every field, except `never` cells. It is the weakest reason: where the
   * agreement also allows, the agreement is the stated reason. Who may claim (the agreement's
   * breakGlass.roles) is checked when the claim is made, so the read does not check the role again.
   */
  breakGlass: 'claimed categories, any purpose, every field, never cells excepted',
  /** Agency systems publish; people read. A system principal is refused every read, even of its own agency's events. */
  systemPrincipal: 'always deny',
  /** A person always sees everything their agency published, for any purpose, never cells included. */
  ownPublication: 'always allow, every field, any purpose',
  /**
   * The tasking chair reads a subject with their agency's slice, like any colleague: the agreement
   * has no per-role clauses. What a meeting sees without the detail is the tasking board.
   */
  taskingChair: "the chair's agency's cells",
} as const;

/** The practitioner role each partner's reader has when the table is run (the chair and the system are added by the specs). */
export const PRACTITIONERS: Readonly<Record<DefaultAgency, string>> = {
  police: 'iom-officer',
  probation: 'offender-manager',
  prison: 'prison-officer',
  health: 'drug-worker',
  housing: 'housing-officer',
  voluntary: 'mentor',
};

/**
 * The events each category is probed with: one per category, more where a cell is narrowed by
 * type, data or fields, so both sides of every narrowing are exercised. `data` overrides the
 * catalogue example.
 */
export interface Probe {
  readonly category: DataCategory;
  readonly type: EventType;
  readonly data?: Readonly<Record<string, unknown>>;
}

export const PROBES: readonly Probe[] = [
  { category: 'identity', type: 'iom.subject.registered.v1' },
  { category: 'cohort', type: 'iom.cohort.scored.v1' },
  { category: 'cohort', type: 'iom.key-worker.assigned.v1' },
  { category: 'offending', type: 'iom.arrest.recorded.v1' },
  { category: 'intelligence', type: 'iom.intelligence.logged.v1' },
  {
    category: 'custody',
    type: 'iom.custody.received.v1',
    data: { establishment: 'HMP Birmingham', status: 'remand', expectedRelease: '2025-06-01' },
  },
  { category: 'custody', type: 'iom.custody.released.v1' },
  { category: 'supervision', type: 'iom.appointment.missed.v1' },
  { category: 'risk', type: 'iom.risk.assessed.v1' },
  {
    category: 'drugs',
    type: 'iom.drug-test.recorded.v1',
    data: { context: 'licence', results: [{ substance: 'opiates', result: 'positive' }] },
  },
  { category: 'drugs', type: 'iom.drug-test.recorded.v1' },
  { category: 'drugs', type: 'iom.treatment.started.v1' },
  { category: 'health', type: 'iom.health.concern-recorded.v1' },
  { category: 'housing', type: 'iom.accommodation.changed.v1' },
  { category: 'ete', type: 'iom.employment.changed.v1' },
  { category: 'finance', type: 'iom.benefits.changed.v1' },
  { category: 'family', type: 'iom.family.circumstance-recorded.v1' },
  { category: 'consent', type: 'iom.consent.given.v1' },
  { category: 'safeguarding', type: 'iom.safeguarding.concern-raised.v1' },
  { category: 'safeguarding', type: 'iom.break-glass.claimed.v1' },
];

/** The probe's data: the catalogue example with the probe's overrides. */
export const probeData = (probe: Probe): Record<string, unknown> => ({
  ...(probe.data ?? (CATALOGUE_EXAMPLES[probe.type] as unknown as Record<string, unknown>)),
});

/**
 * Who publishes a probe read by `reader`: a publisher the catalogue allows other than the reader,
 * or, where only the reader's agency may publish the type (police intelligence, prison custody),
 * another partner, so that the cell itself is still tested rather than the own-publication rule.
 */
export function probePublisher(probe: Probe, reader: string): DefaultAgency {
  const { publishers } = CATALOGUE[probe.type];
  const allowed = publishers === 'any' ? DEFAULT_AGENCIES : publishers;
  return allowed.find((agency) => agency !== reader) ?? DEFAULT_AGENCIES.find((agency) => agency !== reader)!;
}

/**
 * The sharing state of one cell, scoped to the cell itself: consent for this recipient, category
 * and purpose; a concern naming this recipient and category; a break-glass claim by this reader on
 * this category. Consent `given` is recorded by the publisher of the cell's data, its controller;
 * `other-agency` is a live consent of the same scope recorded by an agency that is neither the
 * publisher nor the reader, which opens nothing of the publisher's data.
 */
export interface CellState {
  readonly consent: 'none' | 'given' | 'other-agency' | 'expired' | 'withdrawn';
  readonly concern: 'none' | 'open' | 'expired';
  readonly breakGlass: 'none' | 'active';
}

export const CONSENT_STATES: readonly CellState['consent'][] = [
  'none',
  'given',
  'other-agency',
  'expired',
  'withdrawn',
];
export const CONCERN_STATES: readonly CellState['concern'][] = ['none', 'open', 'expired'];
export const BREAK_GLASS_STATES: readonly CellState['breakGlass'][] = ['none', 'active'];

export type Because = 'own' | 'always' | 'consent' | 'safeguarding' | 'break-glass';

/** The expected answer for one cell: denied, or the fields served and the reasons that may be given. */
export type Expected =
  | { readonly allowed: false }
  | {
      readonly allowed: true;
      readonly fields: readonly string[];
      readonly because: readonly Because[];
      /** What the agreement alone gives, without break-glass: the most a clause named as the reason may justify. */
      readonly byAgreement: readonly string[];
    };

/**
 * The role dimension of the table: the purposes each role may state to read subjects, straight
 * from the brief. The tasking chair reads the board and the IG lead the audit tools, never a
 * person's view; the analyst reads aggregates only; a mentor never reads for enforcement.
 */
export const ROLE_PURPOSES: Readonly<Record<string, readonly PurposeOfUse[]>> = {
  'iom-officer': ['case-management', 'safeguarding', 'continuity-of-care', 'enforcement'],
  'offender-manager': ['case-management', 'safeguarding', 'continuity-of-care', 'enforcement'],
  'prison-officer': ['case-management', 'safeguarding', 'continuity-of-care', 'enforcement'],
  'drug-worker': ['case-management', 'safeguarding', 'continuity-of-care'],
  'housing-officer': ['case-management', 'safeguarding', 'continuity-of-care'],
  mentor: ['case-management', 'safeguarding', 'continuity-of-care'],
  'tasking-chair': [],
  'ig-lead': [],
  analyst: [],
};

const BASIS: Readonly<Record<Grant['basis'], Because>> = { A: 'always', C: 'consent', S: 'safeguarding' };

const narrowedTo = (grant: Grant, probe: Probe, data: Record<string, unknown>): boolean =>
  (!grant.types || grant.types.includes(probe.type)) &&
  Object.entries(grant.data ?? {}).every(([field, values]) => values.includes(String(data[field])));

const fieldsOf = (grants: readonly Grant[], data: Record<string, unknown>): string[] =>
  Object.keys(data).filter((field) => grants.some((grant) => !grant.fields || grant.fields.includes(field)));

/**
 * What one read should disclose, straight from the table and the semantics above: own publications
 * first, then every grant that serves the purpose, matches the event and whose basis holds, then a
 * live break-glass claim unless the cell is `never`.
 */
export function expectedRead(input: {
  readonly reader: {
    readonly kind: 'person' | 'system' | 'agency';
    readonly agency: DefaultAgency;
    /** A person's role; the practitioner role of the agency when not given. */
    readonly role?: string;
  };
  readonly purpose: PurposeOfUse;
  readonly probe: Probe;
  readonly publisher: string;
  readonly state: CellState;
}): Expected {
  const { reader, purpose, probe, publisher, state } = input;
  const data = probeData(probe);
  if (reader.kind === 'system') return { allowed: false };
  const role = reader.role ?? PRACTITIONERS[reader.agency];
  if (reader.kind === 'person' && !(ROLE_PURPOSES[role] ?? []).includes(purpose)) return { allowed: false };
  if (publisher === reader.agency) {
    return { allowed: true, fields: Object.keys(data), because: ['own'], byAgreement: Object.keys(data) };
  }
  const cell = DEFAULT_TABLE[reader.agency][probe.category];
  const holds = (grant: Grant): boolean =>
    grant.basis === 'A' || (grant.basis === 'C' ? state.consent === 'given' : state.concern === 'open');
  const opened = cell.grants.filter(
    (grant) => grant.purposes.includes(purpose) && narrowedTo(grant, probe, data) && holds(grant),
  );
  const glass = state.breakGlass === 'active' && !cell.never;
  const byAgreement = fieldsOf(opened, data);
  const because = opened.map((grant) => BASIS[grant.basis]);
  if (glass)
    return { allowed: true, fields: Object.keys(data), because: [...because, 'break-glass'], byAgreement };
  if (opened.length === 0) return { allowed: false };
  return { allowed: true, fields: byAgreement, because, byAgreement };
}

/**
 * The widest an agency could ever read of the probe in this state, whatever the purpose and the
 * time (so a consent or concern that has expired still counts, a withdrawn one does not), and
 * without break-glass: the most the projection-time cut may hold. `consentPurpose` is the purpose
 * the cell's consent was given for.
 */
export function widestRead(input: {
  readonly agency: DefaultAgency;
  readonly probe: Probe;
  readonly publisher: string;
  readonly state: CellState;
  readonly consentPurpose: PurposeOfUse;
}): readonly string[] | null {
  const { agency, probe, publisher, state, consentPurpose } = input;
  const data = probeData(probe);
  if (publisher === agency) return Object.keys(data);
  const ever = (grant: Grant): boolean =>
    grant.basis === 'A' ||
    (grant.basis === 'C'
      ? (state.consent === 'given' || state.consent === 'expired') && grant.purposes.includes(consentPurpose)
      : state.concern !== 'none');
  const opened = DEFAULT_TABLE[agency][probe.category].grants.filter(
    (grant) => narrowedTo(grant, probe, data) && ever(grant),
  );
  return opened.length === 0 ? null : fieldsOf(opened, data);
}

/** The clock the table is run at: "live" and "expired" are relative to it, never to the machine's. */
export const TABLE_NOW = new Date('2025-03-01T12:00:00Z');
const LATER = '2025-04-01T00:00:00Z';
const EARLIER = '2025-02-01T00:00:00Z';

/** An event as the log hands it to the policy and the projections, numbered in the order built. */
export class TableTimeline {
  private position = 0;
  constructor(readonly subjectId = '7d0f4d9e-3f8a-4c55-9a3e-1b2c3d4e5f60') {}

  event(type: string, data: unknown, agency: string, category: DataCategory): PublishedEvent {
    const position = ++this.position;
    return {
      type,
      data,
      id: `event-${position}`,
      subjectId: this.subjectId,
      position,
      revision: position - 1,
      meta: {
        agency,
        source: `urn:throughline:${agency}:test`,
        ceId: `ce-${position}`,
        time: EARLIER,
        subjectRef: this.subjectId,
        publishedBy: agency,
        category,
      },
    } as PublishedEvent;
  }

  probe(probe: Probe, publisher: string): PublishedEvent {
    return this.event(probe.type, probeData(probe), publisher, probe.category);
  }

  /**
   * The events that put one cell in its state, each scoped exactly to the cell: consent for this
   * recipient, category and purpose, recorded by each controller whose data the cell shows, or for
   * `other-agency` by an agency that is none of them nor the reader (withdrawn = given, then
   * withdrawn by another agency); a concern naming this recipient and category; a claim by this
   * reader on this category.
   */
  cellState(cell: {
    readonly readerId: string;
    readonly agency: string;
    readonly category: DataCategory;
    readonly purpose: PurposeOfUse;
    readonly state: CellState;
    /** The publishers of the cell's probes: the controllers a consent must come from to open them. */
    readonly controllers: readonly string[];
  }): PublishedEvent[] {
    const { readerId, agency, category, purpose, state, controllers } = cell;
    const scope = { categories: [category], recipients: [agency], purposes: [purpose] };
    const consent = { scope, recordedBy: 'key worker', formReference: 'CF-1' };
    const events: PublishedEvent[] = [];
    if (state.consent !== 'none') {
      const expires = state.consent === 'expired' ? EARLIER : LATER;
      const recorders =
        state.consent === 'other-agency'
          ? [DEFAULT_AGENCIES.find((other) => other !== agency && !controllers.includes(other))!]
          : controllers;
      for (const recorder of recorders)
        events.push(this.event('iom.consent.given.v1', { ...consent, expires }, recorder, 'consent'));
    }
    if (state.consent === 'withdrawn') {
      events.push(
        this.event('iom.consent.withdrawn.v1', { scope, recordedBy: 'key worker' }, 'health', 'consent'),
      );
    }
    if (state.concern !== 'none') {
      const concern = {
        concernId: `SG-${this.position}`,
        kind: 'adult-at-risk',
        legalBasis: 'DPA 2018 Sch 8 para 4',
        categories: [category],
        recipients: [agency],
        expires: state.concern === 'open' ? LATER : EARLIER,
      };
      events.push(this.event('iom.safeguarding.concern-raised.v1', concern, 'probation', 'safeguarding'));
    }
    if (state.breakGlass === 'active') {
      const claim = {
        user: readerId,
        agency,
        categories: [category],
        expiresAt: LATER,
        justification: 'Found unresponsive; paramedics need the details now.',
      };
      events.push(this.event('iom.break-glass.claimed.v1', claim, agency, 'safeguarding'));
    }
    return events;
  }
}

/** Every combination of the three state axes: 5 x 3 x 2. */
export const CELL_STATES: readonly CellState[] = CONSENT_STATES.flatMap((consent) =>
  CONCERN_STATES.flatMap((concern) =>
    BREAK_GLASS_STATES.map((breakGlass) => ({ consent, concern, breakGlass })),
  ),
);

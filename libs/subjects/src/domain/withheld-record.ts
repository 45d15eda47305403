import { CATALOGUE, type DataCategory, type EventType, type PublishedEvent } from '@throughline/domain';
import {
  type CategoryAccess,
  type ConsentInForce,
  type CategoryBasis,
  decide,
  type ReadPolicy,
  type WithheldBasis,
} from '@throughline/sharing';
import type { SubjectRecord } from './subject-record';

type Withholdable<T> = { readonly [K in keyof T]: T[K] | null };

type Sectioned = 'cohort' | 'custody' | 'supervision';
type Always = 'subjectId' | 'lastEvents' | 'lastEventAt' | 'erased';

/**
 * The record as served to one reader: a field the reader's basis does not reach is `null` and
 * named in `withheld` with that basis, whether or not the subject has data behind it. `bases`
 * states the reader's basis for every category. Neither depends on the subject's data.
 */
export interface ServedRecord extends Withholdable<Omit<SubjectRecord, Sectioned | Always>> {
  readonly subjectId: string;
  readonly lastEvents: SubjectRecord['lastEvents'];
  readonly lastEventAt: SubjectRecord['lastEventAt'];
  /** Stated to every reader of the subject, as the erasures themselves are (decision 0026). */
  readonly erased: SubjectRecord['erased'];
  readonly cohort: Withholdable<SubjectRecord['cohort']>;
  readonly custody: Withholdable<SubjectRecord['custody']>;
  readonly supervision: Withholdable<SubjectRecord['supervision']>;
  readonly bases: Readonly<Record<DataCategory, CategoryBasis>>;
  /** Keyed by field path (`arrests`, `custody.establishment`). */
  readonly withheld: Readonly<Record<string, WithheldBasis>>;
  /** The consents in force now that open other agencies' data to the reader's agency. */
  readonly consentsInForce: readonly ConsentInForce[];
}

/** One kind of event a record field is folded from, and the data fields the fold reads. */
type Source = readonly [EventType, ...string[]];

interface RecordField {
  readonly path: string;
  readonly category: DataCategory;
  readonly from: readonly Source[];
}

const field = (path: string, category: DataCategory, ...from: Source[]): RecordField => ({
  path,
  category,
  from,
});

/**
 * What each field of the record is folded from (see `evolveRecord`). A field is served only if
 * the reader's policy serves every one of its sources with the fields the fold reads: a field
 * folded from part of what it needs would state something false, such as no arrests.
 */
export const RECORD_FIELDS: readonly RecordField[] = [
  field('identity', 'identity', ['iom.subject.registered.v1', 'givenName', 'familyName', 'dateOfBirth']),
  field(
    'identifiers',
    'identity',
    ['iom.subject.registered.v1', 'identifiers'],
    ['iom.subject.identifier-linked.v1', 'scheme', 'value'],
    ['iom.subject.identifier-unlinked.v1', 'scheme', 'value'],
  ),
  field(
    'cohort.status',
    'cohort',
    ['iom.referral.received.v1'],
    ['iom.cohort.adopted.v1'],
    ['iom.cohort.deselected.v1'],
  ),
  field('cohort.referredAt', 'cohort', ['iom.referral.received.v1']),
  ...(['cohortClass', 'category', 'statutory', 'reviewDue'] as const).map((name) =>
    field(`cohort.${name}`, 'cohort', ['iom.cohort.adopted.v1', name]),
  ),
  field('cohort.adoptedAt', 'cohort', ['iom.cohort.adopted.v1']),
  ...(['score', 'band', 'trend', 'bandHistory'] as const).map((name) =>
    field(`cohort.${name}`, 'cohort', ['iom.cohort.scored.v1', 'score', 'band']),
  ),
  field('cohort.deselection', 'cohort', ['iom.cohort.deselected.v1', 'reason']),
  field('keyWorkers', 'cohort', ['iom.key-worker.assigned.v1', 'agency', 'worker', 'contact']),
  field('pathwayNeeds', 'cohort', ['iom.pathway.need-assessed.v1', 'pathway', 'level']),
  field('openNeeds', 'cohort', ['iom.pathway.need-assessed.v1', 'pathway', 'level']),
  field(
    'openActions',
    'cohort',
    ['iom.tasking.action-assigned.v1', 'actionId', 'ownerAgency', 'due', 'text'],
    ['iom.tasking.action-completed.v1', 'actionId'],
  ),
  field('custody.status', 'custody', ['iom.custody.received.v1'], ['iom.custody.released.v1']),
  field(
    'custody.establishment',
    'custody',
    ['iom.custody.received.v1', 'establishment'],
    ['iom.custody.transferred.v1', 'to'],
  ),
  field('custody.custodyType', 'custody', ['iom.custody.received.v1', 'status']),
  field('custody.receivedAt', 'custody', ['iom.custody.received.v1']),
  field('custody.expectedRelease', 'custody', ['iom.custody.received.v1', 'expectedRelease']),
  // The date is what the release is; its type and whether an address is known are extras a
  // dates-only reader is not served.
  field('custody.plannedRelease', 'custody', ['iom.release.planned.v1', 'date']),
  field('custody.releasedAt', 'custody', ['iom.custody.released.v1', 'releasedAt']),
  // On licence only until the licence ends: a reader not served the end cannot be told either way.
  field(
    'custody.onLicence',
    'custody',
    ['iom.custody.released.v1', 'licence'],
    ['iom.licence.conditions-set.v1', 'licenceEnds'],
  ),
  field('supervision.order', 'supervision', ['iom.sentence.imposed.v1', 'order']),
  field('supervision.requirements', 'supervision', ['iom.sentence.imposed.v1', 'requirements']),
  field('supervision.licenceConditions', 'supervision', ['iom.licence.conditions-set.v1', 'conditions']),
  field('supervision.licenceEnds', 'supervision', ['iom.licence.conditions-set.v1', 'licenceEnds']),
  ...(['upcomingAppointments', 'awaitingOutcome'] as const).map((name) =>
    field(
      `supervision.${name}`,
      'supervision',
      ['iom.appointment.scheduled.v1', 'appointmentId', 'with', 'purpose', 'at'],
      ['iom.appointment.attended.v1', 'appointmentId'],
      ['iom.appointment.missed.v1', 'appointmentId'],
    ),
  ),
  field('supervision.attended', 'supervision', ['iom.appointment.attended.v1']),
  field('supervision.missed', 'supervision', ['iom.appointment.missed.v1']),
  field('supervision.breaches', 'supervision', ['iom.breach.recorded.v1']),
  field('supervision.recalls', 'supervision', ['iom.recall.recorded.v1']),
  field('supervision.lastHomeVisit', 'supervision', ['iom.home-visit.recorded.v1', 'outcome']),
  field('wanted', 'intelligence', ['iom.wanted.flagged.v1', 'reason', 'warrant'], ['iom.wanted.cleared.v1']),
  field('arrests', 'offending', ['iom.arrest.recorded.v1']),
  field('risk', 'risk', ['iom.risk.assessed.v1', 'tool', 'roshLevel']),
  field('accommodation', 'housing', ['iom.accommodation.changed.v1', 'status', 'tenancyAtRisk']),
  field('currentAddress', 'housing', ['iom.accommodation.changed.v1', 'address']),
  field('lastArrest', 'offending', [
    'iom.arrest.recorded.v1',
    'offence',
    'offenceGroup',
    'arrestedAt',
    'custodySuite',
  ]),
  field('charges', 'offending', ['iom.charge.recorded.v1', 'offences', 'outcome', 'court', 'firstHearing']),
  field('convictions', 'offending', [
    'iom.conviction.recorded.v1',
    'offences',
    'court',
    'convictedOn',
    'sentenceSummary',
  ]),
  field(
    'treatment',
    'drugs',
    ['iom.treatment.started.v1', 'modality'],
    ['iom.treatment.ended.v1', 'modality', 'reason'],
  ),
  field('lastDrugTest', 'drugs', ['iom.drug-test.recorded.v1', 'context', 'results']),
  field('employment', 'ete', ['iom.employment.changed.v1', 'status']),
  field(
    'safeguardingConcerns',
    'safeguarding',
    ['iom.safeguarding.concern-raised.v1', 'concernId', 'kind', 'expires'],
    ['iom.safeguarding.concern-closed.v1', 'concernId'],
  ),
  field(
    'openSafeguardingConcerns',
    'safeguarding',
    ['iom.safeguarding.concern-raised.v1'],
    ['iom.safeguarding.concern-closed.v1'],
  ),
];

/** The category an event of the source's kind is filed under; one filed under its target's, the field's. */
const categoryOf = (type: EventType, field: DataCategory): DataCategory => {
  const category = CATALOGUE[type].category;
  return category === 'of-target' ? field : category;
};

/** No agency id is empty, so a probe from it is never the reader's own publication. */
const ANY_OTHER_AGENCY = '';

/**
 * Asks the request's policy about an event of the source's kind from each agency the catalogue lets
 * publish it (from some other agency when any may), with the fields the fold reads and no values.
 * An agency that alone publishes a kind is served all of it as its own. Rules that test data values
 * do not match a probe without values, so a field served only for some values (drug tests taken on
 * licence) counts as withheld.
 */
function serves(policy: ReadPolicy, [type, ...fields]: Source, category: DataCategory): boolean {
  const publishers = CATALOGUE[type].publishers;
  return (publishers === 'any' ? [ANY_OTHER_AGENCY] : publishers).every((agency) => {
    const probe = {
      type,
      data: Object.fromEntries(fields.map((name) => [name, undefined])),
      meta: { category, agency },
    } as unknown as Pick<PublishedEvent, 'type' | 'data' | 'meta'>;
    const decision = decide(policy, probe);
    return decision !== null && fields.every((name) => decision.fields.includes(name));
  });
}

/**
 * Whether a restriction keeps some of what the field is folded from from this read: the data of an
 * agency that may publish the kind, in the category, restricted for the read's purpose. The field
 * cannot be stated without it, whoever else publishes the kind.
 */
function restrictedFrom(policy: ReadPolicy, [type]: Source, category: DataCategory): boolean {
  const publishers = CATALOGUE[type].publishers;
  return policy.restricted.some(
    (kind) =>
      kind.category === category &&
      (publishers === 'any' || (publishers as readonly string[]).includes(kind.agency)),
  );
}

/** The fields the policy withholds from this reader, with the basis of each; the same for every subject. */
export function withheldFields(
  policy: ReadPolicy,
  access: Readonly<Record<DataCategory, CategoryAccess>>,
): Record<string, WithheldBasis> {
  const withheld: Record<string, WithheldBasis> = {};
  for (const { path, category: fieldCategory, from } of RECORD_FIELDS) {
    for (const source of from) {
      const category = categoryOf(source[0], fieldCategory);
      if (restrictedFrom(policy, source, category)) {
        withheld[path] = 'restricted';
        break;
      }
      if (serves(policy, source, category)) continue;
      // Withheld on the basis of the category that keeps back what the field needs.
      withheld[path] = access[category].withheld;
      break;
    }
  }
  return withheld;
}

/** The record as served: each withheld field set to null, the bases and the withheld fields stated. */
export function servedRecord(
  record: SubjectRecord,
  access: Readonly<Record<DataCategory, CategoryAccess>>,
  withheld: Readonly<Record<string, WithheldBasis>>,
  consentsInForce: readonly ConsentInForce[] = [],
): ServedRecord {
  const served = {
    ...record,
    cohort: { ...record.cohort },
    custody: { ...record.custody },
    supervision: { ...record.supervision },
  } as Record<string, unknown>;
  for (const path of Object.keys(withheld)) {
    const [head, tail] = path.split('.') as [string, string | undefined];
    if (tail === undefined) served[head] = null;
    else (served[head] as Record<string, unknown>)[tail] = null;
  }
  const bases = Object.fromEntries(
    Object.entries(access).map(([category, { basis }]) => [category, basis]),
  ) as Record<DataCategory, CategoryBasis>;
  return { ...(served as unknown as ServedRecord), bases, withheld, consentsInForce };
}

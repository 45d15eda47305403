import {
  DATA_CATEGORIES,
  type DataCategory,
  identifiersLinkedBy,
  identifierUnlinkedBy,
  type PublishedEvent,
  type SubjectIdentifier,
} from '@throughline/domain';

export type Trend = 'rising' | 'falling' | 'steady';

export interface BandEntry {
  readonly band: 'red' | 'amber' | 'green';
  readonly score: number;
  readonly at: string;
}

export interface Appointment {
  readonly appointmentId: string;
  readonly with: string;
  readonly purpose: string;
  readonly at: string;
}

export interface RecentEvent {
  readonly id: string;
  readonly type: string;
  readonly category: string;
  readonly agency: string;
  readonly time: string;
}

export interface Arrest {
  readonly offence: string;
  readonly offenceGroup: string;
  readonly arrestedAt: string;
  readonly custodySuite: string;
}

export interface Offence {
  readonly offence: string;
  readonly offenceGroup: string;
}

/** A charge, and whether the subject was bailed to court or remanded in custody on it. */
export interface Charge {
  readonly offences: readonly Offence[];
  readonly outcome: 'bailed' | 'remanded';
  readonly court: string;
  readonly firstHearing: string | null;
  readonly at: string;
}

export interface Conviction {
  readonly offences: readonly Offence[];
  readonly court: string;
  readonly convictedOn: string;
  readonly sentenceSummary: string;
}

/** A safeguarding concern raised and not closed; as served (`recordAsOf`), only those not expired. */
export interface SafeguardingConcern {
  readonly concernId: string;
  readonly kind: string;
  readonly expires: string;
  readonly raisedAt: string;
}

/** An agency's data of a category erased (decision 0026): what the record's fields of it cannot count. */
export interface ErasedMark {
  readonly agency: string;
  readonly at: string;
  readonly decisionRef: string;
}

/** The current picture of a subject, folded from the events a viewer may see. */
export interface SubjectRecord {
  readonly subjectId: string;
  readonly identity: { givenName: string; familyName: string; dateOfBirth: string; gender?: string } | null;
  readonly identifiers: readonly { scheme: string; value: string }[];
  readonly cohort: {
    readonly status: 'referred' | 'adopted' | 'deselected' | null;
    readonly referredAt: string | null;
    readonly cohortClass: string | null;
    readonly category: number | null;
    readonly statutory: boolean | null;
    readonly reviewDue: string | null;
    readonly adoptedAt: string | null;
    readonly score: number | null;
    readonly band: BandEntry['band'] | null;
    readonly trend: Trend | null;
    readonly bandHistory: readonly BandEntry[];
    readonly deselection: { reason: string; at: string; note?: string } | null;
  };
  readonly custody: {
    readonly status: 'in-custody' | 'in-community' | 'unknown';
    readonly establishment: string | null;
    readonly custodyType: string | null;
    readonly receivedAt: string | null;
    readonly expectedRelease: string | null;
    readonly plannedRelease: { date: string; type: string; addressKnown: boolean } | null;
    readonly releasedAt: string | null;
    readonly onLicence: boolean;
  };
  readonly supervision: {
    readonly order: string | null;
    readonly requirements: readonly string[];
    readonly licenceConditions: readonly string[];
    readonly licenceEnds: string | null;
    /**
     * As folded, every appointment scheduled and not yet attended or missed, soonest first; as
     * served (`recordAsOf`), only those still to come.
     */
    readonly upcomingAppointments: readonly Appointment[];
    /** Appointments whose time has passed with no outcome recorded: filled as served (`recordAsOf`). */
    readonly awaitingOutcome: readonly Appointment[];
    readonly attended: number;
    readonly missed: number;
    readonly breaches: number;
    readonly recalls: number;
    readonly lastHomeVisit: { outcome: string; at: string } | null;
  };
  readonly wanted: { reason: string; since: string; warrant: boolean } | null;
  readonly pathwayNeeds: Readonly<Record<string, string>>;
  readonly openNeeds: readonly string[];
  readonly keyWorkers: readonly { agency: string; worker: string; contact: string }[];
  readonly accommodation: { status: string; tenancyAtRisk: boolean; since: string } | null;
  /** The address the latest accommodation change gives; null when it gives none (rough sleeping, NFA). */
  readonly currentAddress: { address: string; since: string } | null;
  readonly lastArrest: Arrest | null;
  /** Charges, latest first (the last ten). */
  readonly charges: readonly Charge[];
  /** Convictions, latest first (the last ten). */
  readonly convictions: readonly Conviction[];
  readonly safeguardingConcerns: readonly SafeguardingConcern[];
  readonly treatment: {
    status: 'in-treatment' | 'ended';
    modality: string;
    since: string;
    endedReason?: string;
  } | null;
  readonly employment: { status: string; since: string } | null;
  readonly risk: { tool: string; roshLevel: string; at: string } | null;
  readonly lastDrugTest: { context: string; positive: readonly string[]; at: string } | null;
  readonly openActions: readonly { actionId: string; ownerAgency: string; due: string; text: string }[];
  readonly openSafeguardingConcerns: number;
  readonly arrests: number;
  readonly lastEvents: readonly RecentEvent[];
  readonly lastEventAt: string | null;
  /**
   * The categories some of whose data was erased, with each erasure: a field of such a category
   * (a count, a latest value) is folded without the erased data, which is stated here so that it is
   * never read as none recorded.
   */
  readonly erased: Readonly<Partial<Record<DataCategory, readonly ErasedMark[]>>>;
}

export const emptyRecord = (subjectId: string): SubjectRecord => ({
  subjectId,
  identity: null,
  identifiers: [],
  cohort: {
    status: null,
    referredAt: null,
    cohortClass: null,
    category: null,
    statutory: null,
    reviewDue: null,
    adoptedAt: null,
    score: null,
    band: null,
    trend: null,
    bandHistory: [],
    deselection: null,
  },
  custody: {
    status: 'unknown',
    establishment: null,
    custodyType: null,
    receivedAt: null,
    expectedRelease: null,
    plannedRelease: null,
    releasedAt: null,
    onLicence: false,
  },
  supervision: {
    order: null,
    requirements: [],
    licenceConditions: [],
    licenceEnds: null,
    upcomingAppointments: [],
    awaitingOutcome: [],
    attended: 0,
    missed: 0,
    breaches: 0,
    recalls: 0,
    lastHomeVisit: null,
  },
  wanted: null,
  pathwayNeeds: {},
  openNeeds: [],
  keyWorkers: [],
  accommodation: null,
  currentAddress: null,
  lastArrest: null,
  charges: [],
  convictions: [],
  safeguardingConcerns: [],
  treatment: null,
  employment: null,
  risk: null,
  lastDrugTest: null,
  openActions: [],
  openSafeguardingConcerns: 0,
  arrests: 0,
  lastEvents: [],
  lastEventAt: null,
  erased: {},
});

const BAND_RANK = { green: 0, amber: 1, red: 2 } as const;
const RECENT = 10;
/** Charges and convictions kept: the latest ones are what a reader looks for first. */
const OFFENDING_KEPT = 10;

const offencesOf = (offences: readonly Offence[] | undefined): Offence[] =>
  (offences ?? []).map(({ offence, offenceGroup }) => ({ offence, offenceGroup }));

const trendOf = (history: readonly BandEntry[]): Trend | null => {
  const [previous, current] = history.slice(-2);
  if (!current) return null;
  if (!previous) return 'steady';
  const delta =
    BAND_RANK[current.band] - BAND_RANK[previous.band] || Math.sign(current.score - previous.score);
  return delta > 0 ? 'rising' : delta < 0 ? 'falling' : 'steady';
};

const withoutAppointment = (list: readonly Appointment[], appointmentId: string): Appointment[] =>
  list.filter((appointment) => appointment.appointmentId !== appointmentId);

/**
 * Folds one event into the record. Pure; every catalogue type is handled (the switch is exhaustive).
 * Events arrive cut to what the reader may see, so any data field may be missing.
 */
export function evolveRecord(record: SubjectRecord, event: PublishedEvent): SubjectRecord {
  const at = event.meta.time;
  const base: SubjectRecord = {
    ...record,
    lastEventAt: record.lastEventAt && record.lastEventAt > at ? record.lastEventAt : at,
    lastEvents: [
      { id: event.id, type: event.type, category: event.meta.category, agency: event.meta.agency, time: at },
      ...record.lastEvents,
    ].slice(0, RECENT),
  };
  const { cohort, custody, supervision } = base;
  switch (event.type) {
    case 'iom.subject.registered.v1': {
      const { identifiers: _listed, ...identity } = event.data;
      return { ...base, identity, identifiers: mergeIdentifiers(base.identifiers, listedBy(event)) };
    }
    case 'iom.subject.identifier-linked.v1':
      // A cut may have removed the identifier's fields; then there is nothing to link.
      return { ...base, identifiers: mergeIdentifiers(base.identifiers, listedBy(event)) };
    case 'iom.subject.identifier-unlinked.v1': {
      const unlinked = identifierUnlinkedBy(event.type, event.data, event.meta.agency);
      return unlinked
        ? {
            ...base,
            identifiers: base.identifiers.filter(
              (known) => known.scheme !== unlinked.scheme || known.value !== unlinked.value,
            ),
          }
        : base;
    }
    // The records of a person are put together (or parted) where a read loads them, not in a record.
    case 'iom.subject.merged.v1':
    case 'iom.subject.unmerged.v1':
      return base;
    case 'iom.referral.received.v1':
      return { ...base, cohort: { ...cohort, status: cohort.status ?? 'referred', referredAt: at } };
    case 'iom.cohort.scored.v1': {
      const bandHistory = [...cohort.bandHistory, { band: event.data.band, score: event.data.score, at }];
      return {
        ...base,
        cohort: {
          ...cohort,
          score: event.data.score,
          band: event.data.band,
          bandHistory,
          trend: trendOf(bandHistory),
        },
      };
    }
    case 'iom.cohort.adopted.v1':
      return {
        ...base,
        cohort: {
          ...cohort,
          status: 'adopted',
          cohortClass: event.data.cohortClass,
          category: event.data.category,
          statutory: event.data.statutory,
          reviewDue: event.data.reviewDue,
          adoptedAt: at,
          deselection: null,
        },
      };
    case 'iom.cohort.deselected.v1':
      return {
        ...base,
        cohort: {
          ...cohort,
          status: 'deselected',
          deselection: {
            reason: event.data.reason,
            at,
            ...(event.data.note ? { note: event.data.note } : {}),
          },
        },
      };
    case 'iom.key-worker.assigned.v1': {
      const others = base.keyWorkers.filter((worker) => worker.agency !== event.data.agency);
      return {
        ...base,
        keyWorkers: [
          ...others,
          { agency: event.data.agency, worker: event.data.worker, contact: event.data.contact },
        ],
      };
    }
    case 'iom.pathway.need-assessed.v1': {
      const pathwayNeeds = { ...base.pathwayNeeds, [event.data.pathway]: event.data.level };
      const openNeeds = Object.entries(pathwayNeeds)
        .filter(([, level]) => level !== 'none')
        .map(([pathway]) => pathway)
        .sort();
      return { ...base, pathwayNeeds, openNeeds };
    }
    case 'iom.arrest.recorded.v1': {
      const { offence, offenceGroup, arrestedAt, custodySuite } = event.data;
      return {
        ...base,
        arrests: base.arrests + 1,
        lastArrest: { offence, offenceGroup, arrestedAt, custodySuite },
      };
    }
    case 'iom.charge.recorded.v1': {
      const { offences, outcome, court, firstHearing } = event.data;
      const charge = {
        offences: offencesOf(offences),
        outcome,
        court,
        firstHearing: firstHearing ?? null,
        at,
      };
      return { ...base, charges: [charge, ...base.charges].slice(0, OFFENDING_KEPT) };
    }
    case 'iom.conviction.recorded.v1': {
      const { offences, court, convictedOn, sentenceSummary } = event.data;
      const conviction = { offences: offencesOf(offences), court, convictedOn, sentenceSummary };
      return { ...base, convictions: [conviction, ...base.convictions].slice(0, OFFENDING_KEPT) };
    }
    case 'iom.wanted.flagged.v1':
      return { ...base, wanted: { reason: event.data.reason, since: at, warrant: event.data.warrant } };
    case 'iom.wanted.cleared.v1':
      return { ...base, wanted: null };
    case 'iom.custody.received.v1':
      return {
        ...base,
        custody: {
          ...custody,
          status: 'in-custody',
          establishment: event.data.establishment,
          custodyType: event.data.status,
          receivedAt: at,
          expectedRelease: event.data.expectedRelease ?? null,
          plannedRelease: null,
          releasedAt: null,
        },
      };
    case 'iom.custody.transferred.v1':
      return { ...base, custody: { ...custody, establishment: event.data.to } };
    case 'iom.release.planned.v1':
      return {
        ...base,
        custody: {
          ...custody,
          plannedRelease: {
            date: event.data.date,
            type: event.data.type,
            addressKnown: event.data.addressKnown,
          },
        },
      };
    case 'iom.custody.released.v1':
      return {
        ...base,
        custody: {
          ...custody,
          status: 'in-community',
          releasedAt: event.data.releasedAt,
          onLicence: event.data.licence,
          plannedRelease: null,
        },
      };
    case 'iom.sentence.imposed.v1':
      return {
        ...base,
        supervision: {
          ...supervision,
          order: event.data.order,
          requirements: [...(event.data.requirements ?? [])],
        },
      };
    case 'iom.licence.conditions-set.v1':
      return {
        ...base,
        supervision: {
          ...supervision,
          licenceConditions: [...(event.data.conditions ?? [])],
          licenceEnds: event.data.licenceEnds,
        },
      };
    case 'iom.appointment.scheduled.v1': {
      const { appointmentId, with: withAgency, purpose, at: when } = event.data;
      const upcomingAppointments = [
        ...withoutAppointment(supervision.upcomingAppointments, appointmentId),
        { appointmentId, with: withAgency, purpose, at: when },
      ].sort((a, b) => (a.at ?? '').localeCompare(b.at ?? ''));
      return { ...base, supervision: { ...supervision, upcomingAppointments } };
    }
    case 'iom.appointment.attended.v1':
      return {
        ...base,
        supervision: {
          ...supervision,
          attended: supervision.attended + 1,
          upcomingAppointments: withoutAppointment(
            supervision.upcomingAppointments,
            event.data.appointmentId,
          ),
        },
      };
    case 'iom.appointment.missed.v1':
      return {
        ...base,
        supervision: {
          ...supervision,
          missed: supervision.missed + 1,
          upcomingAppointments: withoutAppointment(
            supervision.upcomingAppointments,
            event.data.appointmentId,
          ),
        },
      };
    case 'iom.home-visit.recorded.v1':
      return { ...base, supervision: { ...supervision, lastHomeVisit: { outcome: event.data.outcome, at } } };
    case 'iom.breach.recorded.v1':
      return { ...base, supervision: { ...supervision, breaches: supervision.breaches + 1 } };
    case 'iom.recall.recorded.v1':
      return { ...base, supervision: { ...supervision, recalls: supervision.recalls + 1 } };
    case 'iom.risk.assessed.v1':
      return { ...base, risk: { tool: event.data.tool, roshLevel: event.data.roshLevel, at } };
    case 'iom.drug-test.recorded.v1':
      return {
        ...base,
        lastDrugTest: {
          context: event.data.context,
          positive: (event.data.results ?? [])
            .filter((result) => result.result === 'positive')
            .map((result) => result.substance),
          at,
        },
      };
    case 'iom.treatment.started.v1':
      return { ...base, treatment: { status: 'in-treatment', modality: event.data.modality, since: at } };
    case 'iom.treatment.ended.v1':
      return {
        ...base,
        treatment: {
          status: 'ended',
          modality: event.data.modality,
          since: at,
          endedReason: event.data.reason,
        },
      };
    case 'iom.accommodation.changed.v1':
      return {
        ...base,
        accommodation: { status: event.data.status, tenancyAtRisk: event.data.tenancyAtRisk, since: at },
        currentAddress: event.data.address ? { address: event.data.address, since: at } : null,
      };
    case 'iom.employment.changed.v1':
      return { ...base, employment: { status: event.data.status, since: at } };
    case 'iom.tasking.action-assigned.v1': {
      const { actionId, ownerAgency, due, text } = event.data;
      const openActions = [
        ...base.openActions.filter((action) => action.actionId !== actionId),
        { actionId, ownerAgency, due, text },
      ];
      return { ...base, openActions };
    }
    case 'iom.tasking.action-completed.v1':
      return {
        ...base,
        openActions: base.openActions.filter((action) => action.actionId !== event.data.actionId),
      };
    case 'iom.safeguarding.concern-raised.v1': {
      const { concernId, kind, expires } = event.data;
      const others = base.safeguardingConcerns.filter((concern) => concern.concernId !== concernId);
      return {
        ...base,
        openSafeguardingConcerns: base.openSafeguardingConcerns + 1,
        safeguardingConcerns: [...others, { concernId, kind, expires, raisedAt: at }],
      };
    }
    case 'iom.safeguarding.concern-closed.v1':
      return {
        ...base,
        openSafeguardingConcerns: Math.max(0, base.openSafeguardingConcerns - 1),
        safeguardingConcerns: base.safeguardingConcerns.filter(
          (concern) => concern.concernId !== event.data.concernId,
        ),
      };
    // Facts the record shows only through `lastEvents` and the timeline. Corrections and redactions
    // are applied to the timeline, which is then folded again.
    case 'iom.intelligence.logged.v1':
    case 'iom.required-assessment.recorded.v1':
    case 'iom.health.concern-recorded.v1':
    case 'iom.benefits.changed.v1':
    case 'iom.debt.recorded.v1':
    case 'iom.family.circumstance-recorded.v1':
    case 'iom.consent.given.v1':
    case 'iom.consent.withdrawn.v1':
    case 'iom.consent.refused.v1':
    case 'iom.break-glass.claimed.v1':
    case 'iom.break-glass.reviewed.v1':
    case 'iom.tasking.detail-released.v1':
    case 'iom.tasking.detail-withdrawn.v1':
    case 'iom.record.corrected.v1':
    case 'iom.record.redacted.v1':
    case 'iom.retention.reviewed.v1':
    case 'iom.record.restricted.v1':
    case 'iom.record.restriction-lifted.v1':
      return base;
    // A meeting's escalation or agreed band change is on the timeline (the band moves with the next
    // score); the meetings stream's own events are never on a subject's stream.
    case 'iom.tasking.decision-recorded.v1':
    case 'iom.meeting.opened.v1':
    case 'iom.meeting.closed.v1':
      return base;
    case 'iom.record.erased.v1': {
      const mark: ErasedMark = { agency: event.meta.agency, at, decisionRef: event.data.decisionRef };
      const erased: Partial<Record<DataCategory, readonly ErasedMark[]>> = { ...base.erased };
      for (const category of event.data.categories ?? DATA_CATEGORIES) {
        erased[category] = [...(erased[category] ?? []), mark];
      }
      return { ...base, erased };
    }
    default:
      return assertNever(event);
  }
}

/**
 * The identifiers a registration lists or a link gives, as the identity index reads them
 * (canonical, a local one in its sender's namespace, one that is none of its scheme left out);
 * not the one the event was sent by, which the record's fields are not folded from.
 */
const listedBy = (event: PublishedEvent): SubjectIdentifier[] =>
  identifiersLinkedBy(event.type, event.data, event.meta.subjectRef, event.meta.agency)
    .filter((linked) => linked.field !== 'subject')
    .map((linked) => linked.identifier);

function mergeIdentifiers(
  current: readonly { scheme: string; value: string }[],
  added: readonly { scheme: string; value: string }[],
): { scheme: string; value: string }[] {
  const merged = [...current];
  for (const identifier of added) {
    if (!merged.some((known) => known.scheme === identifier.scheme && known.value === identifier.value))
      merged.push({ ...identifier });
  }
  return merged;
}

function assertNever(value: never): never {
  throw new Error(`Unhandled event ${JSON.stringify(value)}`);
}

import type {
  AccommodationStatus,
  DataCategory,
  DefaultAgency,
  EmploymentStatus,
  PurposeOfUse,
  SafeguardingKind,
  TreatmentEndReason,
  TreatmentModality,
} from '@throughline/domain';
import type { Journey } from '../journey';
import {
  APPROVED_PREMISES,
  ETE_PROVIDERS,
  HOSTELS,
  STREETS,
  TOWNS,
  TREATMENT_PROVIDERS,
  WORKERS,
} from '../reference';
import type { SourceKey } from '../sources';
import { addMonths, DAY, HOUR, isoDate, WEEK } from '../time';
import { assignKeyWorker, mainSource } from './cohort';

export function addressFor(j: Journey, status: AccommodationStatus): string | undefined {
  const { rng } = j;
  switch (status) {
    case 'settled':
    case 'temporary':
      return `${rng.int(1, 180)} ${rng.pick(STREETS)}, ${rng.pick(TOWNS)}`;
    case 'hostel':
      return rng.pick(HOSTELS);
    case 'approved-premises':
      return rng.pick(APPROVED_PREMISES);
    case 'rough-sleeping':
    case 'NFA':
      return undefined;
  }
}

export function changeAccommodation(
  j: Journey,
  status: AccommodationStatus,
  address = addressFor(j, status),
  source?: SourceKey,
): void {
  const chosen: SourceKey =
    source ??
    (status === 'approved-premises'
      ? 'probationPremises'
      : j.rng.chance(0.8)
        ? 'housingOptions'
        : 'voluntaryCrm');
  j.state.accommodation = status;
  const draft = j.emit(j.now, chosen, 'iom.accommodation.changed.v1', {
    status,
    ...(address ? { address } : {}),
    tenancyAtRisk: status === 'settled' && j.rng.chance(0.1),
  });
  // Housing systems occasionally key the wrong house number and correct it a few days later.
  if (address && chosen === 'housingOptions' && j.rng.chance(0.03)) {
    j.emit(
      j.now + j.rng.int(1, 6) * DAY,
      chosen,
      'iom.record.corrected.v1',
      {
        targetEventId: 'pending',
        reason: 'Wrong house number entered.',
        replacement: { ...draft.data, address: `${j.rng.int(1, 180)} ${address.replace(/^\d+ /, '')}` },
      },
      draft,
    );
  }
}

export function startTreatment(j: Journey, modality?: TreatmentModality): void {
  const { state, rng, profile } = j;
  if (state.treatment || j.inCustody || profile.drugs === 'none') return;
  const chosen: TreatmentModality =
    modality ??
    (profile.drugs === 'heroin'
      ? rng.weighted([
          ['prescribing', 6],
          ['psychosocial', 1],
          ['detox', 1],
          ['residential', 1],
        ])
      : rng.weighted([
          ['psychosocial', 5],
          ['detox', 1],
          ['residential', 1],
        ]));
  state.treatment = { modality: chosen, since: j.now };
  j.emit(j.now, 'healthTreatment', 'iom.treatment.started.v1', {
    modality: chosen,
    primarySubstance:
      profile.drugs === 'heroin' ? 'opiates' : profile.drugs === 'crack' ? 'cocaine' : 'cannabis',
    provider:
      chosen === 'residential' ? 'Residential rehab, Leek' : rng.pick(TREATMENT_PROVIDERS.slice(0, 2)),
  });
  if (!state.keyWorkers.has('health')) assignKeyWorker(j, 'health', j.now + HOUR);
}

export function endTreatment(j: Journey, reason: TreatmentEndReason): void {
  const treatment = j.state.treatment;
  if (!treatment) return;
  j.state.treatment = undefined;
  j.emit(j.now, 'healthTreatment', 'iom.treatment.ended.v1', { modality: treatment.modality, reason });
}

/** Weekly chance that an episode completes or the person drops out; completion helps them stop. */
export function treatmentWeek(j: Journey): void {
  const { state, rng } = j;
  const treatment = state.treatment;
  if (!treatment) {
    if (j.profile.drugs !== 'none' && rng.chance(j.profile.drugs === 'cannabis' ? 0.005 : 0.02))
      startTreatment(j);
    return;
  }
  const weeks = (j.now - treatment.since) / WEEK;
  const course = treatment.modality === 'prescribing' ? 40 : treatment.modality === 'residential' ? 12 : 16;
  if (weeks > course && rng.chance(0.25)) {
    endTreatment(j, 'completed');
    if (rng.chance(0.5)) state.desisting = true;
  } else if (rng.chance(state.desisting ? 0.005 : 0.02)) {
    endTreatment(j, rng.chance(0.85) ? 'dropped-out' : 'transferred');
  }
}

export function changeEmployment(j: Journey, status: EmploymentStatus): void {
  j.state.employment = status;
  const provider = status === 'unemployed' ? undefined : j.rng.pick(ETE_PROVIDERS);
  const source: SourceKey = j.state.statutory && j.rng.chance(0.3) ? 'probationCase' : 'voluntaryEte';
  j.emit(j.now, source, 'iom.employment.changed.v1', { status, ...(provider ? { provider } : {}) });
}

/** The post-release gap: a claim is made at once but the first payment comes weeks later (001:695). */
export function claimBenefits(j: Journey): void {
  const { rng } = j;
  j.emit(j.now + rng.int(1, 3) * DAY, 'voluntaryCrm', 'iom.benefits.changed.v1', {
    benefit: 'universal-credit',
    claimStatus: 'applied',
  });
  const awarded = j.now + rng.int(14, 35) * DAY;
  j.emit(awarded, 'voluntaryCrm', 'iom.benefits.changed.v1', {
    benefit: 'universal-credit',
    claimStatus: 'awarded',
    firstPaymentDate: isoDate(awarded + rng.int(0, 14) * DAY),
  });
}

const CONSENT_PURPOSES: readonly PurposeOfUse[] = ['case-management', 'continuity-of-care'];

function consentScope(
  categories: readonly DataCategory[],
  recipients: readonly DefaultAgency[],
  purposes: readonly PurposeOfUse[] = CONSENT_PURPOSES,
): { categories: DataCategory[]; recipients: string[]; purposes: PurposeOfUse[] } {
  return { categories: [...categories], recipients: [...recipients], purposes: [...purposes] };
}

/** Consent asked for by the drug worker and the mentor; some people say no, and some change their minds. */
export function askConsent(j: Journey, formSeq: number): void {
  const { rng, profile } = j;
  const year = new Date(j.now).getUTCFullYear();
  const form = (n: number): string => `CF-${year}-${String(j.index).padStart(4, '0')}${n}`;
  if (profile.drugs !== 'none') {
    const scope = consentScope(
      ['drugs', 'health'],
      rng.chance(0.6) ? ['probation', 'police'] : ['probation'],
    );
    const recordedBy = `Drug worker ${rng.pick(WORKERS.health)}`;
    if (rng.chance(0.75)) {
      j.emit(j.now, 'healthTreatment', 'iom.consent.given.v1', {
        scope,
        expires: isoDate(addMonths(j.now, 12)),
        recordedBy,
        formReference: form(formSeq),
      });
      if (scope.recipients.includes('police') && rng.chance(0.2)) {
        j.emit(j.now + rng.int(8, 40) * WEEK, 'healthTreatment', 'iom.consent.withdrawn.v1', {
          scope: consentScope(['health'], ['police']),
          recordedBy,
          reason: 'Asked that the police no longer see health information.',
        });
      }
    } else {
      j.emit(j.now, 'healthTreatment', 'iom.consent.refused.v1', {
        scope: consentScope(['drugs', 'health'], ['police'], ['case-management']),
        recordedBy,
        reason: 'Does not want the police to see treatment information.',
      });
    }
  }
  if (j.state.mentored && rng.chance(0.7)) {
    const recordedBy = `Mentor ${rng.pick(WORKERS.voluntary)}`;
    const categories: DataCategory[] = rng.chance(0.4) ? ['supervision', 'drugs', 'family'] : ['supervision'];
    // A consent opens only its recorder's data: the mentor's referral asks probation, which holds
    // the supervision record, to record the consent that shares it with the mentor.
    j.emit(j.now + DAY, 'probationCase', 'iom.consent.given.v1', {
      scope: consentScope(categories, ['voluntary'], ['case-management']),
      recordedBy: `Offender manager, on referral by ${recordedBy}`,
      formReference: form(formSeq + 1),
    });
    if (rng.chance(0.5)) {
      j.emit(j.now + DAY + HOUR, 'voluntaryCrm', 'iom.consent.given.v1', {
        scope: consentScope(['ete', 'finance'], ['police', 'prison']),
        expires: isoDate(addMonths(j.now, 12)),
        recordedBy,
        formReference: form(formSeq + 2),
      });
    }
  }
}

const CONCERN: Record<SafeguardingKind, { categories: DataCategory[]; summary: string }> = {
  child: { categories: ['family', 'drugs'], summary: 'Children at the address during reported drug use.' },
  'domestic-abuse': { categories: ['family', 'health'], summary: 'Partner disclosed abuse at a home visit.' },
  'adult-at-risk': { categories: ['health', 'drugs'], summary: 'Cuckooed: address used by dealers.' },
  'serious-harm': { categories: ['health', 'family'], summary: 'Threats made against a former partner.' },
};

export function raiseConcern(j: Journey, seq: number): void {
  const { rng, state } = j;
  if (state.openConcern) return;
  const kind = rng.weighted<SafeguardingKind>([
    ['child', 3],
    ['domestic-abuse', 3],
    ['adult-at-risk', 2],
    ['serious-harm', 1],
  ]);
  const raiser = rng.pick<DefaultAgency>(['police', 'probation', 'health']);
  const concernId = j.localId('SG', seq);
  const recipients = (['police', 'probation', 'health', 'voluntary'] as const).filter((a) => a !== raiser);
  state.openConcern = concernId;
  j.emit(j.now, mainSource(raiser), 'iom.safeguarding.concern-raised.v1', {
    concernId,
    kind,
    legalBasis: 'DPA 2018 Sch 8 para 4',
    categories: CONCERN[kind].categories,
    recipients: rng.sample(recipients, rng.int(1, recipients.length)),
    expires: isoDate(j.now + rng.int(8, 12) * WEEK),
    summary: CONCERN[kind].summary,
  });
  j.at(j.now + rng.int(3, 10) * WEEK, () => {
    state.openConcern = undefined;
    if (rng.chance(0.85)) {
      j.emit(j.now, mainSource(raiser), 'iom.safeguarding.concern-closed.v1', {
        concernId,
        reason: rng.pick([
          'Strategy meeting held; plan in place.',
          'Children now living with grandparents.',
          'No further concerns.',
        ]),
      });
    }
  });
}

/** Non-fatal overdoses cluster in the fortnight after release, when tolerance is low. */
export function healthConcern(
  j: Journey,
  kind: 'overdose' | 'self-harm' | 'mental-health',
  source: SourceKey,
): void {
  const summary = {
    overdose: 'Non-fatal overdose; naloxone given by ambulance crew.',
    'self-harm': 'Self-harm on the wing; ACCT opened.',
    'mental-health': 'Low mood and poor sleep; referred to the GP.',
  }[kind];
  j.emit(j.now, source, 'iom.health.concern-recorded.v1', { kind, summary });
}

import {
  bandOfScore,
  PATHWAYS,
  SCORE_MAX,
  SERIOUS_ACQUISITIVE_GROUPS,
  type CohortClass,
  type DefaultAgency,
  type DeselectionReason,
  type NeedLevel,
  type Pathway,
  type Role,
} from '@throughline/domain';
import type { Journey } from '../journey';
import { riskAssessment } from './offending';
import { CONTACTS, WORKER_USERS, WORKERS } from '../reference';
import type { SourceKey } from '../sources';
import { addMonths, DAY, isoDate, WEEK } from '../time';

const ROSH_POINTS = { low: 2, medium: 6, high: 12, 'very-high': 16 } as const;
const MULTIPLIER = { 1: 1, 2: 1.15, 3: 1.25, 4: 1.4 } as const;

/** The 0-64 matrix of 001:437, fed by what the partnership has seen lately. */
export function score(j: Journey, note?: string): void {
  const { state, rng, profile } = j;
  const inCustody = j.inCustody;
  const recentSac = j.state.arrests.some((t) => t > j.now - 180 * DAY) && rng.chance(0.6);
  const factors = {
    recentOffending: inCustody
      ? rng.int(0, 3)
      : Math.min(32, 10 * j.recentArrests(90) + 5 * j.recentArrests(365)),
    riskOfHarm: inCustody ? 0 : ROSH_POINTS[state.roshLevel],
    intelligence: inCustody ? 0 : intelligencePoints(j),
    linkedSeries: !inCustody && recentSac ? rng.int(2, 10) : 0,
    multiplier: state.desisting ? 1 : MULTIPLIER[profile.category],
  };
  const raw = factors.recentOffending + factors.riskOfHarm + factors.intelligence + factors.linkedSeries;
  const value = Math.max(0, Math.min(SCORE_MAX, Math.round(raw * factors.multiplier)));
  state.band = bandOfScore(value);
  j.emit(j.now, 'policeIom', 'iom.cohort.scored.v1', {
    score: value,
    band: state.band,
    factors,
    ...(note ? { note } : {}),
  });
}

/** Recent intelligence, being wanted, and active class A use all count. */
function intelligencePoints(j: Journey): number {
  const { state, profile } = j;
  const recent = state.intelligence.filter((t) => t > j.now - 90 * DAY).length;
  const using = !state.desisting && (profile.drugs === 'heroin' || profile.drugs === 'crack') ? 4 : 0;
  return Math.min(16, 5 * recent + (state.wanted ? 8 : 0) + using);
}

/** The class follows the score and whether the person is on a court order or licence. */
export function classFor(j: Journey): CohortClass {
  const { state, profile, identity } = j;
  const age = (j.now - identity.dateOfBirth) / (365.25 * DAY);
  if (state.desisting && state.band === 'green') return 'monitor';
  if (profile.category === 1) return age < 21 ? 'DYO' : 'CuD';
  if (state.band === 'red') return state.statutory ? 'PPO' : 'PPO-target';
  if (state.band === 'amber') return state.statutory && profile.category !== 3 ? 'PPO' : 'target';
  return 'monitor';
}

export function adopt(j: Journey, source: SourceKey): void {
  const state = j.state;
  state.cohortClass = classFor(j);
  state.reviewDue = addMonths(j.now, state.band === 'red' ? 3 : 6);
  state.inCohort = true;
  j.emit(j.now, source, 'iom.cohort.adopted.v1', {
    cohortClass: state.cohortClass,
    category: j.profile.category,
    statutory: state.statutory,
    reviewDue: isoDate(state.reviewDue),
  });
}

const ROLE_OF: Record<DefaultAgency, Role> = {
  police: 'iom-officer',
  probation: 'offender-manager',
  prison: 'prison-officer',
  health: 'drug-worker',
  housing: 'housing-officer',
  voluntary: 'mentor',
};
const SOURCE_OF: Record<DefaultAgency, SourceKey> = {
  police: 'policeIom',
  probation: 'probationCase',
  prison: 'prisonNomis',
  health: 'healthTreatment',
  housing: 'housingOptions',
  voluntary: 'voluntaryCrm',
};

export const mainSource = (agency: DefaultAgency): SourceKey => SOURCE_OF[agency];

export function assignKeyWorker(j: Journey, agency: DefaultAgency, at = j.now): void {
  j.state.keyWorkers.add(agency);
  const worker = j.rng.pick(WORKERS[agency]);
  const user = WORKER_USERS[worker];
  j.emit(at, SOURCE_OF[agency], 'iom.key-worker.assigned.v1', {
    agency,
    worker,
    contact: CONTACTS[agency],
    role: ROLE_OF[agency],
    ...(user ? { user } : {}),
  });
}

/** Each pathway is assessed by the agency that works it. */
const ASSESSOR: Record<Pathway, SourceKey> = {
  accommodation: 'housingOptions',
  ete: 'voluntaryEte',
  health: 'healthTreatment',
  'drugs-alcohol': 'healthTreatment',
  finance: 'voluntaryCrm',
  'children-families': 'probationCase',
  attitudes: 'probationCase',
};

export function needLevel(j: Journey, pathway: Pathway): NeedLevel {
  const { state, profile, rng } = j;
  const unstable = state.accommodation !== 'settled';
  switch (pathway) {
    case 'accommodation':
      return state.accommodation === 'rough-sleeping' || state.accommodation === 'NFA'
        ? 'high'
        : unstable
          ? 'medium'
          : 'none';
    case 'drugs-alcohol':
      return profile.drugs === 'heroin' || profile.drugs === 'crack'
        ? state.treatment
          ? 'medium'
          : 'high'
        : profile.drugs === 'cannabis'
          ? 'low'
          : 'none';
    case 'ete':
      return state.employment === 'employed' ? 'none' : state.employment === 'unemployed' ? 'medium' : 'low';
    case 'attitudes':
      return state.desisting ? 'low' : profile.category === 4 ? 'high' : 'medium';
    case 'health':
    case 'finance':
    case 'children-families':
      return rng.weighted([
        ['none', 3],
        ['low', 3],
        ['medium', 2],
        ['high', 1],
      ]);
  }
}

export function assessNeeds(j: Journey, pathways: readonly Pathway[] = PATHWAYS): void {
  pathways.forEach((pathway, i) => {
    j.emit(j.now + i * 3 * 60_000, ASSESSOR[pathway], 'iom.pathway.need-assessed.v1', {
      pathway,
      level: needLevel(j, pathway),
    });
  });
}

export function deselect(j: Journey, reason: DeselectionReason, note: string): void {
  const source: SourceKey = j.state.statutory && j.rng.chance(0.4) ? 'probationCase' : 'policeIom';
  j.emit(j.now, source, 'iom.cohort.deselected.v1', { reason, note });
  j.state.inCohort = false;
  j.state.endedAt = j.now;
}

/** Monthly: rescore, review the class when due, and decide whether the person still needs IOM. */
export function monthly(j: Journey, month: number, capacityReview: number): void {
  const { state, rng } = j;
  // People inside are scored once on reception; the monthly matrix is about risk in the community.
  if (!j.inCustody) score(j);
  if (month % 6 === 0 && !j.inCustody) {
    assessNeeds(j, rng.sample(PATHWAYS, 2));
    if (state.statutory) j.emit(j.now + DAY, 'probationCase', 'iom.risk.assessed.v1', riskAssessment(j));
  }
  if (j.now >= state.reviewDue && !j.inCustody) {
    const next = classFor(j);
    if (next !== state.cohortClass || rng.chance(0.5))
      adopt(j, state.statutory ? 'probationCase' : 'policeIom');
    else state.reviewDue = addMonths(j.now, 3);
  }
  const monthsIn = (j.now - j.entry) / (30 * DAY);
  const quiet = !state.arrests.some((t) => t > j.now - 270 * DAY);
  if (
    !j.inCustody &&
    state.desisting &&
    state.band === 'green' &&
    quiet &&
    monthsIn >= 9 &&
    rng.chance(0.35)
  ) {
    deselect(
      j,
      'progress',
      rng.pick([
        'No arrests for nine months; engaging well.',
        'In work and settled.',
        'Completed treatment; stable.',
      ]),
    );
  } else if (!j.inCustody && j.profile.engagement < 0.6 && monthsIn >= 12 && rng.chance(0.02)) {
    deselect(j, 'not-engaging', 'Not engaging with any partner; managed by neighbourhood policing.');
  } else if (
    Math.abs(j.now - capacityReview) < 2 * WEEK &&
    state.cohortClass === 'monitor' &&
    rng.chance(0.5)
  ) {
    deselect(j, 'capacity', 'Capacity review: places moved to the gangs priority.');
  } else if (rng.chance(0.006)) {
    deselect(j, 'moved', 'Moved out of the force area.');
  } else if (rng.chance(0.002)) {
    deselect(j, 'other', 'Transferred to MAPPA management.');
  }
}

export const isSeriousAcquisitive = (group: string): boolean =>
  (SERIOUS_ACQUISITIVE_GROUPS as readonly string[]).includes(group);

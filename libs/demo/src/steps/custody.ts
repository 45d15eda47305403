import type { AccommodationStatus, CustodyStatus, LicenceCondition } from '@throughline/domain';
import type { Journey } from '../journey';
import { REMAND_PRISONS, TRAINING_PRISONS, WOMENS_PRISON, YOUNG_ADULT_PRISON } from '../reference';
import { addMonths, DAY, HOUR, isoDate, isoTime, MINUTE, officeTime, WEEK } from '../time';
import { bookAppointment } from './appointments';
import { assessNeeds, deselect, score } from './cohort';
import {
  addressFor,
  changeAccommodation,
  claimBenefits,
  endTreatment,
  healthConcern,
  startTreatment,
} from './support';

export function receptionPrison(j: Journey): string {
  if (j.identity.gender === 'female') return WOMENS_PRISON;
  const age = (j.now - j.identity.dateOfBirth) / (365.25 * DAY);
  return age < 21 ? YOUNG_ADULT_PRISON : j.rng.pick(REMAND_PRISONS);
}

/** Reception into prison; anything that assumed the person was outside stops here. */
export function receive(j: Journey, status: CustodyStatus, expectedRelease?: number): void {
  const { state } = j;
  if (state.place === 'community') state.establishment = receptionPrison(j);
  state.place = status;
  state.custodySpell += 1;
  j.emit(j.now, 'prisonNomis', 'iom.custody.received.v1', {
    establishment: state.establishment,
    status,
    ...(expectedRelease ? { expectedRelease: isoDate(expectedRelease) } : {}),
  });
  if (state.treatment) {
    j.now += HOUR;
    endTreatment(j, 'custody');
  }
  if (status === 'sentenced' && state.inCohort) {
    j.now += DAY;
    score(j, 'In custody.');
  }
}

/**
 * A custodial sentence: release at the halfway point (or earlier on home detention curfew), with the
 * release planned and notified at least four weeks ahead (000:151).
 */
export function serveSentence(j: Journey, lengthMonths: number, alreadyInside: boolean): void {
  const { rng, state } = j;
  const halfway = addMonths(j.now, lengthMonths / 2);
  const hdc = lengthMonths >= 6 && j.profile.category <= 2 && rng.chance(0.4);
  const earliest = Math.max(j.now + 6 * WEEK, hdc ? halfway - rng.int(4, 12) * WEEK : halfway);
  const releaseDay = officeTime(earliest, 8, rng.int(0, 59));
  if (!alreadyInside || state.place !== 'sentenced') receive(j, 'sentenced', releaseDay);
  const spell = state.custodySpell;
  const stillInside = (): boolean => state.custodySpell === spell;

  if (releaseDay - j.now > 12 * WEEK && rng.chance(0.6)) {
    j.at(j.now + rng.int(2, 6) * WEEK, () => {
      if (!stillInside()) return;
      const to =
        j.identity.gender === 'female'
          ? WOMENS_PRISON
          : rng.pick(TRAINING_PRISONS.filter((p) => p !== WOMENS_PRISON));
      if (to === state.establishment) return;
      j.emit(j.now, 'prisonNomis', 'iom.custody.transferred.v1', { from: state.establishment, to });
      state.establishment = to;
    });
  }
  for (let month = 1; addMonths(j.now, month) < releaseDay - 2 * WEEK; month += 1) {
    j.at(addMonths(j.now, month) + rng.int(0, 20) * DAY, () => {
      if (!stillInside()) return;
      if (rng.chance(0.3)) {
        const positive = j.profile.drugs !== 'none' && rng.chance(0.25);
        j.emit(j.now, 'prisonNomis', 'iom.drug-test.recorded.v1', {
          context: 'prison-mandatory',
          results: [
            { substance: 'synthetic-cannabinoids', result: positive ? 'positive' : 'negative' },
            { substance: 'opiates', result: 'negative' },
          ],
        });
      }
      if (rng.chance(0.03)) healthConcern(j, 'self-harm', 'prisonHealthcare');
    });
  }
  const addressKnown = rng.chance(0.7);
  j.at(Math.max(j.now + DAY, releaseDay - rng.int(35, 56) * DAY), () => {
    if (!stillInside()) return;
    j.emit(j.now, 'prisonNomis', 'iom.release.planned.v1', {
      date: isoDate(releaseDay),
      type: hdc ? 'HDC' : 'CRD',
      addressKnown,
    });
  });
  // Throughcare: the IOM officer sees the person inside before the gate.
  j.at(releaseDay - rng.int(14, 28) * DAY, () => {
    if (stillInside())
      bookAppointment(j, 'police', 'Prison visit before release', releaseDay - rng.int(7, 12) * DAY);
  });
  j.at(releaseDay, () => {
    if (stillInside())
      release(j, { licence: true, addressKnown, hdc, licenceEnds: addMonths(j.now, lengthMonths / 2) });
  });
}

interface ReleaseTerms {
  readonly licence: boolean;
  readonly addressKnown: boolean;
  readonly hdc?: boolean;
  readonly licenceEnds?: number;
}

const ON_RELEASE: readonly (readonly [AccommodationStatus, number])[] = [
  ['settled', 4],
  ['temporary', 2],
  ['hostel', 2],
  ['approved-premises', 2],
  ['NFA', 1],
  ['rough-sleeping', 1],
];

export function release(j: Journey, terms: ReleaseTerms): void {
  const { rng, state } = j;
  const accommodation: AccommodationStatus = terms.addressKnown
    ? rng.weighted(ON_RELEASE.slice(0, 4))
    : rng.weighted([
        ['hostel', 2],
        ['NFA', 3],
        ['rough-sleeping', 2],
        ['temporary', 1],
      ]);
  const gatePickup = terms.licence && rng.chance(0.4);
  const address = addressFor(j, accommodation);
  state.place = 'community';
  state.custodySpell += 1;
  j.emit(j.now, 'prisonNomis', 'iom.custody.released.v1', {
    releasedAt: isoTime(j.now),
    licence: terms.licence,
    gatePickup,
    ...(address ? { address } : {}),
  });
  j.now += 2 * HOUR;
  changeAccommodation(j, accommodation, address);
  if (terms.licence) {
    const drugTesting = j.profile.drugs === 'heroin' || j.profile.drugs === 'crack' ? rng.chance(0.7) : false;
    const conditions: LicenceCondition[] = [
      ...(drugTesting ? (['drug-testing', 'drug-appointment'] as const) : []),
      ...(accommodation === 'approved-premises' || rng.chance(0.5) ? (['residence'] as const) : []),
      ...(rng.chance(0.3) ? (['exclusion-zone'] as const) : []),
      ...(rng.chance(0.2) ? (['non-association'] as const) : []),
      ...(terms.hdc ? (['curfew', 'electronic-monitoring'] as const) : []),
    ];
    const ends = terms.licenceEnds ?? addMonths(j.now, 6);
    state.order = { kind: 'licence', started: j.now, ends, drugTesting, unacceptableMisses: 0 };
    state.statutory = true;
    j.emit(j.now + 30 * MINUTE, 'probationCase', 'iom.licence.conditions-set.v1', {
      conditions: conditions.length > 0 ? conditions : ['residence'],
      licenceEnds: isoDate(ends),
    });
    bookAppointment(j, 'probation', 'First licence appointment', officeTime(j.now + DAY, 10, 0));
  }
  if (j.profile.drugs === 'heroin' && rng.chance(0.7)) {
    j.at(j.now + rng.int(1, 7) * DAY, () => startTreatment(j, 'prescribing'));
  }
  if (j.profile.drugs === 'heroin' && rng.chance(0.07)) {
    j.at(j.now + rng.int(2, 14) * DAY, () => {
      if (j.inCustody) return;
      healthConcern(j, 'overdose', 'healthTreatment');
      if (rng.chance(0.15)) {
        j.now += 3 * DAY;
        deselect(j, 'died', 'Died of a suspected overdose after release.');
      }
    });
  }
  if (state.employment !== 'employed') claimBenefits(j);
  j.at(j.now + rng.int(3, 10) * DAY, () => {
    if (j.inCustody) return;
    score(j, 'Rescored on release.');
    assessNeeds(j, ['accommodation', 'finance', 'drugs-alcohol']);
  });
}

/** Recall on licence: a probation decision, then the police find and return the person. */
export function recall(j: Journey, reason: 'no-new-offence' | 'new-offence', note: string): void {
  const { state, rng } = j;
  state.order = undefined;
  j.emit(j.now, 'probationCase', 'iom.recall.recorded.v1', { reason, note });
  if (reason === 'new-offence' || j.inCustody) return;
  state.wanted = true;
  j.emit(j.now + 4 * HOUR, 'policeIom', 'iom.wanted.flagged.v1', {
    reason: 'recall',
    warrant: true,
    warrantReference: `RC/${new Date(j.now).getUTCFullYear()}/${String(j.index).padStart(4, '0')}`,
  });
  j.at(j.now + rng.int(3, 25) * DAY, () => {
    if (j.inCustody) return;
    j.emit(j.now, 'policeCustody', 'iom.arrest.recorded.v1', {
      offence: 'Recall to prison on licence',
      offenceGroup: 'breach',
      arrestedAt: isoTime(j.now),
      custodySuite: 'Northern Area Custody',
    });
    state.wanted = false;
    j.emit(j.now + HOUR, 'policeIom', 'iom.wanted.cleared.v1', { reason: 'arrested' });
    j.now += DAY;
    const fixedTerm = rng.chance(0.6);
    serveSentence(j, fixedTerm ? 2 : rng.int(4, 10), false);
  });
}

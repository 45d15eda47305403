import type { CohortCategory } from '@throughline/domain';
import type { Journey } from '../journey';
import { identifierFor } from '../people';
import { agencyOfSource } from '../sources';
import { DAY, HOUR, isoDate, MINUTE, WEEK } from '../time';
import { bookAppointment } from './appointments';
import { adopt, assessNeeds, assignKeyWorker, monthly, score } from './cohort';
import { weekly } from './community';
import { serveSentence } from './custody';
import { riskAssessment } from './offending';
import { askConsent, changeAccommodation, changeEmployment, startTreatment } from './support';
import { meetingDates, taskingMeeting } from './tasking';

/** Why each group tends to be referred (the four groups of 001:886-916). */
const REFERRAL_REASONS: Record<CohortCategory, readonly string[]> = {
  1: [
    'Escalating offending; last chance before custody.',
    'Vehicle crime with older associates; never been to prison.',
  ],
  2: [
    'Repeat burglary arrests; heroin use.',
    'Released from custody with no address; history of acquisitive offending.',
  ],
  3: ['Prolific shoplifting to fund crack use.', 'Chaotic; no fixed abode; repeated thefts.'],
  4: [
    'Vehicle crime series; linked by forensics.',
    'Repeat burglary; refuses support; reoffends on release.',
  ],
};

/** Registration, referral, scoring and adoption, then everything that follows is scheduled. */
export function enter(
  j: Journey,
  options: {
    readonly capacityReview: number;
    /** The meetings the chair recorded on the platform: each meeting's time to its id. */
    readonly recordedMeetings?: ReadonlyMap<number, string>;
  },
): void {
  const { rng, identity, profile, state } = j;
  // The registering agency gives the identifier it issued; the others link theirs when first used.
  const registrar = rng.chance(0.85) ? 'policeIom' : 'probationCase';
  j.emit(j.now, registrar, 'iom.subject.registered.v1', {
    givenName: identity.givenName,
    familyName: identity.familyName,
    dateOfBirth: isoDate(identity.dateOfBirth),
    gender: identity.gender,
    identifiers: [identifierFor(identity, agencyOfSource(registrar))],
  });
  // Offending before the period explains why the person was referred.
  const priorArrests = { 1: 1, 2: 2, 3: 2, 4: 3 }[profile.category] + rng.int(0, 1);
  for (let i = 0; i < priorArrests; i += 1) state.arrests.push(j.now - rng.int(5, 170) * DAY);
  state.roshLevel = profile.category === 4 ? 'high' : 'medium';
  state.statutory = rng.chance(profile.category === 1 ? 0.3 : 0.55);
  state.accommodation = rng.weighted([
    ['settled', 5],
    ['temporary', 2],
    ['hostel', 2],
    ['NFA', 1],
    ['rough-sleeping', 1],
  ]);
  const startsInside = profile.category !== 1 && rng.chance(0.25);

  j.now += rng.int(1, 3) * DAY;
  const referrer = rng.weighted([
    ['policeIom', 5],
    ['probationCase', 3],
    ['prisonNomis', startsInside ? 3 : 0],
  ] as const);
  j.emit(j.now, referrer, 'iom.referral.received.v1', {
    referredBy: agencyOfSource(referrer),
    reason: rng.pick(REFERRAL_REASONS[profile.category]),
  });
  j.now += rng.int(1, 7) * DAY;
  score(j, 'Initial scoring.');
  j.now += rng.int(1, 10) * DAY;
  adopt(j, state.statutory && rng.chance(0.4) ? 'probationCase' : 'policeIom');
  assignKeyWorker(j, 'police', j.now + HOUR);
  if (state.statutory) {
    assignKeyWorker(j, 'probation', j.now + 2 * HOUR);
    j.emit(j.now + 3 * DAY, 'probationCase', 'iom.risk.assessed.v1', riskAssessment(j));
  }
  if (state.accommodation !== 'settled') assignKeyWorker(j, 'housing', j.now + DAY);
  j.now += DAY;
  assessNeeds(j);
  if (rng.chance(0.6)) {
    j.emit(
      j.now + 2 * DAY,
      rng.pick(['probationCase', 'voluntaryCrm', 'healthTreatment'] as const),
      'iom.family.circumstance-recorded.v1',
      {
        children: rng.weighted([
          [0, 4],
          [1, 3],
          [2, 2],
          [3, 1],
        ]),
        contact: rng.pick(['none', 'supervised', 'regular', 'lives-with']),
        socialServicesInvolved: rng.chance(0.2),
      },
    );
  }
  if (rng.chance(0.2)) {
    j.emit(j.now + rng.int(7, 60) * DAY, 'voluntaryCrm', 'iom.debt.recorded.v1', {
      amountBand: rng.pick(['under-500', '500-2000', '2000-10000', 'over-10000']),
      adviceGiven: rng.chance(0.8),
    });
  }
  state.mentored = rng.chance(0.45);
  if (state.mentored) assignKeyWorker(j, 'voluntary', j.now + 3 * DAY);

  if (startsInside) {
    serveSentence(j, rng.int(4, 30), false);
  } else {
    if (state.statutory) {
      state.order = {
        kind: rng.chance(0.5) ? 'licence' : 'community',
        started: j.now - rng.int(0, 20) * WEEK,
        ends: j.now + rng.int(10, 52) * WEEK,
        drugTesting: profile.drugs === 'heroin' && rng.chance(0.5),
        unacceptableMisses: 0,
      };
    }
    changeAccommodation(j, state.accommodation);
    if (profile.category === 1 && rng.chance(0.4)) changeEmployment(j, rng.pick(['education', 'training']));
    if (profile.drugs === 'heroin' && rng.chance(0.5)) startTreatment(j, 'prescribing');
    bookAppointment(j, 'police', 'IOM induction', j.now + rng.int(2, 6) * DAY);
  }
  const askAt = j.now + rng.int(7, 21) * DAY;
  j.at(askAt, () => askConsent(j, 1));
  j.at(j.now + WEEK, () => weekly(j, 0));
  for (let month = 1; ; month += 1) {
    const at =
      j.now + month * 30 * DAY + rng.int(0, 3) * DAY + rng.int(-4, 4) * HOUR + rng.int(0, 59) * MINUTE;
    if (at >= j.end) break;
    j.at(at, () => monthly(j, month, options.capacityReview));
  }
  for (const meeting of meetingDates(j.now, j.end)) {
    const recorded = options.recordedMeetings?.get(meeting);
    j.at(meeting, () =>
      taskingMeeting(j, recorded ?? `North IOM tasking ${isoDate(meeting)}`, recorded !== undefined),
    );
  }
}

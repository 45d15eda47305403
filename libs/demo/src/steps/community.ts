import type { Journey } from '../journey';
import { WORKERS } from '../reference';
import { DAY, HOUR, WEEK } from '../time';
import { bookAppointment, bookWeek } from './appointments';
import { assignKeyWorker } from './cohort';
import { arrest } from './offending';
import { changeAccommodation, changeEmployment, healthConcern, raiseConcern, treatmentWeek } from './support';

/** One week of life outside: appointments, contact, and the chances that something changes. */
export function communityWeek(j: Journey, week: number): void {
  const { state, rng, profile } = j;
  if (state.order && state.order.ends < j.now) {
    state.order = undefined;
    state.statutory = false;
  }
  bookWeek(j, week);
  const within = (): number => j.now + rng.int(0, 6) * DAY + rng.int(0, 23) * HOUR + rng.int(0, 59) * 60_000;

  if (
    !state.desisting &&
    rng.chance(profile.desistance * (state.treatment ? 2 : 1) * (state.employment === 'employed' ? 2 : 1))
  ) {
    state.desisting = true;
  }
  const hazard =
    profile.arrestHazard *
    (state.desisting ? 0.15 : 1) *
    (state.treatment ? 0.6 : 1) *
    (state.accommodation === 'settled' ? 1 : 1.3) *
    (state.employment === 'employed' ? 0.5 : 1);
  if (rng.chance(hazard)) {
    const at = within();
    j.at(at, () => {
      if (!j.inCustody) arrest(j);
    });
  }
  if (rng.chance(profile.category >= 3 ? 0.08 : 0.04)) {
    j.emit(within(), 'policeIom', 'iom.home-visit.recorded.v1', {
      outcome: rng.weighted([
        ['seen', 6],
        ['not-home', 3],
        ['refused-entry', 1],
        ['concerns-noted', 1],
      ]),
      by: rng.pick(WORKERS.police),
    });
  }
  if (state.order && rng.chance(0.06)) {
    j.emit(within(), 'probationCase', 'iom.home-visit.recorded.v1', {
      outcome: 'seen',
      by: rng.pick(WORKERS.probation),
    });
  }
  if (state.order?.drugTesting && rng.chance(0.3)) {
    const using = !state.desisting && rng.chance(state.treatment ? 0.3 : 0.6);
    j.emit(within(), 'probationCase', 'iom.drug-test.recorded.v1', {
      context: 'licence',
      results: [
        { substance: 'opiates', result: using && profile.drugs === 'heroin' ? 'positive' : 'negative' },
        { substance: 'cocaine', result: using && profile.drugs !== 'heroin' ? 'positive' : 'negative' },
      ],
    });
  }
  treatmentWeek(j);
  housingWeek(j);
  employmentWeek(j);
  if (!state.desisting && rng.chance(profile.category === 4 ? 0.03 : 0.012)) {
    const at = within();
    state.intelligence.push(at);
    const draft = j.emit(at, 'policeIom', 'iom.intelligence.logged.v1', {
      grading: `${rng.int(1, 3)}${rng.pick(['A', 'B', 'B', 'C', 'D'])}${rng.chance(0.9) ? 'P' : 'C'}`,
      topic: rng.pick(['acquisitive-crime', 'drug-supply', 'associates', 'whereabouts']),
      summary: rng.pick([
        'Seen with known burglary associates near the retail park.',
        'Reported to be selling stolen tools to fund drug use.',
        'Staying at an address used for drug supply.',
        'Linked by a vehicle sighting to a series of garage break-ins.',
      ]),
    });
    if (rng.chance(0.03)) {
      j.emit(
        at + rng.int(7, 28) * DAY,
        'policeIom',
        'iom.record.redacted.v1',
        {
          targetEventId: 'pending',
          reason: 'Logged against the wrong person.',
        },
        draft,
      ); // The mistake was not the first: the police erase all their intelligence about the person, so
      // the demo shows an erasure (its place drawn with the redaction's, so no other draw moves).
      j.emit(at + 29 * DAY, 'policeIom', 'iom.record.erased.v1', {
        categories: ['intelligence'],
        reason: 'Intelligence logged against the wrong person; erased on review.',
        decisionRef: 'IG-DEMO-0001',
      });
    }
  }
  if (rng.chance(0.003)) {
    j.at(within(), () => {
      if (!j.inCustody) healthConcern(j, 'mental-health', 'healthTreatment');
    });
  }
  if (rng.chance(0.0015)) {
    j.at(within(), () => {
      if (!j.inCustody) raiseConcern(j, week);
    });
  }
  if (rng.chance(0.002)) assignKeyWorker(j, 'police', within());
  if (week === 3 && !state.mentored && rng.chance(0.3)) {
    state.mentored = true;
    assignKeyWorker(j, 'voluntary', within());
    bookAppointment(j, 'voluntary', 'First mentoring session', j.now + rng.int(7, 10) * DAY);
  }
}

function housingWeek(j: Journey): void {
  const { state, rng } = j;
  if (state.accommodation === 'settled') {
    if (rng.chance(0.004))
      j.at(j.now + rng.int(0, 6) * DAY, () => changeAccommodation(j, rng.pick(['temporary', 'NFA'])));
    return;
  }
  const better =
    state.accommodation === 'rough-sleeping' || state.accommodation === 'NFA' ? 'hostel' : 'settled';
  if (rng.chance(state.accommodation === 'approved-premises' ? 0.05 : 0.04)) {
    j.at(j.now + rng.int(0, 6) * DAY, () =>
      changeAccommodation(
        j,
        rng.chance(0.8) || state.accommodation === 'rough-sleeping' ? better : 'rough-sleeping',
      ),
    );
  }
}

function employmentWeek(j: Journey): void {
  const { state, rng, profile } = j;
  const lift = (state.desisting ? 2 : 1) * (profile.category <= 2 ? 1.5 : 1);
  if (state.employment === 'unemployed' && rng.chance(0.006 * lift)) {
    changeEmployment(j, rng.chance(0.6) ? 'training' : 'employed');
  } else if (state.employment === 'training' && rng.chance(0.02 * lift)) {
    changeEmployment(j, rng.chance(0.7) ? 'employed' : 'unemployed');
  } else if (state.employment === 'employed' && rng.chance(state.desisting ? 0.003 : 0.015)) {
    changeEmployment(j, 'unemployed');
  }
}

/** While inside: the weekly loop only watches the clock; custody steps are scheduled by the sentence. */
export function weekly(j: Journey, week: number): void {
  if (!j.inCustody) communityWeek(j, week);
  j.at(j.now + WEEK, () => weekly(j, week + 1));
}

import type { DefaultAgency } from '@throughline/domain';
import type { Journey } from '../journey';
import { MISSED_REASONS } from '../reference';
import { DAY, HOUR, isoTime, officeTime, WEEK } from '../time';
import { mainSource } from './cohort';
import { recall } from './custody';
import { breach } from './offending';

const PURPOSES: Record<DefaultAgency, readonly string[]> = {
  police: ['IOM contact', 'IOM contact', 'IOM contact', 'Boxing project'],
  probation: ['Supervision'],
  prison: ['Resettlement interview'],
  health: ['Keywork session', 'Keywork session', 'Prescription review'],
  housing: ['Housing options interview', 'Tenancy review'],
  voluntary: ['Mentoring', 'ETE session', 'Benefits appointment'],
};

export const routinePurpose = (j: Journey, agency: DefaultAgency): string => j.rng.pick(PURPOSES[agency]);

/** Books an appointment now for `at`; whether it is kept is decided when the day comes. */
export function bookAppointment(j: Journey, agency: DefaultAgency, purpose: string, at: number): void {
  const { state, rng } = j;
  state.appointmentSeq += 1;
  const appointment = { appointmentId: j.localId('APT', state.appointmentSeq), with: agency, purpose };
  const source = mainSource(agency);
  const time = Math.max(at, j.now + HOUR);
  j.emit(j.now, source, 'iom.appointment.scheduled.v1', { ...appointment, at: isoTime(time) });
  j.at(time, () => {
    const data = { ...appointment, at: isoTime(time) };
    const inside = purpose.startsWith('Prison');
    if (!j.inCustody && inside) return;
    if (j.inCustody && !inside) {
      j.emit(j.now + 2 * HOUR, source, 'iom.appointment.missed.v1', {
        ...data,
        reason: 'In custody',
        acceptable: true,
      });
      return;
    }
    const keep = Math.min(0.97, j.profile.engagement + (state.desisting ? 0.15 : 0));
    if (rng.chance(keep)) {
      j.emit(j.now + HOUR, source, 'iom.appointment.attended.v1', data);
      return;
    }
    const [reason, acceptable] = rng.weighted(
      MISSED_REASONS.map(([r, a, w]) => [[r, a] as const, w] as const),
    );
    j.emit(j.now + 3 * HOUR, source, 'iom.appointment.missed.v1', { ...data, reason, acceptable });
    const order = state.order;
    if (agency !== 'probation' || acceptable || !order) return;
    order.unacceptableMisses += 1;
    if (order.kind === 'licence' && order.unacceptableMisses >= 3) {
      j.now += DAY;
      recall(j, 'no-new-offence', 'Failed to keep licence appointments; whereabouts unknown.');
    } else if (order.kind !== 'licence' && order.unacceptableMisses >= 2) {
      order.unacceptableMisses = 0;
      j.now += 2 * DAY;
      breach(j, order.kind, 'Two unacceptable failures to attend within twelve months.');
    }
  });
}

/** The regular appointments of a week in the community, by who is working with the person. */
export function bookWeek(j: Journey, week: number): void {
  const { state, rng } = j;
  const day = j.now + rng.int(2, 6) * DAY;
  const slot = (): number => officeTime(day + rng.int(0, 3) * DAY, rng.int(9, 15), rng.pick([0, 15, 30, 45]));
  // Supervision is weekly for the first month of an order or licence, then fortnightly, then monthly.
  const weeksOn = state.order ? (j.now - state.order.started) / WEEK : Number.POSITIVE_INFINITY;
  if (weeksOn < 4 || (weeksOn < 16 && week % 2 === 0) || (state.order && week % 4 === 0)) {
    bookAppointment(j, 'probation', 'Supervision', slot());
  }
  const policeEvery = state.statutory ? 8 : 5;
  if (week % policeEvery === 0) bookAppointment(j, 'police', routinePurpose(j, 'police'), slot());
  if (state.treatment && week % 2 === 0) bookAppointment(j, 'health', routinePurpose(j, 'health'), slot());
  if (state.mentored && week % 5 === 1)
    bookAppointment(j, 'voluntary', routinePurpose(j, 'voluntary'), slot());
  if (state.accommodation !== 'settled' && week % 6 === 3) {
    bookAppointment(j, 'housing', routinePurpose(j, 'housing'), slot());
  }
}

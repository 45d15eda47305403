import type { DefaultAgency } from '@throughline/domain';
import type { Journey } from '../journey';
import { DAY, isoDate, isoTime } from '../time';
import { mainSource } from './cohort';

const ACTIONS: Record<DefaultAgency, readonly string[]> = {
  police: ['Home visit to confirm the address.', 'Check associates named in intelligence.'],
  probation: [
    'Bring supervision forward to weekly.',
    'Consider breach action.',
    'Review licence conditions.',
  ],
  prison: ['Confirm the release date and the address on release.'],
  health: ['Re-engage with prescribing.', 'Offer a residential treatment assessment.'],
  housing: ['Review rent arrears with the landlord.', 'Find a tenancy.'],
  voluntary: [
    'Support the universal credit claim.',
    'Refer to the construction skills course.',
    'Arrange a mentor.',
  ],
};

function actionText(j: Journey, owner: DefaultAgency): string {
  if (owner === 'housing' && j.inCustody) return 'Find accommodation before release.';
  if (owner === 'housing' && j.state.accommodation === 'hostel') return 'Move from the hostel to a tenancy.';
  if (owner === 'police' && j.inCustody) return 'Arrange a gate pickup on release.';
  return j.rng.pick(ACTIONS[owner]);
}

/**
 * The monthly multi-agency tasking meeting: red and amber people get actions with owners and due
 * dates. At a meeting the chair recorded on the platform (`recorded`, named by its id), a red case
 * is sometimes escalated, or a band change agreed, as the meeting's own decision.
 */
export function taskingMeeting(j: Journey, meeting: string, recorded = false): void {
  const { state, rng } = j;
  if (!state.inCohort) return;
  releaseToMeeting(j, meeting);
  if (recorded && state.band === 'red' && rng.chance(0.3)) {
    j.platform.push({
      at: j.now + 30 * 60_000,
      data: rng.chance(0.5)
        ? { meeting, decision: 'escalate', reason: 'Refer to MARAC: repeat victim at the address.' }
        : {
            meeting,
            decision: 'band-change',
            band: 'amber',
            reason: 'Engaging with prescribing and housing; police to re-score before the next meeting.',
          },
    });
  }
  const chance = state.band === 'red' ? 0.6 : state.band === 'amber' ? 0.25 : j.inCustody ? 0.1 : 0.03;
  if (!rng.chance(chance)) return;
  const count = state.band === 'red' && rng.chance(0.3) ? 2 : 1;
  for (let i = 0; i < count; i += 1) {
    const owner: DefaultAgency = j.inCustody
      ? rng.pick(['prison', 'housing', 'police'])
      : rng.weighted([
          ['police', 3],
          ['probation', state.statutory ? 3 : 0],
          ['health', 2],
          ['housing', 2],
          ['voluntary', 2],
        ]);
    state.actionSeq += 1;
    const actionId = j.localId('ACT', state.actionSeq);
    const due = j.now + rng.int(7, 28) * DAY;
    j.emit(j.now + i * 60_000, 'policeIom', 'iom.tasking.action-assigned.v1', {
      actionId,
      meeting,
      ownerAgency: owner,
      due: isoDate(due),
      text: actionText(j, owner),
    });
    // Most actions are done around the due date; the rest stay open and show as overdue on the board.
    if (rng.chance(0.78)) {
      j.emit(due + rng.int(-6, 5) * DAY, mainSource(owner), 'iom.tasking.action-completed.v1', {
        actionId,
        ...(rng.chance(0.5) ? { note: 'Done.' } : {}),
      });
    }
  }
}

/**
 * Probation releases its supervision and risk detail on a statutory red case to the meeting for two
 * years (a standing release, renewed under the same id at each meeting the case is red); some are
 * withdrawn once the case has been discussed.
 */
function releaseToMeeting(j: Journey, meeting: string): void {
  const { state, rng } = j;
  if (state.band !== 'red' || !state.statutory || !rng.chance(0.5)) return;
  const releaseId = j.localId('REL', 1);
  j.emit(j.now - 3_600_000, mainSource('probation'), 'iom.tasking.detail-released.v1', {
    releaseId,
    meeting,
    categories: ['supervision', 'risk'],
    legalBasis: 'DPA 2018 Part 3 s.31 (law enforcement purposes)',
    from: isoDate(j.now - 90 * DAY),
    expires: isoTime(j.now + 730 * DAY),
  });
  if (rng.chance(0.3)) {
    j.emit(j.now + 2 * DAY, mainSource('probation'), 'iom.tasking.detail-withdrawn.v1', {
      releaseId,
      reason: 'Discussed at the meeting.',
    });
  }
}

/** First Tuesday of every month in the period, 10:00. */
export function meetingDates(start: number, end: number): number[] {
  const dates: number[] = [];
  const first = new Date(start);
  for (let m = 0; ; m += 1) {
    const month = Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + m, 1);
    if (month >= end) return dates;
    const weekday = new Date(month).getUTCDay();
    const tuesday = month + ((2 - weekday + 7) % 7) * DAY + 10 * 3_600_000;
    if (tuesday >= start && tuesday < end) dates.push(tuesday);
  }
}

import { createHash } from 'node:crypto';
import type { CohortCategory } from '@throughline/domain';
import { finalise } from './finalise';
import { Journey } from './journey';
import { identifierFor, IdentityFactory, profileFor } from './people';
import { Rng } from './prng';
import { enter } from './steps/entry';
import { meetingDates } from './steps/tasking';
import { addMonths, DAY, dayOf, HOUR, isoDate, isoTime, MINUTE, parseStart } from './time';
import type { DemoMeeting, DemoOptions, DemoPartnership, DemoPlatformRecord } from './types';

/**
 * The day a period of `months` ending today starts: a demo loaded on any day is a partnership at
 * work up to that day, its reviews, actions and appointments due around it rather than long past.
 */
export const startEndingToday = (months: number, now = Date.now()): string =>
  isoDate(addMonths(dayOf(now), -months));

/**
 * A deterministic partnership: the same options always give the same publications, so demos,
 * screenshots and tests agree (without a `start`, the same options on the same day). About 30% of
 * people are already in the cohort when the period starts.
 */
export function generateDemo(options: DemoOptions): DemoPartnership {
  const subjects = options.subjects ?? 320;
  const months = options.months ?? 24;
  const start = parseStart(options.start ?? startEndingToday(months));
  const end = addMonths(start, months);
  if (!Number.isInteger(subjects) || subjects < 0) throw new Error('subjects must be a whole number');
  if (end <= start) throw new Error('months must be positive');

  const people = Rng.derive(options.seed, 1);
  const identities = new IdentityFactory(Rng.derive(options.seed, 2), start);
  const capacityReview = addMonths(start, 12);
  const lateWindow = Math.max(0, end - addMonths(start, 3) - 14 * DAY);
  const journeys: Journey[] = [];
  // The last three meetings of the period are on the platform: opened and closed by the chair.
  const recorded = meetingDates(start, end)
    .filter((at) => at + 2 * HOUR < end)
    .slice(-3)
    .map((at) => ({ at, meeting: demoMeeting(options.seed, at) }));
  const meetings = recorded.map(({ meeting }) => meeting);
  const recordedMeetings = new Map(recorded.map(({ at, meeting }) => [at, meeting.meetingId]));
  for (let index = 0; index < subjects; index += 1) {
    const category = people.weighted<CohortCategory>([
      [1, 20],
      [2, 25],
      [3, 30],
      [4, 25],
    ]);
    const identity = identities.next(category);
    const rng = Rng.derive(options.seed, 3, index);
    const profile = profileFor(rng, category);
    const offset =
      people.chance(0.3) || lateWindow === 0
        ? people.int(0, 13) * DAY
        : 14 * DAY + Math.floor(people.next() * lateWindow);
    const entry = Math.min(end - DAY, start + offset + people.int(8 * 60, 17 * 60) * MINUTE);
    const journey = new Journey(index, rng, identity, profile, entry, end);
    enter(journey, { capacityReview, recordedMeetings });
    journey.run();
    journeys.push(journey);
  }
  return {
    publications: finalise(journeys, Rng.derive(options.seed, 4)),
    meetings,
    platformRecords: journeys.flatMap((journey) => platformRecordsOf(journey, meetings)),
  };
}

/** A meeting as the chair recorded it: opened at 09:55, closed at noon, every partner present. */
function demoMeeting(seed: number, at: number): DemoMeeting {
  const hex = createHash('sha256').update(`meeting/${seed}/${at}`).digest('hex');
  return {
    meetingId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`,
    date: isoDate(at),
    openedAt: isoTime(at - 5 * MINUTE),
    closedAt: isoTime(at + 2 * HOUR),
    chair: 'chair-01',
    agency: 'police',
    agenciesPresent: ['health', 'housing', 'police', 'prison', 'probation', 'voluntary'],
    cohortClasses: [],
  };
}

/** The chair's decisions about the person, naming them as their registration did. */
function platformRecordsOf(journey: Journey, meetings: readonly DemoMeeting[]): DemoPlatformRecord[] {
  const registration = journey.drafts.find((draft) => draft.type === 'iom.subject.registered.v1');
  const endedAt = journey.state.endedAt ?? Number.POSITIVE_INFINITY;
  if (!registration || meetings.length === 0) return [];
  const identifier = identifierFor(journey.identity, registration.agency);
  return journey.platform
    .filter((record) => record.at <= endedAt)
    .map((record) => ({
      subject: `${identifier.scheme}:${identifier.value}`,
      type: 'iom.tasking.decision-recorded.v1' as const,
      time: isoTime(record.at),
      agency: 'police' as const,
      publishedBy: 'chair-01',
      data: record.data,
    }));
}

export type { DemoCloudEvent, DemoOptions, DemoPartnership, DemoPublication } from './types';

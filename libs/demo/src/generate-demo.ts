import type { CohortCategory } from '@throughline/domain';
import { finalise } from './finalise';
import { Journey } from './journey';
import { IdentityFactory, profileFor } from './people';
import { Rng } from './prng';
import { enter } from './steps/entry';
import { addMonths, DAY, dayOf, isoDate, MINUTE, parseStart } from './time';
import type { DemoOptions, DemoPartnership } from './types';

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
    enter(journey, { capacityReview });
    journey.run();
    journeys.push(journey);
  }
  return { publications: finalise(journeys, Rng.derive(options.seed, 4)) };
}

export type { DemoCloudEvent, DemoOptions, DemoPartnership, DemoPublication } from './types';

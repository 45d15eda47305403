import {
  CATALOGUE,
  type DataCategory,
  isCalendarDate,
  type PublishedEvent,
  utcInstant,
} from '@throughline/domain';
import { addYears, type RetentionSchedule, reviewRuleFor, type ReviewTrigger } from './retention';
import { evolveRestrictions, type Restriction } from './sharing-state';

/** A retain decision: the category stays out of the queue until `nextReview`. */
export interface RetainDecision {
  readonly eventId: string;
  readonly nextReview: string;
  readonly reason: string;
  readonly reviewer: string;
  readonly at: string;
}

/** A restriction as the IG console lists it. */
/** A restriction as the records review keeps it: the sharing state's own (`evolveRestrictions`). */
export type RestrictionFact = Restriction;

/**
 * What the review queue needs of one subject, kept as events arrive: what starts each clock, and
 * the decisions taken. A few dates per agency and category, never the data itself.
 */
export interface RetentionFacts {
  readonly subjectId: string;
  readonly dateOfBirth: string | null;
  /** When the person was last de-selected from the cohort; null while on it (or never de-selected). */
  readonly deselectedOn: string | null;
  /** The latest licence end the record names. */
  readonly orderEndsOn: string | null;
  /** `agency|category` -> the date of the agency's last event of the category about the person. */
  readonly lastEvent: Readonly<Record<string, string>>;
  /** `agency|category` -> the latest retain decision. */
  readonly retained: Readonly<Record<string, RetainDecision>>;
  /** By restriction id: those in force. */
  readonly restrictions: Readonly<Record<string, RestrictionFact>>;
}

export const factKey = (agency: string, category: DataCategory): string => `${agency}|${category}`;

/** The category a fact key names, when it is the agency's. */
const categoryOfKey = (key: string, agency: string): DataCategory | undefined =>
  key.startsWith(`${agency}|`) ? (key.slice(agency.length + 1) as DataCategory) : undefined;

/** The calendar date an event happened on (its `time`, read as UTC). */
const dateOf = (time: string): string => (utcInstant(time) ?? time).slice(0, 10);

/** Folds one subject event into the facts; pure. */
export function evolveRetentionFacts(facts: RetentionFacts | null, event: PublishedEvent): RetentionFacts {
  const base: RetentionFacts = facts ?? {
    subjectId: event.subjectId,
    dateOfBirth: null,
    deselectedOn: null,
    orderEndsOn: null,
    lastEvent: {},
    retained: {},
    restrictions: {},
  };
  switch (event.type) {
    case 'iom.retention.reviewed.v1': {
      const { category, nextReview, reason, reviewer } = event.data;
      const decision: RetainDecision = {
        eventId: event.id,
        nextReview,
        reason,
        reviewer,
        at: event.meta.time,
      };
      return { ...base, retained: { ...base.retained, [factKey(event.meta.agency, category)]: decision } };
    }
    case 'iom.record.restricted.v1':
    case 'iom.record.restriction-lifted.v1':
      return { ...base, restrictions: evolveRestrictions(base.restrictions, event) };
    case 'iom.record.erased.v1': {
      // What is erased is no longer held, so nothing of it is due for review; the erasure itself is
      // kept for good and starts no clock. Data the agency sends afterwards starts one again.
      const { agency } = event.meta;
      const { categories } = event.data;
      const erased = (key: string): boolean => {
        const category = categoryOfKey(key, agency);
        return category !== undefined && (categories === undefined || categories.includes(category));
      };
      const keep = <T>(record: Readonly<Record<string, T>>): Record<string, T> =>
        Object.fromEntries(Object.entries(record).filter(([key]) => !erased(key)));
      return { ...base, lastEvent: keep(base.lastEvent), retained: keep(base.retained) };
    }
    default:
      break;
  }
  // Records of the platform's own (a break-glass claim) start no agency's clock.
  if (CATALOGUE[event.type].recordedByPlatform) return base;
  const on = dateOf(event.meta.time);
  const key = factKey(event.meta.agency, event.meta.category);
  const lastEvent = (base.lastEvent[key] ?? '') >= on ? base.lastEvent : { ...base.lastEvent, [key]: on };
  let next: RetentionFacts = lastEvent === base.lastEvent ? base : { ...base, lastEvent };
  if (event.type === 'iom.subject.registered.v1' && isCalendarDate(event.data.dateOfBirth))
    next = { ...next, dateOfBirth: event.data.dateOfBirth };
  if (event.type === 'iom.cohort.deselected.v1') next = { ...next, deselectedOn: on };
  if (event.type === 'iom.cohort.adopted.v1') next = { ...next, deselectedOn: null };
  if (event.type === 'iom.licence.conditions-set.v1' && isCalendarDate(event.data.licenceEnds))
    next = { ...next, orderEndsOn: event.data.licenceEnds };
  return next;
}

/**
 * The categories an agency holds data of about the subject: those it published (what the platform
 * recorded in its name is not its data) and has not erased since.
 */
export const heldCategories = (facts: RetentionFacts | null, agency: string): DataCategory[] =>
  Object.keys(facts?.lastEvent ?? {}).flatMap((key) => categoryOfKey(key, agency) ?? []);

/** One row of an agency's review queue: a subject's category, when review fell due and why. */
export interface DueReview {
  readonly subjectId: string;
  readonly category: DataCategory;
  readonly dueOn: string;
  /** What started the clock, and on what date; `retained` when a retain decision set the date. */
  readonly trigger: ReviewTrigger | 'retained';
  readonly since: string;
  readonly years: number | null;
  /** The last retain decision, if any. */
  readonly retained: RetainDecision | null;
}

const triggerDate = (facts: RetentionFacts, trigger: ReviewTrigger, lastEvent: string): string | null => {
  switch (trigger) {
    case 'last-event':
      return lastEvent;
    case 'de-selection':
      return facts.deselectedOn;
    case 'end-of-order':
      return facts.orderEndsOn;
    case 'date-of-birth':
      return facts.dateOfBirth;
  }
};

/**
 * When each category of the agency's data about the person falls due for review under the
 * schedule, whether due yet or not: the clock's start plus the rule's years, or, after a retain
 * decision, the later of that and the next review it set (new events move the clock on; a decision
 * never brings a review forward). A clock whose start is not known (no de-selection, no order end
 * recorded) has not started, and nothing falls due.
 */
export function reviewsOf(
  schedule: RetentionSchedule | undefined,
  facts: RetentionFacts,
  agency: string,
  /** Only those due by this date (YYYY-MM-DD). */
  dueBy?: string,
): DueReview[] {
  const reviews: DueReview[] = [];
  const prefix = `${agency}|`;
  for (const key in facts.lastEvent) {
    if (!key.startsWith(prefix)) continue;
    const category = key.slice(prefix.length) as DataCategory;
    const rule = reviewRuleFor(schedule, agency, category);
    if (!rule) continue;
    const since = triggerDate(facts, rule.from, facts.lastEvent[key]!);
    if (since === null) continue;
    const scheduled = addYears(since, rule.years);
    const retained = facts.retained[key] ?? null;
    const byDecision = retained !== null && retained.nextReview > scheduled;
    if (dueBy !== undefined && (byDecision ? retained.nextReview : scheduled) > dueBy) continue;
    reviews.push({
      subjectId: facts.subjectId,
      category,
      dueOn: byDecision ? retained.nextReview : scheduled,
      trigger: byDecision ? 'retained' : rule.from,
      since: byDecision ? dateOf(retained.at) : since,
      years: byDecision ? null : rule.years,
      retained,
    });
  }
  return reviews;
}

/** The agency's queue on `today` (YYYY-MM-DD in the partnership's time zone): every review due, oldest first. */
export function dueReviews(
  schedule: RetentionSchedule | undefined,
  all: Iterable<RetentionFacts>,
  agency: string,
  today: string,
): DueReview[] {
  const due: DueReview[] = [];
  for (const facts of all) due.push(...reviewsOf(schedule, facts, agency, today));
  return due.sort(
    (a, b) =>
      a.dueOn.localeCompare(b.dueOn) ||
      a.subjectId.localeCompare(b.subjectId) ||
      a.category.localeCompare(b.category),
  );
}

/** The calendar date of an instant in a time zone. */
export const dateIn = (at: Date, timeZone: string): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    at,
  );

import {
  type DataCategory,
  isCalendarDate,
  isDataCategory,
  isPurposeOfUse,
  type RecordErasedV1,
  type RecordRestrictedV1,
  type RecordRestrictionLiftedV1,
  type RetentionReviewedV1,
} from '@throughline/domain';
import type { Agreement } from './agreement';
import { addYears } from './retention';
import type { RestrictionFact } from './review-queue';

/** The rules a records decision is refused under, named in its problem and its audit record. */
export type RecordsRule =
  | 'records-decider'
  | 'records-subject-known'
  | 'retention-category'
  | 'retention-reason'
  | 'retention-next-review'
  | 'retention-nothing-held'
  | 'erasure-reason'
  | 'erasure-decision-ref'
  | 'restriction-categories'
  | 'restriction-purposes'
  | 'restriction-reason'
  | 'restriction-legal-basis'
  | 'restriction-known'
  | 'restriction-owner';

export interface RecordsRefusal {
  readonly refused: true;
  readonly status: 403 | 404 | 422;
  readonly rule: RecordsRule;
  readonly clause: null;
  readonly title: string;
  readonly detail: string;
}

/** The person deciding: an IG lead (the role gate has said so) of the agency whose data it is. */
export interface RecordsDecider {
  readonly kind: 'person' | 'system';
  readonly id: string;
  readonly agency: string;
}

/** The furthest a retain decision may put the next review: MoPI's longest review interval. */
export const MAX_RETAIN_YEARS = 10;
const MAX_TEXT = 2000;
/** The erasure event's own bounds (`RecordErasedV1`). */
const MAX_ERASURE_REASON = 500;
const MAX_DECISION_REF = 200;

const refuse = (status: RecordsRefusal['status'], rule: RecordsRule, title: string, detail: string) =>
  ({ refused: true, status, rule, clause: null, title, detail }) as const;

const text = (value: unknown, max: number): string | null => {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed.length > 0 && trimmed.length <= max ? trimmed : null;
};

/** The review queue's decisions (retain, erase) each name one category the agency holds data of. */
const isOneCategory = (category: unknown): category is DataCategory =>
  typeof category === 'string' && isDataCategory(category);
const UNKNOWN_CATEGORY = refuse(
  422,
  'retention-category',
  'Unknown category',
  'category must be one data category',
);
const nothingHeld = (title: string, category: DataCategory) =>
  refuse(422, 'retention-nothing-held', title, `Your agency holds no ${category} data about this subject`);

/**
 * A records decision is the owning agency's: taken by a person of one of the agreement's agencies,
 * about that agency's own data. The partnership's own IG lead holds no data and decides none.
 */
export function deciderRefusal(decider: RecordsDecider, agreement: Agreement | null): RecordsRefusal | null {
  if (decider.kind === 'person' && (agreement?.agencies ?? []).includes(decider.agency)) return null;
  return refuse(
    403,
    'records-decider',
    'Not an owning agency',
    "Retention, erasure and restriction decisions are taken by a person of the agency whose data it is, one of the agreement's agencies",
  );
}

export function decideRetain(input: {
  readonly decider: RecordsDecider;
  readonly category: unknown;
  readonly reason: unknown;
  readonly nextReview: unknown;
  /** The categories the decider's agency holds data of about the subject. */
  readonly held: readonly DataCategory[];
  /** Today, in the partnership's time zone. */
  readonly today: string;
}): RecordsRefusal | RetentionReviewedV1 {
  const { category, nextReview, today } = input;
  if (!isOneCategory(category)) return UNKNOWN_CATEGORY;
  const reason = text(input.reason, MAX_TEXT);
  if (reason === null)
    return refuse(
      422,
      'retention-reason',
      'A reason is needed',
      `reason: why the data is still needed, 1 to ${MAX_TEXT} characters that are not all spaces`,
    );
  const latest = addYears(today, MAX_RETAIN_YEARS);
  if (!isCalendarDate(nextReview) || nextReview <= today || nextReview > latest)
    return refuse(
      422,
      'retention-next-review',
      'A next review date is needed',
      `nextReview must be a date (YYYY-MM-DD) after today and no later than ${latest}`,
    );
  if (!input.held.includes(category)) return nothingHeld('Nothing to review', category);
  return { category, outcome: 'retain', reason, nextReview, reviewer: input.decider.id };
}

/**
 * Erase a category of the agency's data about the subject: the keys that sealed it are destroyed
 * (decision 0026). The reason and the decision's reference are kept in the clear for good, so they
 * name the decision, never the person's data.
 */
export function decideErase(input: {
  readonly decider: RecordsDecider;
  readonly category: unknown;
  readonly reason: unknown;
  readonly decisionRef: unknown;
  /** The categories the decider's agency holds data of about the subject. */
  readonly held: readonly DataCategory[];
}): RecordsRefusal | RecordErasedV1 {
  const { category } = input;
  if (!isOneCategory(category)) return UNKNOWN_CATEGORY;
  const reason = text(input.reason, MAX_ERASURE_REASON);
  if (reason === null)
    return refuse(
      422,
      'erasure-reason',
      'A reason is needed',
      `reason: why the data is erased, 1 to ${MAX_ERASURE_REASON} characters that are not all spaces; it is kept for good, so name the grounds, not the person's data`,
    );
  const decisionRef = text(input.decisionRef, MAX_DECISION_REF);
  if (decisionRef === null)
    return refuse(
      422,
      'erasure-decision-ref',
      'A decision reference is needed',
      `decisionRef: the decision the erasure carries out (a review, a request's reference), 1 to ${MAX_DECISION_REF} characters`,
    );
  if (!input.held.includes(category)) return nothingHeld('Nothing to erase', category);
  return { categories: [category], reason, decisionRef };
}

export function decideRestrict(input: {
  readonly decider: RecordsDecider;
  readonly restrictionId: string;
  readonly categories: unknown;
  readonly purposes: unknown;
  readonly reason: unknown;
  readonly legalBasis: unknown;
}): RecordsRefusal | RecordRestrictedV1 {
  const { categories, purposes } = input;
  if (
    !Array.isArray(categories) ||
    categories.length === 0 ||
    !categories.every((c) => typeof c === 'string' && isDataCategory(c)) ||
    new Set(categories).size !== categories.length
  )
    return refuse(
      422,
      'restriction-categories',
      'Categories are needed',
      'categories must be a non-empty list of distinct data categories',
    );
  if (
    !Array.isArray(purposes) ||
    !purposes.every((p) => typeof p === 'string' && isPurposeOfUse(p)) ||
    new Set(purposes).size !== purposes.length
  )
    return refuse(
      422,
      'restriction-purposes',
      'Purposes must be a list',
      'purposes must be a list (maybe empty) of distinct purposes of use still allowed',
    );
  const reason = text(input.reason, MAX_TEXT);
  if (reason === null)
    return refuse(
      422,
      'restriction-reason',
      'A reason is needed',
      `reason: why processing is restricted, 1 to ${MAX_TEXT} characters that are not all spaces`,
    );
  const legalBasis = text(input.legalBasis, 200);
  if (legalBasis === null)
    return refuse(
      422,
      'restriction-legal-basis',
      'A legal basis is needed',
      'legalBasis: the provision the restriction rests on (e.g. DPA 2018 s.47(2)), up to 200 characters',
    );
  return {
    restrictionId: input.restrictionId,
    categories: categories,
    purposes: purposes,
    reason,
    legalBasis,
    restrictedBy: input.decider.id,
  };
}

export function decideLift(input: {
  readonly decider: RecordsDecider;
  readonly restriction: RestrictionFact | undefined;
  readonly reason: unknown;
}): RecordsRefusal | RecordRestrictionLiftedV1 {
  const { restriction, decider } = input;
  if (!restriction)
    return refuse(
      404,
      'restriction-known',
      'Restriction not found',
      'No restriction in force on this subject has this id',
    );
  if (restriction.agency !== decider.agency)
    return refuse(
      403,
      'restriction-owner',
      'Not your restriction',
      'Only the agency that restricted its data lifts the restriction',
    );
  const reason = text(input.reason, MAX_TEXT);
  if (reason === null)
    return refuse(
      422,
      'restriction-reason',
      'A reason is needed',
      `reason: why the restriction ends, 1 to ${MAX_TEXT} characters that are not all spaces`,
    );
  return { restrictionId: restriction.restrictionId, reason, liftedBy: decider.id };
}

export const isRecordsRefusal = (value: object): value is RecordsRefusal =>
  (value as { refused?: unknown }).refused === true;

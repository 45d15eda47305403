import type { DataCategory } from '@throughline/domain';
import type { Agreement, Clause } from './agreement';
import { sharingEngine } from './engine';

/** A justification must say something: this many characters that are not whitespace. */
export const JUSTIFICATION_MIN_CHARACTERS = 20;
export const JUSTIFICATION_MAX_LENGTH = 2000;
export const REVIEW_NOTE_MAX_LENGTH = 2000;

/** The role that reviews the claims of its own agency. */
export const AGENCY_REVIEWER_ROLE = 'ig-lead';

export const REVIEW_OUTCOMES = ['approved', 'flagged'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

/** The rules a claim or a review is refused under; the audit record names the one applied. */
export type BreakGlassRule =
  | 'break-glass-request'
  | 'break-glass-claimant-role'
  | 'break-glass-justification'
  | 'break-glass-max-minutes'
  | 'break-glass-never'
  | 'break-glass-subject-known'
  | 'break-glass-reviewer'
  | 'break-glass-no-self-review'
  | 'break-glass-review-outcome'
  | 'break-glass-review-note'
  | 'break-glass-flag-note'
  | 'break-glass-claim-known'
  | 'break-glass-reviewed-once';

export interface BreakGlassIssue {
  readonly field: string;
  readonly constraint: string;
  readonly message: string;
}

/** A domain error: why a claim or a review was refused, for the response and the audit record. */
export interface BreakGlassRefusal {
  readonly refused: true;
  readonly status: 403 | 404 | 409 | 422;
  readonly rule: BreakGlassRule;
  /** The agreement clause that decided, where one did. */
  readonly clause: string | null;
  readonly title: string;
  readonly detail: string;
  readonly errors?: readonly BreakGlassIssue[];
}

export interface BreakGlassActor {
  readonly kind: 'person' | 'system';
  readonly id: string;
  readonly agency: string;
  readonly role: string;
}

const refuse = (
  status: BreakGlassRefusal['status'],
  rule: BreakGlassRule,
  title: string,
  detail: string,
  extra: { clause?: string; errors?: readonly BreakGlassIssue[] } = {},
): BreakGlassRefusal => ({
  refused: true,
  status,
  rule,
  clause: extra.clause ?? null,
  title,
  detail,
  ...(extra.errors ? { errors: extra.errors } : {}),
});

/** A claim whose shape is wrong (categories not a list of known ones, minutes not a whole number). */
export const malformedClaim = (errors: readonly BreakGlassIssue[]): BreakGlassRefusal =>
  refuse(422, 'break-glass-request', 'Invalid break-glass claim', 'The claim was not recorded', { errors });

/** Counted on the trimmed text, by code point, so padding and blank lines add nothing. */
export const nonBlankCharacters = (text: string): number =>
  [...text.trim()].filter((character) => !/\s/u.test(character)).length;

/** The justification rule, decided here for every caller; null when the text holds. */
export function justificationRefusal(justification: string): BreakGlassRefusal | null {
  const counted = nonBlankCharacters(justification);
  if (counted >= JUSTIFICATION_MIN_CHARACTERS && justification.length <= JUSTIFICATION_MAX_LENGTH)
    return null;
  const message =
    counted < JUSTIFICATION_MIN_CHARACTERS
      ? `at least ${JUSTIFICATION_MIN_CHARACTERS} characters that are not whitespace (${counted} given)`
      : `at most ${JUSTIFICATION_MAX_LENGTH} characters`;
  return refuse(
    422,
    'break-glass-justification',
    'Invalid break-glass claim',
    `justification must hold ${message}`,
    { errors: [{ field: 'justification', constraint: 'break-glass-justification', message }] },
  );
}

/** The never clause that closes a whole category to an agency, as the engine reads the agreement. */
export const neverClauseFor = (
  agreement: Agreement,
  agency: string,
  category: DataCategory,
): Clause | undefined => sharingEngine(agreement).neverClauseFor(agency, category);

export interface ClaimInput {
  readonly claimant: BreakGlassActor;
  readonly agreement: Agreement | null;
  readonly subjectKnown: boolean;
  readonly justification: string;
  readonly categories: readonly DataCategory[];
  readonly minutes: number;
  readonly now: Date;
}

/** What a granted claim records: the data of `iom.break-glass.claimed.v1`. */
export interface ClaimGranted {
  readonly refused: false;
  readonly user: string;
  readonly agency: string;
  readonly categories: readonly DataCategory[];
  readonly expiresAt: string;
  readonly justification: string;
}

/**
 * Decides a break-glass claim. Who may claim comes first, so a role that may not claim learns
 * nothing of the subject; the claim is then checked against the agreement before the subject is
 * looked for.
 */
export function decideClaim(input: ClaimInput): ClaimGranted | BreakGlassRefusal {
  const { claimant, agreement } = input;
  if (claimant.kind !== 'person' || !agreement?.breakGlass.roles.includes(claimant.role)) {
    return refuse(
      403,
      'break-glass-claimant-role',
      'Break-glass not allowed',
      `Role "${claimant.role}" may not claim emergency access under the agreement`,
    );
  }
  const justification = justificationRefusal(input.justification);
  if (justification) return justification;
  if (input.minutes > agreement.breakGlass.maxMinutes) {
    const message = `at most ${agreement.breakGlass.maxMinutes} minutes`;
    return refuse(422, 'break-glass-max-minutes', 'Invalid break-glass claim', `minutes must be ${message}`, {
      errors: [{ field: 'minutes', constraint: 'max', message }],
    });
  }
  const closed = input.categories.flatMap((category) => {
    const clause = neverClauseFor(agreement, claimant.agency, category);
    return clause ? [{ category, clause: clause.id }] : [];
  });
  const [first] = closed;
  if (first) {
    return refuse(
      422,
      'break-glass-never',
      'Category closed by the agreement',
      `Break-glass never opens what the agreement marks never: clause ${first.clause} closes ` +
        `${closed.map((entry) => entry.category).join(', ')} to ${claimant.agency}`,
      {
        clause: first.clause,
        errors: closed.map((entry) => ({
          field: 'categories',
          constraint: 'break-glass-never',
          message: `${entry.category} is closed to ${claimant.agency} by clause ${entry.clause}`,
        })),
      },
    );
  }
  if (!input.subjectKnown) {
    return refuse(
      404,
      'break-glass-subject-known',
      'Subject not found',
      'No subject with this id is visible to your agency',
    );
  }
  return {
    refused: false,
    user: claimant.id,
    agency: claimant.agency,
    categories: input.categories,
    expiresAt: new Date(input.now.getTime() + input.minutes * 60_000).toISOString(),
    justification: input.justification.trim(),
  };
}

/** How a reviewer came to review: the ground the review record rests on. */
export type ReviewerGround = 'agency-ig-lead' | 'partnership-reviewer';

const partnershipReviewer = (agreement: Agreement | null, reviewer: BreakGlassActor): boolean =>
  agreement?.breakGlass.partnershipReviewers.some(
    (named) => named.agency === reviewer.agency && named.role === reviewer.role,
  ) ?? false;

/** Whether the principal reviews any claims at all: checked before a claim is looked up. */
export function reviewerRefusal(
  reviewer: BreakGlassActor,
  agreement: Agreement | null,
): BreakGlassRefusal | null {
  if (
    reviewer.kind === 'person' &&
    (reviewer.role === AGENCY_REVIEWER_ROLE || partnershipReviewer(agreement, reviewer))
  )
    return null;
  return refuse(
    403,
    'break-glass-reviewer',
    'Not a break-glass reviewer',
    `Claims are reviewed by an ${AGENCY_REVIEWER_ROLE} of the claimant's agency or a partnership reviewer the agreement names`,
  );
}

export interface ReviewInput {
  readonly reviewer: BreakGlassActor;
  readonly agreement: Agreement | null;
  /** The claim as recorded in the log; null when there is none with that id. */
  readonly claim: { readonly eventId: string; readonly user: string; readonly agency: string } | null;
  readonly alreadyReviewed: boolean;
  readonly outcome: unknown;
  readonly note: unknown;
}

/** What a review records: the data of `iom.break-glass.reviewed.v1`, and the ground it rests on. */
export interface ReviewDecided {
  readonly refused: false;
  readonly claimEventId: string;
  readonly outcome: ReviewOutcome;
  readonly reviewer: string;
  readonly note?: string;
  readonly ground: ReviewerGround;
}

const isOutcome = (value: unknown): value is ReviewOutcome =>
  (REVIEW_OUTCOMES as readonly unknown[]).includes(value);

/**
 * Decides a review. A flag needs a note saying why, since the note is what the follow-up acts on.
 * The reviewer is never the claimant, whatever their role, and reviews only their own agency's
 * claims unless the agreement names them a partnership reviewer.
 */
export function decideReview(input: ReviewInput): ReviewDecided | BreakGlassRefusal {
  const { reviewer, agreement, claim } = input;
  const notReviewer = reviewerRefusal(reviewer, agreement);
  if (notReviewer) return notReviewer;
  if (!isOutcome(input.outcome)) {
    return refuse(
      422,
      'break-glass-review-outcome',
      'Invalid review',
      'outcome must be approved or flagged',
      {
        errors: [{ field: 'outcome', constraint: 'isIn', message: 'approved or flagged' }],
      },
    );
  }
  const given = input.note ?? undefined;
  const written = typeof given === 'string' ? given.trim() : '';
  if ((given !== undefined && typeof given !== 'string') || written.length > REVIEW_NOTE_MAX_LENGTH) {
    const message = `text of at most ${REVIEW_NOTE_MAX_LENGTH} characters`;
    return refuse(422, 'break-glass-review-note', 'Invalid review', `note must be ${message}`, {
      errors: [{ field: 'note', constraint: 'maxLength', message }],
    });
  }
  if (input.outcome === 'flagged' && written === '') {
    return refuse(
      422,
      'break-glass-flag-note',
      'Invalid review',
      'A flagged claim needs a note saying what is to be followed up',
      { errors: [{ field: 'note', constraint: 'break-glass-flag-note', message: 'required to flag' }] },
    );
  }
  if (!claim) {
    return refuse(404, 'break-glass-claim-known', 'Claim not found', 'No break-glass claim with this id');
  }
  if (claim.user === reviewer.id) {
    return refuse(
      403,
      'break-glass-no-self-review',
      'Own claim',
      'Nobody reviews their own break-glass claim, whatever their role',
    );
  }
  let ground: ReviewerGround;
  if (reviewer.role === AGENCY_REVIEWER_ROLE && reviewer.agency === claim.agency) ground = 'agency-ig-lead';
  else if (partnershipReviewer(agreement, reviewer)) ground = 'partnership-reviewer';
  else {
    return refuse(
      403,
      'break-glass-reviewer',
      'Not a reviewer of this claim',
      `A ${claim.agency} claim is reviewed by a ${claim.agency} ${AGENCY_REVIEWER_ROLE} or a partnership reviewer the agreement names`,
    );
  }
  if (input.alreadyReviewed) {
    return refuse(409, 'break-glass-reviewed-once', 'Already reviewed', 'The claim was already reviewed');
  }
  return {
    refused: false,
    claimEventId: claim.eventId,
    outcome: input.outcome,
    reviewer: reviewer.id,
    ...(written === '' ? {} : { note: written }),
    ground,
  };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataCategory } from '@throughline/domain';
import { type Agreement, parseAgreement } from './agreement';
import {
  type BreakGlassActor,
  type BreakGlassRefusal,
  type ClaimInput,
  decideClaim,
  decideReview,
  JUSTIFICATION_MIN_CHARACTERS,
  justificationRefusal,
  nonBlankCharacters,
  type ReviewInput,
} from './break-glass';

const SHIPPED = parseAgreement(
  readFileSync(join(__dirname, '..', '..', '..', '..', 'infra', 'agreements', 'default-iom.yaml'), 'utf8'),
);
const NOW = new Date('2026-03-02T10:00:00.000Z');
const JUSTIFIED = 'Reported missing after an overdose; need treatment contacts now';

const person = (agency: string, role: string, id = `${agency}-${role}`): BreakGlassActor => ({
  kind: 'person',
  id,
  agency,
  role,
});

const claim = (overrides: Partial<ClaimInput> = {}): ClaimInput => ({
  claimant: person('police', 'iom-officer', 'pc-101'),
  agreement: SHIPPED,
  subjectKnown: true,
  justification: JUSTIFIED,
  categories: ['drugs'],
  minutes: 30,
  now: NOW,
  ...overrides,
});

const refusalOf = (decision: { refused: boolean }): Pick<BreakGlassRefusal, 'status' | 'rule' | 'clause'> => {
  expect(decision.refused).toBe(true);
  const { status, rule, clause } = decision as BreakGlassRefusal;
  return { status, rule, clause };
};

describe('the justification rule', () => {
  it.each([
    ['twenty-five spaces', ' '.repeat(25), 0],
    ['nineteen letters padded with spaces', `   ${'a'.repeat(19)}   `, 19],
    ['words spread over blank lines and tabs', 'need\n\n\tcontacts\t now   ', 15],
    ['twenty letters', 'a'.repeat(20), 20],
    ['letters outside the basic plane count once each', '🚑'.repeat(20), 20],
  ])('counts %s as %i characters that are not whitespace', (_label, text, expected) => {
    expect(nonBlankCharacters(text)).toBe(expected);
  });

  it.each([
    ['twenty-five spaces', ' '.repeat(25), false],
    ['nineteen characters padded to forty', `${'a'.repeat(19)}${' '.repeat(21)}`, false],
    ['twenty characters with spaces between them', 'a b c d e f g h i j k l m n o p q r s t', true],
    ['a plain sentence', JUSTIFIED, true],
    ['more than 2,000 characters', 'a'.repeat(2001), false],
  ])('given %s, holds: %s', (_label, text, holds) => {
    const refusal = justificationRefusal(text);
    expect(refusal === null).toBe(holds);
    if (refusal) expect(refusal).toMatchObject({ status: 422, rule: 'break-glass-justification' });
  });

  it('names the minimum in the refusal', () => {
    expect(justificationRefusal(' '.repeat(25))?.errors?.[0]).toMatchObject({
      field: 'justification',
      message: expect.stringContaining(`${JUSTIFICATION_MIN_CHARACTERS} characters`),
    });
  });
});

describe('decideClaim', () => {
  it('given a justified claim within the limit, records the claimant, the categories and the expiry from now', () => {
    expect(decideClaim(claim({ justification: `  ${JUSTIFIED}\n` }))).toEqual({
      refused: false,
      user: 'pc-101',
      agency: 'police',
      categories: ['drugs'],
      expiresAt: '2026-03-02T10:30:00.000Z',
      justification: JUSTIFIED,
    });
  });

  const never = (agency: string, role: string, categories: DataCategory[]) =>
    claim({ claimant: person(agency, role), categories });

  it.each<[string, ClaimInput, Pick<BreakGlassRefusal, 'status' | 'rule' | 'clause'>]>([
    [
      'a role the agreement does not let claim',
      claim({ claimant: person('police', 'analyst') }),
      { status: 403, rule: 'break-glass-claimant-role', clause: null },
    ],
    [
      'an agency system',
      claim({ claimant: { ...person('police', 'iom-officer'), kind: 'system' } }),
      { status: 403, rule: 'break-glass-claimant-role', clause: null },
    ],
    [
      'no agreement loaded',
      claim({ agreement: null }),
      { status: 403, rule: 'break-glass-claimant-role', clause: null },
    ],
    [
      'a justification of twenty-five spaces',
      claim({ justification: ' '.repeat(25) }),
      { status: 422, rule: 'break-glass-justification', clause: null },
    ],
    [
      'more minutes than the agreement allows',
      claim({ minutes: 61 }),
      { status: 422, rule: 'break-glass-max-minutes', clause: null },
    ],
    [
      'housing claiming offending, which the agreement marks never for housing',
      never('housing', 'housing-officer', ['housing', 'offending']),
      { status: 422, rule: 'break-glass-never', clause: 'health-no-offending' },
    ],
    [
      'health claiming intelligence, which the agreement marks never for health',
      never('health', 'drug-worker', ['intelligence']),
      { status: 422, rule: 'break-glass-never', clause: 'health-no-offending' },
    ],
    [
      'a subject that is not in the log',
      claim({ subjectKnown: false }),
      { status: 404, rule: 'break-glass-subject-known', clause: null },
    ],
  ])('given %s, refuses', (_label, input, expected) => {
    expect(refusalOf(decideClaim(input))).toEqual(expected);
  });

  it('given a category closed to another agency only, grants it', () => {
    expect(decideClaim(never('police', 'iom-officer', ['offending', 'intelligence'])).refused).toBe(false);
  });

  it('names every category a never clause closes', () => {
    const refusal = decideClaim(never('housing', 'housing-officer', ['offending', 'intelligence']));
    expect((refusal as BreakGlassRefusal).errors?.map((issue) => issue.message)).toEqual([
      'offending is closed to housing by clause health-no-offending',
      'intelligence is closed to housing by clause health-no-offending',
    ]);
  });

  it('given a never clause narrowed to some event types, leaves the rest of the category claimable', () => {
    const narrowed: Agreement = {
      ...SHIPPED,
      clauses: SHIPPED.clauses.map((clause) =>
        clause.basis === 'never' ? { ...clause, when: { types: ['iom.arrest.recorded.v1'] } } : clause,
      ),
    };
    expect(
      decideClaim(claim({ ...never('housing', 'housing-officer', ['offending']), agreement: narrowed }))
        .refused,
    ).toBe(false);
  });
});

describe('decideReview', () => {
  const CLAIM = { eventId: '00000000-0000-4000-8000-000000000001', user: 'pc-101', agency: 'police' };
  const review = (overrides: Partial<ReviewInput> = {}): ReviewInput => ({
    reviewer: person('police', 'ig-lead', 'ig-police-1'),
    agreement: SHIPPED,
    claim: CLAIM,
    alreadyReviewed: false,
    outcome: 'approved',
    note: undefined,
    ...overrides,
  });

  it.each<[string, ReviewInput, { ground: string; note?: string }]>([
    ["the claimant agency's ig-lead approving without a note", review(), { ground: 'agency-ig-lead' }],
    [
      'the partnership ig-lead flagging with a note',
      review({
        reviewer: person('partnership', 'ig-lead', 'ig-01'),
        outcome: 'flagged',
        note: '  No report found for that date  ',
      }),
      { ground: 'partnership-reviewer', note: 'No report found for that date' },
    ],
    ['an approval with a blank note', review({ note: '   ' }), { ground: 'agency-ig-lead' }],
  ])('given %s, records the review', (_label, input, expected) => {
    const decision = decideReview(input);
    expect(decision).toEqual({
      refused: false,
      claimEventId: CLAIM.eventId,
      outcome: input.outcome,
      reviewer: input.reviewer.id,
      ...expected,
    });
  });

  it.each<[string, ReviewInput, Pick<BreakGlassRefusal, 'status' | 'rule' | 'clause'>]>([
    [
      'the claimant holding an ig-lead token with the same user id',
      review({ reviewer: person('police', 'ig-lead', 'pc-101') }),
      { status: 403, rule: 'break-glass-no-self-review', clause: null },
    ],
    [
      'the claimant as a partnership reviewer',
      review({ reviewer: person('partnership', 'ig-lead', 'pc-101') }),
      { status: 403, rule: 'break-glass-no-self-review', clause: null },
    ],
    [
      "another agency's ig-lead",
      review({ reviewer: person('probation', 'ig-lead') }),
      { status: 403, rule: 'break-glass-reviewer', clause: null },
    ],
    [
      'a practitioner of the same agency',
      review({ reviewer: person('police', 'iom-officer', 'pc-202') }),
      { status: 403, rule: 'break-glass-reviewer', clause: null },
    ],
    [
      'a partnership ig-lead under an agreement that names no partnership reviewers',
      review({
        reviewer: person('partnership', 'ig-lead', 'ig-01'),
        agreement: { ...SHIPPED, breakGlass: { ...SHIPPED.breakGlass, partnershipReviewers: [] } },
      }),
      { status: 403, rule: 'break-glass-reviewer', clause: null },
    ],
    [
      'an agency system',
      review({ reviewer: { ...person('police', 'ig-lead'), kind: 'system' } }),
      { status: 403, rule: 'break-glass-reviewer', clause: null },
    ],
    [
      'a flag without a note',
      review({ outcome: 'flagged' }),
      { status: 422, rule: 'break-glass-flag-note', clause: null },
    ],
    [
      'a flag with a blank note',
      review({ outcome: 'flagged', note: ' \n\t ' }),
      { status: 422, rule: 'break-glass-flag-note', clause: null },
    ],
    [
      'a note that is not text',
      review({ note: 42 }),
      { status: 422, rule: 'break-glass-review-note', clause: null },
    ],
    [
      'a note over 2,000 characters',
      review({ note: 'a'.repeat(2001) }),
      { status: 422, rule: 'break-glass-review-note', clause: null },
    ],
    [
      'an outcome that is neither approved nor flagged',
      review({ outcome: 'fine' }),
      { status: 422, rule: 'break-glass-review-outcome', clause: null },
    ],
    [
      'no such claim',
      review({ claim: null }),
      { status: 404, rule: 'break-glass-claim-known', clause: null },
    ],
    [
      'a claim already reviewed',
      review({ alreadyReviewed: true }),
      { status: 409, rule: 'break-glass-reviewed-once', clause: null },
    ],
  ])('given %s, refuses', (_label, input, expected) => {
    expect(refusalOf(decideReview(input))).toEqual(expected);
  });

  it('refuses someone who reviews no claims before saying whether the claim exists', () => {
    expect(
      refusalOf(decideReview(review({ reviewer: person('police', 'analyst'), claim: null }))),
    ).toMatchObject({
      status: 403,
      rule: 'break-glass-reviewer',
    });
  });
});

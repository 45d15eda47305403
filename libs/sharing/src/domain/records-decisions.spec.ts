import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAgreement } from './agreement';
import {
  decideLift,
  decideRestrict,
  decideRetain,
  deciderRefusal,
  isRecordsRefusal,
} from './records-decisions';
import type { RestrictionFact } from './review-queue';

const agreement = parseAgreement(
  readFileSync(join(__dirname, '..', '..', '..', '..', 'infra', 'agreements', 'default-iom.yaml'), 'utf8'),
);
const lead = { kind: 'person', id: 'ig-police-1', agency: 'police' } as const;
const TODAY = '2026-12-06';
const ruleOf = (decided: object): string | null => (isRecordsRefusal(decided) ? decided.rule : null);

describe('who takes a records decision', () => {
  it('a person of one of the agreement’s agencies, never the partnership or a system', () => {
    expect(deciderRefusal(lead, agreement)).toBeNull();
    expect(deciderRefusal({ ...lead, agency: 'partnership' }, agreement)?.rule).toBe('records-decider');
    expect(deciderRefusal({ ...lead, kind: 'system' }, agreement)?.status).toBe(403);
    expect(deciderRefusal(lead, null)?.rule).toBe('records-decider');
  });
});

describe('a retain decision', () => {
  const retain = (over: Record<string, unknown>) =>
    decideRetain({
      decider: lead,
      category: 'offending',
      reason: 'Group 2 offence: still necessary',
      nextReview: '2030-01-01',
      held: ['offending', 'identity'],
      today: TODAY,
      ...over,
    });

  it('records the category, the trimmed reason, the next review and the reviewer', () => {
    expect(retain({ reason: '  Still needed  ' })).toEqual({
      category: 'offending',
      outcome: 'retain',
      reason: 'Still needed',
      nextReview: '2030-01-01',
      reviewer: 'ig-police-1',
    });
  });

  it.each([
    [{ category: 'gossip' }, 'retention-category'],
    [{ category: 7 }, 'retention-category'],
    [{ reason: '   ' }, 'retention-reason'],
    [{ reason: 'x'.repeat(2001) }, 'retention-reason'],
    [{ nextReview: TODAY }, 'retention-next-review'],
    [{ nextReview: '2036-12-07' }, 'retention-next-review'],
    [{ nextReview: '2030-02-30' }, 'retention-next-review'],
    [{ nextReview: '2030-01-01T00:00:00Z' }, 'retention-next-review'],
    [{ category: 'health' }, 'retention-nothing-held'],
  ])('refuses %j under %s', (over, rule) => {
    expect(ruleOf(retain(over))).toBe(rule);
  });

  it('allows the next review ten years on, and no later', () => {
    expect(ruleOf(retain({ nextReview: '2036-12-06' }))).toBeNull();
  });
});

describe('a restriction and its lift', () => {
  const restrict = (over: Record<string, unknown>) =>
    decideRestrict({
      decider: lead,
      restrictionId: '00000000-0000-4000-8000-000000000001',
      categories: ['offending'],
      purposes: [],
      reason: 'Accuracy contested',
      legalBasis: 'DPA 2018 s.47(2)',
      ...over,
    });

  it('may name no purposes, or some', () => {
    expect(ruleOf(restrict({}))).toBeNull();
    expect(restrict({ purposes: ['safeguarding'] })).toMatchObject({
      purposes: ['safeguarding'],
      restrictedBy: 'ig-police-1',
    });
  });

  it.each([
    [{ categories: [] }, 'restriction-categories'],
    [{ categories: ['offending', 'offending'] }, 'restriction-categories'],
    [{ categories: 'offending' }, 'restriction-categories'],
    [{ purposes: ['gossip'] }, 'restriction-purposes'],
    [{ purposes: 'safeguarding' }, 'restriction-purposes'],
    [{ reason: '' }, 'restriction-reason'],
    [{ legalBasis: ' ' }, 'restriction-legal-basis'],
  ])('refuses %j under %s', (over, rule) => {
    expect(ruleOf(restrict(over))).toBe(rule);
  });

  const made: RestrictionFact = {
    eventId: 'e1',
    restrictionId: '00000000-0000-4000-8000-000000000001',
    agency: 'police',
    categories: ['offending'],
    purposes: [],
    reason: 'Accuracy contested',
    legalBasis: 'DPA 2018 s.47(2)',
    restrictedBy: 'ig-police-1',
    restrictedAt: '2026-12-01T10:00:00Z',
  };

  it('is lifted by the agency that made it, with a reason', () => {
    expect(decideLift({ decider: lead, restriction: made, reason: 'Checked' })).toEqual({
      restrictionId: made.restrictionId,
      reason: 'Checked',
      liftedBy: 'ig-police-1',
    });
    expect(ruleOf(decideLift({ decider: lead, restriction: undefined, reason: 'Checked' }))).toBe(
      'restriction-known',
    );
    expect(
      ruleOf(decideLift({ decider: { ...lead, agency: 'probation' }, restriction: made, reason: 'x' })),
    ).toBe('restriction-owner');
    expect(ruleOf(decideLift({ decider: lead, restriction: made, reason: ' ' }))).toBe('restriction-reason');
  });
});

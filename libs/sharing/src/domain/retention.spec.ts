import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE_EXAMPLES, type PublishedEvent } from '@throughline/domain';
import { InvalidAgreementError, parseAgreement } from './agreement';
import { TableTimeline } from './decision-table.data';
import { addYears, type RetentionSchedule } from './retention';
import { dateIn, dueReviews, evolveRetentionFacts, type RetentionFacts, reviewsOf } from './review-queue';

const SHIPPED = readFileSync(
  join(__dirname, '..', '..', '..', '..', 'infra', 'agreements', 'default-iom.yaml'),
  'utf8',
);

/** The shipped agreement with its retention section replaced by `section` (YAML, indented). */
const withRetention = (section: string): string =>
  SHIPPED.replace(/^retention:\n(?:(?: {2}.*|\s*#.*)?\n)+/m, `retention:\n${section}\n`);

function problemsOf(text: string): string[] {
  try {
    parseAgreement(text);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidAgreementError);
    return (error as InvalidAgreementError).problems.map((problem) => `${problem.line}: ${problem.reason}`);
  }
  throw new Error('the agreement was not refused');
}

describe('the retention schedule in the agreement', () => {
  it('ships MoPI group 3 review clocks for police data and a default for every partner', () => {
    const { retention } = parseAgreement(SHIPPED);
    expect(retention?.police?.categories.offending).toEqual({ years: 6, from: 'last-event' });
    expect(retention?.police?.categories.cohort).toEqual({ years: 6, from: 'de-selection' });
    expect(retention?.probation?.categories.supervision).toEqual({ years: 6, from: 'end-of-order' });
    expect(retention?.health?.default).toEqual({ years: 8, from: 'last-event' });
    for (const agency of ['police', 'probation', 'prison', 'health', 'housing', 'voluntary'])
      expect(retention?.[agency]?.default).not.toBeNull();
  });

  it('is optional: an agreement without it schedules no review', () => {
    const text = SHIPPED.replace(/^retention:\n(?:(?: {2}.*|\s*#.*)?\n)+/m, '');
    expect(text).not.toContain('retention:');
    expect(parseAgreement(text).retention).toBeUndefined();
  });

  it.each([
    [
      '  nobody:\n    default: { years: 6, from: last-event }',
      'retention: "nobody" is not one of the agreement\'s agencies',
    ],
    ['  police:\n    gossip: { years: 6, from: last-event }', '"gossip" is not a data category'],
    ['  police:\n    offending: { years: 0, from: last-event }', 'retention.police.offending.years must be'],
    ['  police:\n    offending: { years: 2.5, from: last-event }', 'must be a whole number of years'],
    ['  police:\n    offending: { years: 101, from: last-event }', 'from 1 to 100'],
    [
      '  police:\n    offending: { years: 6, from: conviction }',
      'retention.police.offending.from must be one of',
    ],
    ['  police:\n    offending: { years: 6 }', 'retention.police.offending.from must be one of'],
    ['  police:\n    offending: { years: 6, from: last-event, delete: true }', 'must be { years, from }'],
    ['  police:\n    offending: 6', 'retention.police.offending must be { years, from }'],
    ['  police: [offending]', 'retention.police must map categories'],
  ])('refuses %j with a specific problem', (section, reason) => {
    const text = withRetention(section);
    const problems = problemsOf(text);
    expect(problems.join('\n')).toContain(reason);
  });

  it('refuses a section that is not a mapping', () => {
    const text = withRetention('  - police');
    expect(problemsOf(text).join('\n')).toContain('retention must map agencies');
  });
});

describe('addYears', () => {
  it('adds whole years, and moves 29 February to the 28th in a year without it', () => {
    expect(addYears('2019-03-02', 6)).toBe('2025-03-02');
    expect(addYears('2020-02-29', 1)).toBe('2021-02-28');
    expect(addYears('2020-02-29', 4)).toBe('2024-02-29');
  });
});

describe('when a review falls due', () => {
  const schedule: RetentionSchedule = {
    police: {
      categories: {
        offending: { years: 6, from: 'last-event' },
        cohort: { years: 6, from: 'de-selection' },
        identity: { years: 100, from: 'date-of-birth' },
      },
      default: null,
    },
    probation: { categories: { supervision: { years: 6, from: 'end-of-order' } }, default: null },
  };
  const t = new TableTimeline();
  const at = (event: PublishedEvent, time: string): PublishedEvent => ({
    ...event,
    meta: { ...event.meta, time },
  });
  const ex = <T extends keyof typeof CATALOGUE_EXAMPLES>(type: T) => CATALOGUE_EXAMPLES[type];
  const fold = (...events: PublishedEvent[]): RetentionFacts =>
    events.reduce<RetentionFacts | null>((facts, event) => evolveRetentionFacts(facts, event), null)!;
  const registered = at(
    t.event(
      'iom.subject.registered.v1',
      { ...ex('iom.subject.registered.v1'), dateOfBirth: '1926-05-01' },
      'police',
      'identity',
    ),
    '2019-01-01T10:00:00Z',
  );
  const arrest = (time: string) =>
    at(t.event('iom.arrest.recorded.v1', ex('iom.arrest.recorded.v1'), 'police', 'offending'), time);

  it('last-event: six years from the agency’s last event of the category, moved on by a later one', () => {
    const facts = fold(registered, arrest('2018-03-02T01:40:00Z'), arrest('2019-06-30T23:30:00Z'));
    const offending = reviewsOf(schedule, facts, 'police').find((r) => r.category === 'offending');
    expect(offending).toMatchObject({
      dueOn: '2025-06-30',
      trigger: 'last-event',
      since: '2019-06-30',
      years: 6,
    });
  });

  it('date-of-birth: a hundred years from the date of birth', () => {
    const facts = fold(registered);
    expect(reviewsOf(schedule, facts, 'police')).toEqual([
      expect.objectContaining({ category: 'identity', dueOn: '2026-05-01', trigger: 'date-of-birth' }),
    ]);
  });

  it('de-selection: not started while the person is on the cohort; six years from the de-selection', () => {
    const adopted = at(
      t.event('iom.cohort.adopted.v1', ex('iom.cohort.adopted.v1'), 'police', 'cohort'),
      '2018-01-01T00:00:00Z',
    );
    const deselected = at(
      t.event('iom.cohort.deselected.v1', ex('iom.cohort.deselected.v1'), 'police', 'cohort'),
      '2018-09-01T00:00:00Z',
    );
    expect(reviewsOf(schedule, fold(registered, adopted), 'police').map((r) => r.category)).toEqual([
      'identity',
    ]);
    const cohort = reviewsOf(schedule, fold(registered, adopted, deselected), 'police').find(
      (r) => r.category === 'cohort',
    );
    expect(cohort).toMatchObject({ dueOn: '2024-09-01', trigger: 'de-selection', since: '2018-09-01' });
  });

  it('end-of-order: six years from the licence end probation records; not started without one', () => {
    const contact = at(
      t.event('iom.appointment.attended.v1', ex('iom.appointment.attended.v1'), 'probation', 'supervision'),
      '2019-01-01T00:00:00Z',
    );
    expect(reviewsOf(schedule, fold(registered, contact), 'probation')).toEqual([]);
    const licence = at(
      t.event(
        'iom.licence.conditions-set.v1',
        { ...ex('iom.licence.conditions-set.v1'), licenceEnds: '2019-11-30' },
        'probation',
        'supervision',
      ),
      '2019-02-01T00:00:00Z',
    );
    expect(reviewsOf(schedule, fold(registered, contact, licence), 'probation')).toEqual([
      expect.objectContaining({ category: 'supervision', dueOn: '2025-11-30', trigger: 'end-of-order' }),
    ]);
  });

  it('an erasure takes what it erased out of the queue, starts no clock, and later data starts one again', () => {
    const erasure = (categories?: string[]) =>
      at(
        t.event(
          'iom.record.erased.v1',
          {
            reason: 'Held no longer than necessary',
            decisionRef: 'IG-7',
            ...(categories ? { categories } : {}),
          },
          'police',
          'identity',
        ),
        '2026-03-01T09:00:00Z',
      );
    const held = fold(registered, arrest('2019-06-30T23:30:00Z'));
    const categoriesDue = (facts: RetentionFacts) =>
      dueReviews(schedule, [facts], 'police', '2026-06-01')
        .map((r) => r.category)
        .sort();
    expect(categoriesDue(held)).toEqual(['identity', 'offending']);
    expect(categoriesDue(evolveRetentionFacts(held, erasure(['offending'])))).toEqual(['identity']);
    const all = evolveRetentionFacts(held, erasure());
    expect(categoriesDue(all)).toEqual([]);
    expect(categoriesDue(evolveRetentionFacts(all, arrest('2019-07-01T10:00:00Z')))).toEqual(['offending']);
  });

  it('a retain decision takes the category out of the queue until its next review, then brings it back', () => {
    const retain = t.event(
      'iom.retention.reviewed.v1',
      {
        category: 'offending',
        outcome: 'retain',
        reason: 'Group 2',
        nextReview: '2035-07-01',
        reviewer: 'ig-1',
      },
      'police',
      'consent',
    );
    const before = fold(registered, arrest('2019-06-30T23:30:00Z'));
    const after = evolveRetentionFacts(before, at(retain, '2025-07-01T09:00:00Z'));
    expect(dueReviews(schedule, [before], 'police', '2026-01-01').map((r) => r.category)).toEqual([
      'offending',
    ]);
    expect(dueReviews(schedule, [after], 'police', '2026-01-01')).toEqual([]);
    expect(
      dueReviews(schedule, [after], 'police', '2035-07-01').filter((r) => r.category === 'offending'),
    ).toEqual([
      expect.objectContaining({
        category: 'offending',
        trigger: 'retained',
        since: '2025-07-01',
        dueOn: '2035-07-01',
      }),
    ]);
  });

  it('queues only the asking agency’s own data, and none the schedule does not name', () => {
    const facts = fold(registered, arrest('2001-01-01T00:00:00Z'));
    expect(dueReviews(schedule, [facts], 'probation', '2030-01-01')).toEqual([]);
    expect(dueReviews(undefined, [facts], 'police', '2030-01-01')).toEqual([]);
  });

  it('reads today in the partnership’s time zone', () => {
    expect(dateIn(new Date('2025-06-30T23:30:00Z'), 'Europe/London')).toBe('2025-07-01');
    expect(dateIn(new Date('2025-12-31T23:30:00Z'), 'Europe/London')).toBe('2025-12-31');
  });
});

import { isMap, type Node } from 'yaml';
import { DATA_CATEGORIES, type DataCategory, isDataCategory } from '@throughline/domain';

/**
 * What starts a review clock: the agency's last event of the category about the person, their
 * de-selection from the IOM cohort, the end of their order (the licence end the probation record
 * names), or their date of birth.
 */
export const REVIEW_TRIGGERS = ['last-event', 'de-selection', 'end-of-order', 'date-of-birth'] as const;
export type ReviewTrigger = (typeof REVIEW_TRIGGERS)[number];
export const isReviewTrigger = (value: unknown): value is ReviewTrigger =>
  (REVIEW_TRIGGERS as readonly unknown[]).includes(value);

/** A review falls due this many whole years after what starts it. */
export interface ReviewRule {
  readonly years: number;
  readonly from: ReviewTrigger;
}

/** One publishing agency's review periods: per category, and a default for the categories not named. */
export interface AgencySchedule {
  readonly categories: Readonly<Partial<Record<DataCategory, ReviewRule>>>;
  readonly default: ReviewRule | null;
}

/** The agreement's `retention` section: per publishing agency, when its data about a person is reviewed. */
export type RetentionSchedule = Readonly<Record<string, AgencySchedule>>;

/** The longest period a rule may name, and the furthest a retain decision may put the next review. */
export const MAX_REVIEW_YEARS = 100;

/** What the agreement's checker lends a section: the nodes by path, and a problem at a node's line. */
export interface SectionChecker {
  node(path: readonly (string | number)[]): Node | undefined;
  fail(node: Node | null | undefined, reason: string): void;
}

const keyOf = (pair: { key: unknown }): string =>
  String((pair.key as { value?: unknown } | null)?.value ?? pair.key);

/**
 * `retention: { police: { offending: { years: 6, from: last-event }, default: {...} } }`. Optional:
 * an agreement without it schedules no review. Each agency one of the agreement's, each key a data
 * category or `default`, each rule exactly `{ years, from }`.
 */
export function checkRetention(check: SectionChecker, agencies: readonly string[]): RetentionSchedule {
  const section = check.node(['retention']);
  if (section === undefined) return {};
  if (!isMap(section)) {
    check.fail(section, 'retention must map agencies to their review periods by category');
    return {};
  }
  const schedule: Record<string, AgencySchedule> = {};
  for (const pair of section.items) {
    const agency = keyOf(pair);
    if (!agencies.includes(agency)) {
      check.fail(
        pair.key as Node,
        `retention: "${agency}" is not one of the agreement's agencies (${agencies.join(', ')})`,
      );
      continue;
    }
    const node = check.node(['retention', agency]);
    if (!isMap(node)) {
      check.fail(
        node ?? (pair.key as Node),
        `retention.${agency} must map categories (or default) to a rule`,
      );
      continue;
    }
    const categories: Partial<Record<DataCategory, ReviewRule>> = {};
    let fallback: ReviewRule | null = null;
    for (const entry of node.items) {
      const key = keyOf(entry);
      if (key !== 'default' && !isDataCategory(key)) {
        check.fail(
          entry.key as Node,
          `retention.${agency}: "${key}" is not a data category (${DATA_CATEGORIES.join(', ')}) or default`,
        );
        continue;
      }
      const rule = checkRule(check, ['retention', agency, key]);
      if (!rule) continue;
      if (key === 'default') fallback = rule;
      else categories[key] = rule;
    }
    schedule[agency] = { categories, default: fallback };
  }
  return schedule;
}

function checkRule(check: SectionChecker, path: readonly string[]): ReviewRule | undefined {
  const where = path.join('.');
  const node = check.node(path);
  if (!isMap(node) || node.items.some((item) => !['years', 'from'].includes(keyOf(item)))) {
    check.fail(node, `${where} must be { years, from } and nothing else`);
    return undefined;
  }
  const years = (check.node([...path, 'years']) as { value?: unknown } | undefined)?.value;
  const from = (check.node([...path, 'from']) as { value?: unknown } | undefined)?.value;
  let ok = true;
  if (typeof years !== 'number' || !Number.isInteger(years) || years < 1 || years > MAX_REVIEW_YEARS) {
    check.fail(
      check.node([...path, 'years']) ?? node,
      `${where}.years must be a whole number of years from 1 to ${MAX_REVIEW_YEARS}`,
    );
    ok = false;
  }
  if (!isReviewTrigger(from)) {
    check.fail(
      check.node([...path, 'from']) ?? node,
      `${where}.from must be one of ${REVIEW_TRIGGERS.join(', ')}`,
    );
    ok = false;
  }
  return ok ? { years: years as number, from: from as ReviewTrigger } : undefined;
}

/** The rule for one agency's data of one category, if the schedule has one. */
export const reviewRuleFor = (
  schedule: RetentionSchedule | undefined,
  agency: string,
  category: DataCategory,
): ReviewRule | null => {
  const terms = schedule?.[agency];
  return terms?.categories[category] ?? terms?.default ?? null;
};

/**
 * `date` (YYYY-MM-DD) plus whole years. 29 February moves to 28 February in a year without it: a
 * review a day early rather than a day late.
 */
export function addYears(date: string, years: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const target = year + years;
  const leap = (target % 4 === 0 && target % 100 !== 0) || target % 400 === 0;
  const dd = month === 2 && day === 29 && !leap ? 28 : day;
  return `${String(target).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(dd).padStart(2, '0')}`;
}

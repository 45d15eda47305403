import {
  COHORT_CLASSES,
  type CohortBand,
  type CohortClass,
  DESELECTION_REASONS,
  type DeselectionReason,
  type TimelineEntry,
  type TreatmentModality,
  withdrawn,
} from '@throughline/domain';

/**
 * The measures of the domain brief, section 8, each computed by a named method of a stated version.
 * A change of method is a new version beside the old, never an edit of it: both can then be
 * computed over the same log, and a figure quoted once can be reproduced. Counts only: nothing
 * about any one person leaves this module.
 */
export const MEASURE_METHODS = {
  'cohort-by-class-and-band': {
    1: 'People in the cohort at each month end (adopted and not de-selected since), by the band of their latest score then and by their cohort class.',
  },
  'recruitment-and-deselection': {
    1: 'Adoptions during each month (every adoption, re-adoptions included), and de-selections during each month by reason.',
  },
  'band-movement': {
    1: "Scores during each month of people in the cohort when scored, against the same person's previous score: up (towards red), down (towards green) or the same band.",
  },
  'arrests-before-and-after-adoption': {
    1: 'People first adopted at least 12 months before the end of the window whose record reaches 12 months before their adoption; their arrests (by arrest time) in the 12 months before and the 12 months after it.',
  },
  'custody-days': {
    1: 'Days (or parts of days) each month spent in custody, between a reception and the next release, by people in the cohort at the month end.',
  },
  'treatment-starts-and-retention': {
    1: 'Treatment starts during each month; of the starts at least 12 weeks before the end of the window, those not ended as dropped-out within 12 weeks of starting.',
  },
  'accommodation-on-release': {
    1: 'Releases during the window, and of them those where the accommodation in force at the moment of release was settled, temporary, a hostel or approved premises.',
    2: 'Releases during the window, and of them those where the latest accommodation recorded by 7 days after release was settled, temporary, a hostel or approved premises.',
  },
  'release-to-first-benefit-payment': {
    1: 'Releases during the window followed by a first benefit payment date on or after the release: their count and the median and longest days between; releases with none recorded.',
  },
  'cost-estimates': {
    1: 'Unit costs of the brief (prison place GBP 37,648 a year, arrest GBP 1,668, IOM supervision GBP 5,947 a year, residential treatment GBP 5,299 a start, prescribing GBP 53 a week) times the custody days, arrests, cohort months, residential starts and prescribing weeks of the window, for people in the cohort.',
  },
} as const satisfies Record<string, Record<number, string>>;

export type MeasureId = keyof typeof MEASURE_METHODS;
export const MEASURE_IDS = Object.keys(MEASURE_METHODS) as MeasureId[];

/** The versions to compute: the latest of each unless another is asked for. */
export type MethodVersions = Readonly<Partial<Record<MeasureId, number>>>;

export const latestVersion = (measure: MeasureId): number =>
  Math.max(...Object.keys(MEASURE_METHODS[measure]).map(Number));

export const knownVersion = (measure: MeasureId, version: number): boolean =>
  Object.hasOwn(MEASURE_METHODS[measure], version);

const UNIT_COSTS = {
  prisonPlacePerYear: 37_648,
  arrest: 1_668,
  supervisionPerYear: 5_947,
  residentialTreatment: 5_299,
  prescribingPerWeek: 53,
} as const;

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const HOUSED = new Set(['settled', 'temporary', 'hostel', 'approved-premises']);

type Band = CohortBand;
const BAND_RANK: Record<Band, number> = { green: 0, amber: 1, red: 2 };

/** What one person's timeline says that any measure reads, each fact with its time. */
export interface MeasureFacts {
  readonly membership: readonly {
    at: number;
    inCohort: boolean;
    cohortClass?: CohortClass;
    reason?: DeselectionReason;
  }[];
  readonly scores: readonly { at: number; band: Band }[];
  readonly arrests: readonly number[];
  readonly custody: readonly { at: number; inside: boolean }[];
  readonly treatment: readonly {
    at: number;
    started: boolean;
    modality: TreatmentModality;
    reason?: string;
  }[];
  readonly releases: readonly number[];
  readonly accommodation: readonly { at: number; status: string }[];
  readonly firstPayments: readonly number[];
  /** The earliest event of the person the log holds. */
  readonly firstSeen: number;
}

const byTime = <T extends { at: number }>(list: T[]): T[] => list.sort((a, b) => a.at - b.at);
const instant = (value: unknown, fallback: number): number => {
  const parsed = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(parsed) ? fallback : parsed;
};

/** The facts of one person's corrected timeline; a redacted or erased entry states nothing. */
export function measureFacts(timeline: readonly TimelineEntry[]): MeasureFacts {
  const membership: MeasureFacts['membership'][number][] = [];
  const scores: { at: number; band: Band }[] = [];
  const arrests: number[] = [];
  const custody: { at: number; inside: boolean }[] = [];
  const treatment: MeasureFacts['treatment'][number][] = [];
  const releases: number[] = [];
  const accommodation: { at: number; status: string }[] = [];
  const firstPayments: number[] = [];
  let firstSeen = Number.POSITIVE_INFINITY;
  for (const entry of timeline) {
    const at = Date.parse(entry.meta.time);
    if (Number.isNaN(at)) continue;
    firstSeen = Math.min(firstSeen, at);
    if (withdrawn(entry)) continue;
    switch (entry.type) {
      case 'iom.cohort.adopted.v1':
        membership.push({ at, inCohort: true, cohortClass: entry.data.cohortClass });
        break;
      case 'iom.cohort.deselected.v1':
        membership.push({ at, inCohort: false, reason: entry.data.reason });
        break;
      case 'iom.cohort.scored.v1':
        scores.push({ at, band: entry.data.band });
        break;
      case 'iom.arrest.recorded.v1':
        arrests.push(instant(entry.data.arrestedAt, at));
        break;
      case 'iom.custody.received.v1':
        custody.push({ at, inside: true });
        break;
      case 'iom.custody.released.v1': {
        const released = instant(entry.data.releasedAt, at);
        custody.push({ at: released, inside: false });
        releases.push(released);
        break;
      }
      case 'iom.treatment.started.v1':
        treatment.push({ at, started: true, modality: entry.data.modality });
        break;
      case 'iom.treatment.ended.v1':
        treatment.push({ at, started: false, modality: entry.data.modality, reason: entry.data.reason });
        break;
      case 'iom.accommodation.changed.v1':
        accommodation.push({ at, status: entry.data.status });
        break;
      case 'iom.benefits.changed.v1':
        if (entry.data.firstPaymentDate)
          firstPayments.push(Date.parse(`${entry.data.firstPaymentDate}T00:00:00Z`));
        break;
      default:
        break;
    }
  }
  return {
    membership: byTime(membership),
    scores: byTime(scores),
    arrests: arrests.sort((a, b) => a - b),
    custody: byTime(custody),
    treatment: byTime(treatment),
    releases: releases.sort((a, b) => a - b),
    accommodation: byTime(accommodation),
    firstPayments: firstPayments.sort((a, b) => a - b),
    firstSeen,
  };
}

function lastAtOrBefore<T extends { at: number }>(list: readonly T[], time: number): T | undefined {
  let found: T | undefined;
  for (const item of list) {
    if (item.at > time) break;
    found = item;
  }
  return found;
}

const inCohortAt = (facts: MeasureFacts, time: number): boolean =>
  lastAtOrBefore(facts.membership, time)?.inCohort ?? false;

const monthStart = (time: number): number => {
  const date = new Date(time);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
};
const addMonths = (time: number, months: number): number => {
  const date = new Date(time);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.getTime();
};
const monthKey = (time: number): string => new Date(time).toISOString().slice(0, 7);

/** Milliseconds of [from, to) the person spent in custody. */
function custodyWithin(facts: MeasureFacts, from: number, to: number): number {
  let inside = lastAtOrBefore(facts.custody, from)?.inside ?? false;
  let since = from;
  let total = 0;
  for (const change of facts.custody) {
    if (change.at <= from) continue;
    if (change.at >= to) break;
    if (inside && !change.inside) total += change.at - since;
    if (!inside && change.inside) since = change.at;
    inside = change.inside;
  }
  if (inside) total += to - Math.max(since, from);
  return total;
}

const median = (values: readonly number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export interface MonthOfCohort {
  readonly month: string;
  readonly red: number;
  readonly amber: number;
  readonly green: number;
  readonly unbanded: number;
  readonly byClass: Readonly<Record<CohortClass | 'unclassed', number>>;
}

export interface MonthOfFlow {
  readonly month: string;
  readonly adopted: number;
  readonly deselected: number;
  readonly deselectedByReason: Readonly<Record<DeselectionReason, number>>;
}

/** Each measure's figures with the method that made them. */
export interface Measures {
  readonly asOf: string;
  readonly window: { readonly from: string; readonly to: string; readonly months: number };
  readonly unitCosts: typeof UNIT_COSTS;
  readonly measures: {
    readonly 'cohort-by-class-and-band': Measured<{ readonly months: readonly MonthOfCohort[] }>;
    readonly 'recruitment-and-deselection': Measured<{ readonly months: readonly MonthOfFlow[] }>;
    readonly 'band-movement': Measured<{
      readonly months: readonly { month: string; up: number; down: number; same: number }[];
    }>;
    readonly 'arrests-before-and-after-adoption': Measured<{ people: number; before: number; after: number }>;
    readonly 'custody-days': Measured<{
      readonly months: readonly { month: string; days: number }[];
      total: number;
    }>;
    readonly 'treatment-starts-and-retention': Measured<{
      readonly months: readonly { month: string; starts: number }[];
      eligible: number;
      retained: number;
    }>;
    readonly 'accommodation-on-release': Measured<{ releases: number; housed: number; share: number | null }>;
    readonly 'release-to-first-benefit-payment': Measured<{
      releases: number;
      withPayment: number;
      medianDays: number | null;
      longestDays: number | null;
    }>;
    readonly 'cost-estimates': Measured<{
      custody: number;
      arrests: number;
      supervision: number;
      residentialTreatment: number;
      prescribing: number;
      total: number;
    }>;
  };
}

export type Measured<T> = { readonly method: { readonly version: number; readonly description: string } } & T;

const method = (measure: MeasureId, versions: MethodVersions) => {
  const version = versions[measure] ?? latestVersion(measure);
  const description = (MEASURE_METHODS[measure] as Record<number, string>)[version];
  if (!description) throw new RangeError(`${measure} has no method version ${version}`);
  return { version, description };
};

const zeroBy = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;

/**
 * Every measure over the `months` whole months ending with the month of `now`, from each person's
 * facts, by the method versions asked for (the latest otherwise).
 */
export function computeMeasures(
  people: readonly MeasureFacts[],
  now: Date,
  months = 24,
  versions: MethodVersions = {},
): Measures {
  const nowTime = now.getTime();
  const first = addMonths(monthStart(nowTime), -(months - 1));
  const windowEnd = Math.min(addMonths(monthStart(nowTime), 1), nowTime);
  const periods = Array.from({ length: months }, (_, index) => {
    const start = addMonths(first, index);
    return { start, end: Math.min(addMonths(start, 1), nowTime), key: monthKey(start) };
  });

  const cohort = periods.map(({ end, key }): MonthOfCohort => {
    const counts = { red: 0, amber: 0, green: 0, unbanded: 0 };
    const byClass = zeroBy<CohortClass | 'unclassed'>([...COHORT_CLASSES, 'unclassed']);
    for (const facts of people) {
      const last = end - 1;
      const membership = lastAtOrBefore(facts.membership, last);
      if (!membership?.inCohort) continue;
      counts[lastAtOrBefore(facts.scores, last)?.band ?? 'unbanded'] += 1;
      byClass[membership.cohortClass ?? 'unclassed'] += 1;
    }
    return { month: key, ...counts, byClass };
  });

  const flow = periods.map(({ start, end, key }): MonthOfFlow => {
    const deselectedByReason = zeroBy<DeselectionReason>(DESELECTION_REASONS);
    let adopted = 0;
    let deselected = 0;
    for (const facts of people)
      for (const change of facts.membership) {
        if (change.at < start || change.at >= end) continue;
        if (change.inCohort) adopted += 1;
        else {
          deselected += 1;
          deselectedByReason[change.reason ?? 'other'] += 1;
        }
      }
    return { month: key, adopted, deselected, deselectedByReason };
  });

  const movement = periods.map(({ start, end, key }) => {
    const counts = { month: key, up: 0, down: 0, same: 0 };
    for (const facts of people)
      facts.scores.forEach((score, index) => {
        const previous = facts.scores[index - 1];
        if (!previous || score.at < start || score.at >= end || !inCohortAt(facts, score.at)) return;
        const change = BAND_RANK[score.band] - BAND_RANK[previous.band];
        counts[change > 0 ? 'up' : change < 0 ? 'down' : 'same'] += 1;
      });
    return counts;
  });

  const arrests = { people: 0, before: 0, after: 0 };
  for (const facts of people) {
    const adopted = facts.membership.find((change) => change.inCohort)?.at;
    if (
      adopted === undefined ||
      addMonths(adopted, 12) > nowTime ||
      addMonths(adopted, -12) < facts.firstSeen
    )
      continue;
    arrests.people += 1;
    const from = addMonths(adopted, -12);
    const to = addMonths(adopted, 12);
    for (const at of facts.arrests) {
      if (at >= from && at < adopted) arrests.before += 1;
      else if (at >= adopted && at < to) arrests.after += 1;
    }
  }

  const custodyMonths = periods.map(({ start, end, key }) => {
    let ms = 0;
    for (const facts of people) if (inCohortAt(facts, end - 1)) ms += custodyWithin(facts, start, end);
    return { month: key, days: Math.round((ms / DAY) * 10) / 10 };
  });
  const custodyTotal = Math.round(custodyMonths.reduce((sum, month) => sum + month.days, 0) * 10) / 10;

  const starts = periods.map(({ start, end, key }) => ({
    month: key,
    starts: people.reduce(
      (sum, facts) => sum + facts.treatment.filter((t) => t.started && t.at >= start && t.at < end).length,
      0,
    ),
  }));
  let eligible = 0;
  let retained = 0;
  for (const facts of people)
    for (const start of facts.treatment) {
      if (!start.started || start.at < first || start.at + 12 * WEEK > nowTime) continue;
      eligible += 1;
      const droppedOut = facts.treatment.some(
        (end) =>
          !end.started &&
          end.modality === start.modality &&
          end.reason === 'dropped-out' &&
          end.at >= start.at &&
          end.at < start.at + 12 * WEEK,
      );
      if (!droppedOut) retained += 1;
    }

  const accommodationMethod = method('accommodation-on-release', versions);
  const settleWindow = accommodationMethod.version === 2 ? 7 * DAY : 0;
  let releases = 0;
  let housed = 0;
  const gaps: number[] = [];
  for (const facts of people)
    for (const released of facts.releases) {
      if (released < first || released >= windowEnd) continue;
      releases += 1;
      const status = lastAtOrBefore(facts.accommodation, released + settleWindow)?.status;
      if (status !== undefined && HOUSED.has(status)) housed += 1;
      const payment = facts.firstPayments.find((paid) => paid >= dayStart(released));
      const nextRelease = facts.releases.find((other) => other > released);
      if (payment !== undefined && (nextRelease === undefined || payment < nextRelease))
        gaps.push(Math.round((payment - dayStart(released)) / DAY));
    }

  let cohortMonths = 0;
  let cohortArrests = 0;
  let residentialStarts = 0;
  let prescribingMs = 0;
  for (const facts of people) {
    for (const { end } of periods) if (inCohortAt(facts, end - 1)) cohortMonths += 1;
    cohortArrests += facts.arrests.filter(
      (at) => at >= first && at < windowEnd && inCohortAt(facts, at),
    ).length;
    for (const [index, item] of facts.treatment.entries()) {
      if (!item.started || !inCohortAt(facts, item.at)) continue;
      if (item.modality === 'residential' && item.at >= first && item.at < windowEnd) residentialStarts += 1;
      if (item.modality === 'prescribing') {
        const ended =
          facts.treatment.slice(index + 1).find((other) => !other.started && other.modality === 'prescribing')
            ?.at ?? windowEnd;
        prescribingMs += Math.max(0, Math.min(ended, windowEnd) - Math.max(item.at, first));
      }
    }
  }
  const round = (value: number): number => Math.round(value);
  const costs = {
    custody: round((custodyTotal / 365) * UNIT_COSTS.prisonPlacePerYear),
    arrests: round(cohortArrests * UNIT_COSTS.arrest),
    supervision: round((cohortMonths / 12) * UNIT_COSTS.supervisionPerYear),
    residentialTreatment: round(residentialStarts * UNIT_COSTS.residentialTreatment),
    prescribing: round((prescribingMs / WEEK) * UNIT_COSTS.prescribingPerWeek),
  };

  return {
    asOf: now.toISOString(),
    window: { from: new Date(first).toISOString(), to: new Date(windowEnd).toISOString(), months },
    unitCosts: UNIT_COSTS,
    measures: {
      'cohort-by-class-and-band': { method: method('cohort-by-class-and-band', versions), months: cohort },
      'recruitment-and-deselection': {
        method: method('recruitment-and-deselection', versions),
        months: flow,
      },
      'band-movement': { method: method('band-movement', versions), months: movement },
      'arrests-before-and-after-adoption': {
        method: method('arrests-before-and-after-adoption', versions),
        ...arrests,
      },
      'custody-days': {
        method: method('custody-days', versions),
        months: custodyMonths,
        total: custodyTotal,
      },
      'treatment-starts-and-retention': {
        method: method('treatment-starts-and-retention', versions),
        months: starts,
        eligible,
        retained,
      },
      'accommodation-on-release': {
        method: accommodationMethod,
        releases,
        housed,
        share: releases === 0 ? null : Math.round((housed / releases) * 1000) / 1000,
      },
      'release-to-first-benefit-payment': {
        method: method('release-to-first-benefit-payment', versions),
        releases,
        withPayment: gaps.length,
        medianDays: median(gaps),
        longestDays: gaps.length === 0 ? null : Math.max(...gaps),
      },
      'cost-estimates': {
        method: method('cost-estimates', versions),
        ...costs,
        total: Object.values(costs).reduce((sum, value) => sum + value, 0),
      },
    },
  };
}

/** Midnight UTC of the day of `time`: a payment date is a day, so a release is compared by its day. */
const dayStart = (time: number): number => Math.floor(time / DAY) * DAY;

/** The measures as CSV rows (measure, version, period, figure, value), for a spreadsheet. */
export function measuresCsvRows(measures: Measures): string[][] {
  const rows: string[][] = [];
  const add = (measure: MeasureId, period: string, figure: string, value: number | null): void => {
    rows.push([
      measure,
      String(measures.measures[measure].method.version),
      period,
      figure,
      value === null ? '' : String(value),
    ]);
  };
  const whole = `${measures.window.from.slice(0, 10)}/${measures.window.to.slice(0, 10)}`;
  for (const month of measures.measures['cohort-by-class-and-band'].months) {
    for (const band of ['red', 'amber', 'green', 'unbanded'] as const)
      add('cohort-by-class-and-band', month.month, `band:${band}`, month[band]);
    for (const [cohortClass, count] of Object.entries(month.byClass))
      add('cohort-by-class-and-band', month.month, `class:${cohortClass}`, count);
  }
  for (const month of measures.measures['recruitment-and-deselection'].months) {
    add('recruitment-and-deselection', month.month, 'adopted', month.adopted);
    add('recruitment-and-deselection', month.month, 'deselected', month.deselected);
    for (const [reason, count] of Object.entries(month.deselectedByReason))
      add('recruitment-and-deselection', month.month, `deselected:${reason}`, count);
  }
  for (const month of measures.measures['band-movement'].months)
    for (const direction of ['up', 'down', 'same'] as const)
      add('band-movement', month.month, direction, month[direction]);
  const arrests = measures.measures['arrests-before-and-after-adoption'];
  for (const figure of ['people', 'before', 'after'] as const)
    add('arrests-before-and-after-adoption', whole, figure, arrests[figure]);
  for (const month of measures.measures['custody-days'].months)
    add('custody-days', month.month, 'days', month.days);
  const treatment = measures.measures['treatment-starts-and-retention'];
  for (const month of treatment.months)
    add('treatment-starts-and-retention', month.month, 'starts', month.starts);
  add('treatment-starts-and-retention', whole, 'eligible', treatment.eligible);
  add('treatment-starts-and-retention', whole, 'retained', treatment.retained);
  const housing = measures.measures['accommodation-on-release'];
  for (const figure of ['releases', 'housed', 'share'] as const)
    add('accommodation-on-release', whole, figure, housing[figure]);
  const benefit = measures.measures['release-to-first-benefit-payment'];
  for (const figure of ['releases', 'withPayment', 'medianDays', 'longestDays'] as const)
    add('release-to-first-benefit-payment', whole, figure, benefit[figure]);
  const costs = measures.measures['cost-estimates'];
  for (const figure of [
    'custody',
    'arrests',
    'supervision',
    'residentialTreatment',
    'prescribing',
    'total',
  ] as const)
    add('cost-estimates', whole, `gbp:${figure}`, costs[figure]);
  return rows;
}

import { withdrawn } from '@throughline/domain';
import type { TimelineEntry } from '@throughline/subjects';

export interface MonthCounts {
  /** YYYY-MM */
  readonly month: string;
  /** People in the cohort at the end of the month, by their band then. */
  readonly red: number;
  readonly amber: number;
  readonly green: number;
  readonly unbanded: number;
  /** Adoptions (recruitment) and de-selections during the month. */
  readonly adopted: number;
  readonly deselected: number;
}

export interface ArrestComparison {
  /** People first adopted at least 12 months before `asOf`, whose record goes back 12 months before that. */
  readonly people: number;
  /** Their arrests in the 12 months before and after their first adoption. */
  readonly before: number;
  readonly after: number;
}

export interface CohortMetrics {
  readonly asOf: string;
  readonly months: readonly MonthCounts[];
  readonly arrests: ArrestComparison;
}

type Band = 'red' | 'amber' | 'green';

interface Facts {
  /** Adoptions (true) and de-selections (false), in time order. */
  readonly membership: { at: number; inCohort: boolean }[];
  readonly scores: { at: number; band: Band }[];
  readonly arrests: number[];
  /** The subject's earliest event in the log. */
  firstSeen: number;
}

const addMonths = (time: number, months: number): number => {
  const date = new Date(time);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.getTime();
};
const monthStart = (time: number): number => {
  const date = new Date(time);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
};
const monthKey = (time: number): string => new Date(time).toISOString().slice(0, 7);

function factsOf(timeline: readonly TimelineEntry[]): Facts {
  const facts: Facts = { membership: [], scores: [], arrests: [], firstSeen: Number.POSITIVE_INFINITY };
  for (const entry of timeline) {
    facts.firstSeen = Math.min(facts.firstSeen, Date.parse(entry.meta.time));
    // A redacted entry no longer states anything; the board's own fold skips it too.
    if (withdrawn(entry)) continue;
    const at = Date.parse(entry.meta.time);
    if (entry.type === 'iom.cohort.adopted.v1') facts.membership.push({ at, inCohort: true });
    else if (entry.type === 'iom.cohort.deselected.v1') facts.membership.push({ at, inCohort: false });
    else if (entry.type === 'iom.cohort.scored.v1') facts.scores.push({ at, band: entry.data.band });
    else if (entry.type === 'iom.arrest.recorded.v1') {
      const arrested = Date.parse(entry.data.arrestedAt);
      facts.arrests.push(Number.isNaN(arrested) ? at : arrested);
    }
  }
  facts.membership.sort((a, b) => a.at - b.at);
  facts.scores.sort((a, b) => a.at - b.at);
  return facts;
}

function lastBefore<T extends { at: number }>(list: readonly T[], time: number): T | undefined {
  let found: T | undefined;
  for (const item of list) {
    if (item.at > time) break;
    found = item;
  }
  return found;
}

/**
 * Cohort measures recomputed from the log on every request, so the method is the code below and
 * never changes silently (domain brief section 8). Counts only: no event detail leaves this
 * function. The months run back from the latest cohort activity (or now, if earlier).
 */
export function cohortMetrics(
  timelines: readonly (readonly TimelineEntry[])[],
  now: Date,
  monthsBack = 24,
): CohortMetrics {
  // A timeline holding data no check foresaw is left out of the counts, not the page.
  const subjects = timelines.flatMap((timeline) => {
    try {
      return [factsOf(timeline)];
    } catch {
      return [];
    }
  });
  const nowTime = now.getTime();
  let latest = 0;
  for (const facts of subjects) {
    for (const fact of [...facts.membership, ...facts.scores]) latest = Math.max(latest, fact.at);
  }
  const end = monthStart(latest > 0 ? Math.min(latest, nowTime) : nowTime);
  const months: MonthCounts[] = [];
  for (let offset = monthsBack - 1; offset >= 0; offset -= 1) {
    const start = addMonths(end, -offset);
    const last = addMonths(start, 1) - 1;
    const counts = { red: 0, amber: 0, green: 0, unbanded: 0, adopted: 0, deselected: 0 };
    for (const facts of subjects) {
      for (const change of facts.membership) {
        if (change.at < start || change.at > last) continue;
        if (change.inCohort) counts.adopted += 1;
        else counts.deselected += 1;
      }
      if (!lastBefore(facts.membership, last)?.inCohort) continue;
      const band = lastBefore(facts.scores, last)?.band;
      counts[band ?? 'unbanded'] += 1;
    }
    months.push({ month: monthKey(start), ...counts });
  }
  // Compare only where the log knows the person for the whole year before adoption: a year that
  // predates their record would count as "no arrests" and flatter the cohort.
  const arrests = { people: 0, before: 0, after: 0 };
  for (const facts of subjects) {
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
  return { asOf: now.toISOString(), months, arrests };
}

import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ReadPolicy } from '@throughline/sharing';
import { type DisclosedEntry, discloseEntries } from '../../domain/disclose';
import { inEventTime, type SubjectDoc, type TimelineEntry } from '../../domain/subject-view';
import {
  ANY_ENTRY,
  isFiltered,
  matchesTimelineFilter,
  type TimelineFilter,
} from '../../domain/timeline-filter';

/** Entries looked at between yields while looking for a page's entries among ones the reader may not see. */
const SCAN_STRETCH = 500;

export interface PageOfEntries {
  /** Newest first. */
  readonly entries: readonly DisclosedEntry[];
  /** Whether older entries the reader may see remain. */
  readonly more: boolean;
  /** Whether the reader may see any entry at all, on this page or a newer one. */
  readonly any: boolean;
}

/** A timeline's order newest first, and each entry's rank in it. */
interface Order {
  /** Timeline indexes, newest first by event time, ties newest first by log position. */
  readonly indexes: Uint32Array;
  /** The rank in `indexes` of each timeline index. */
  readonly ranks: Uint32Array;
}

/**
 * Each served timeline's order, worked out once: a timeline is never changed once served (a newer
 * version of the document folds onto a copy), so it keys its order.
 */
const orders = new WeakMap<readonly TimelineEntry[], Order>();

function orderOf(timeline: readonly TimelineEntry[]): Order {
  let order = orders.get(timeline);
  if (!order) {
    // Newest first, the reverse of the order the record is folded in (`inEventTime`).
    const oldestFirst = inEventTime(timeline.map((entry, index) => ({ meta: entry.meta, position: index })));
    const indexes = Uint32Array.from(oldestFirst.reverse(), (entry) => entry.position);
    const ranks = new Uint32Array(indexes.length);
    indexes.forEach((index, rank) => (ranks[index] = rank));
    order = { indexes, ranks };
    orders.set(timeline, order);
  }
  return order;
}

/**
 * The entries of one page of a subject's timeline, newest first by event time (ties by log
 * position), after the entry at log position `before` (the previous page's last): only the entries
 * up to the page's last (and one more, to know whether another page follows) are cut, not the whole
 * timeline. The timeline folded from the stream is still what the entries come from, since a
 * correction or redaction recorded after an entry changes what it says.
 */
export async function pageOfTimeline(
  doc: SubjectDoc,
  agency: string,
  policy: ReadPolicy,
  before: number | undefined,
  limit: number,
  filter: TimelineFilter = ANY_ENTRY,
): Promise<PageOfEntries> {
  const timeline = doc.timeline;
  const order = orderOf(timeline);
  const start = before === undefined ? 0 : rankAfter(timeline, order, before);
  const found: DisclosedEntry[] = [];
  for (let rank = start; rank < timeline.length && found.length <= limit; rank++) {
    if (rank !== start && (rank - start) % SCAN_STRETCH === 0) await yieldToLoop();
    const index = order.indexes[rank]!;
    // The filter looks only at the envelope, so an entry it leaves out is never cut at all.
    if (!matchesTimelineFilter(filter, timeline[index]!)) continue;
    const [disclosed] = discloseEntries(doc, agency, policy, index, index + 1);
    if (disclosed) found.push(disclosed);
  }
  const entries = found.slice(0, limit).map((disclosed) => withServedMarks(doc, agency, policy, disclosed));
  // Whether the reader may see the subject at all does not depend on the filter: a filter that
  // matches nothing is an empty page, never a subject that is not there.
  const seenUpTo = isFiltered(filter) ? timeline.length : start;
  const any = found.length > 0 || (seenUpTo > 0 && (await anyNewer(doc, agency, policy, order, seenUpTo)));
  return { entries, more: found.length > limit, any };
}

/** What the reader may filter a timeline by, and how many entries the filter matches. */
export interface TimelineSummary {
  /** The categories, publishing agencies and types of the entries the reader may see, sorted. */
  readonly categories: readonly string[];
  readonly agencies: readonly string[];
  readonly types: readonly string[];
  /** How many of those entries the filter matches (all of them when nothing is filtered). */
  readonly matching: number;
}

/**
 * Looks at every entry the reader may be served, so the filter offers only values the reader may
 * see (never a category or agency known only from entries kept from them), and counts the matches.
 */
export async function summarizeTimeline(
  doc: SubjectDoc,
  agency: string,
  policy: ReadPolicy,
  filter: TimelineFilter,
): Promise<TimelineSummary> {
  const categories = new Set<string>();
  const agencies = new Set<string>();
  const types = new Set<string>();
  let matching = 0;
  for (let index = 0; index < doc.timeline.length; index++) {
    if (index > 0 && index % SCAN_STRETCH === 0) await yieldToLoop();
    const [disclosed] = discloseEntries(doc, agency, policy, index, index + 1);
    if (!disclosed) continue;
    categories.add(disclosed.entry.meta.category);
    agencies.add(disclosed.entry.meta.agency);
    types.add(disclosed.entry.type);
    if (matchesTimelineFilter(filter, disclosed.entry)) matching++;
  }
  const sorted = (values: Set<string>): string[] => [...values].sort();
  return { categories: sorted(categories), agencies: sorted(agencies), types: sorted(types), matching };
}

/**
 * The rank a page starts from, after the entry at log position `before`. A position that names no
 * entry (not one a page gave) starts from the first entry at or after it in the log.
 */
function rankAfter(timeline: readonly TimelineEntry[], order: Order, before: number): number {
  const index = firstAtOrAfter(timeline, before);
  if (index >= timeline.length) return 0;
  const rank = order.ranks[index]!;
  return timeline[index]!.position === before ? rank + 1 : rank;
}

/** The index of the first entry at or after `position` (entries are in log order). */
function firstAtOrAfter(timeline: readonly TimelineEntry[], position: number): number {
  let low = 0;
  let high = timeline.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (timeline[middle]!.position < position) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Whether the reader may see an entry ranked before `to`, newest first. */
async function anyNewer(
  doc: SubjectDoc,
  agency: string,
  policy: ReadPolicy,
  order: Order,
  to: number,
): Promise<boolean> {
  for (let rank = 0; rank < to; rank++) {
    if (rank > 0 && rank % SCAN_STRETCH === 0) await yieldToLoop();
    const index = order.indexes[rank]!;
    if (discloseEntries(doc, agency, policy, index, index + 1).length > 0) return true;
  }
  return false;
}

/**
 * A correction or redaction mark says another event happened: it is kept only where the reader
 * may be served that event too, as when the whole subject is cut (settleMarks).
 */
function withServedMarks(
  doc: SubjectDoc,
  agency: string,
  policy: ReadPolicy,
  disclosed: DisclosedEntry,
): DisclosedEntry {
  const { correctedBy, redactedBy, ...rest } = disclosed.entry;
  if (!correctedBy && !redactedBy) return disclosed;
  const served = (eventId: string): boolean => {
    // A mark's event comes after the entry it marks, and usually not long after the end.
    for (let index = doc.timeline.length - 1; index >= 0; index--) {
      if (doc.timeline[index]!.id === eventId)
        return discloseEntries(doc, agency, policy, index, index + 1).length > 0;
    }
    return false;
  };
  const entry = {
    ...rest,
    ...(correctedBy && served(correctedBy.eventId) ? { correctedBy } : {}),
    ...(redactedBy && served(redactedBy.eventId) ? { redactedBy } : {}),
  } as TimelineEntry;
  return { ...disclosed, entry };
}

import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ReadPolicy } from '@throughline/sharing';
import { type DisclosedEntry, discloseEntries } from '../../domain/disclose';
import type { SubjectDoc, TimelineEntry } from '../../domain/subject-view';

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

/**
 * The entries of one page of a subject's timeline, newest first, older than `before` (a log
 * position): only the entries up to the page's last (and one more, to know whether another page
 * follows) are cut, not the whole timeline. The timeline folded from the stream is still what the
 * entries come from, since a correction or redaction recorded after an entry changes what it says.
 */
export async function pageOfTimeline(
  doc: SubjectDoc,
  agency: string,
  policy: ReadPolicy,
  before: number | undefined,
  limit: number,
): Promise<PageOfEntries> {
  const timeline = doc.timeline;
  const end = before === undefined ? timeline.length : firstAtOrAfter(timeline, before);
  const found: DisclosedEntry[] = [];
  for (let to = end; to > 0 && found.length <= limit; to -= SCAN_STRETCH) {
    if (to !== end) await yieldToLoop();
    const stretch = discloseEntries(doc, agency, policy, Math.max(0, to - SCAN_STRETCH), to);
    for (let i = stretch.length - 1; i >= 0 && found.length <= limit; i--) found.push(stretch[i]!);
  }
  const entries = found.slice(0, limit).map((disclosed) => withServedMarks(doc, agency, policy, disclosed));
  const any = found.length > 0 || (end < timeline.length && (await anyAfter(doc, agency, policy, end)));
  return { entries, more: found.length > limit, any };
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

/** Whether the reader may see an entry from `from` on; newest first, as one nearly always is. */
async function anyAfter(doc: SubjectDoc, agency: string, policy: ReadPolicy, from: number): Promise<boolean> {
  for (let to = doc.timeline.length; to > from; to -= SCAN_STRETCH) {
    if (to !== doc.timeline.length) await yieldToLoop();
    if (discloseEntries(doc, agency, policy, Math.max(from, to - SCAN_STRETCH), to).length > 0) return true;
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

import { decide, type DisclosureReason, type ReadPolicy } from '@throughline/sharing';
import type { SubjectRecord } from './subject-record';
import { cutEvent, fieldsOfCut, foldRecord, type SubjectDoc, type TimelineEntry } from './subject-view';

export interface DisclosedEntry {
  readonly entry: TimelineEntry;
  readonly reason: DisclosureReason;
}

export interface Disclosure {
  readonly entries: readonly DisclosedEntry[];
  readonly record: SubjectRecord;
}

/**
 * Cuts a subject for one reader: an entry is served only if the read policy allows it and it lies
 * within the agency's projected cut (break-glass alone reaches past that), and only the fields both
 * allow. The record is folded from what is served, so it can reveal nothing the entries do not.
 */
export function discloseSubject(doc: SubjectDoc, agency: string, policy: ReadPolicy): Disclosure | null {
  return completeDisclosure(doc, discloseEntries(doc, agency, policy, 0, doc.timeline.length));
}

/**
 * The entries from `from` up to `to` (timeline indexes) the reader may be served, each cut, before
 * the correction marks are settled: a long timeline can be cut a stretch at a time this way, other
 * work running between stretches, and finished with `completeDisclosure`.
 */
export function discloseEntries(
  doc: SubjectDoc,
  agency: string,
  policy: ReadPolicy,
  from: number,
  to: number,
): DisclosedEntry[] {
  const cuts = doc.views[agency] ?? [];
  const entries: DisclosedEntry[] = [];
  for (let index = from; index < to; index++) {
    const disclosed = discloseEntry(doc.timeline[index]!, cuts[index], policy);
    if (disclosed) entries.push(disclosed);
  }
  return entries;
}

function discloseEntry(
  entry: TimelineEntry,
  cut: SubjectDoc['views'][string][number] | undefined,
  policy: ReadPolicy,
): DisclosedEntry | undefined {
  const decision = decide(policy, entry);
  if (!decision) return undefined;
  const widest = fieldsOfCut(cut, entry);
  if (decision.breakGlass) {
    // A live claim opens every field of its categories; it is the ground whenever it shows more than the cut.
    const beyondCut = !widest || decision.fields.some((field) => !widest.includes(field));
    const reason =
      decision.reason.rule === 'own-publication' || !beyondCut ? decision.reason : decision.breakGlass;
    return { entry: cutEvent(entry, decision.fields), reason };
  }
  if (!widest) return undefined;
  return {
    entry: cutEvent(
      entry,
      decision.fields.filter((field) => widest.includes(field)),
    ),
    reason: decision.reason,
  };
}

/** Settles the correction marks of the entries served and folds the record from them. */
export function completeDisclosure(doc: SubjectDoc, entries: DisclosedEntry[]): Disclosure | null {
  if (!settleMarks(entries)) return null;
  return {
    entries,
    record: foldRecord(
      doc.subjectId,
      entries.map(({ entry }) => entry),
    ),
  };
}

/**
 * A correction or redaction mark says another event happened: each is kept only where that event
 * is served too. Answers false when nothing is served. Marks are rare, so only the events they
 * name are looked for, rather than every entry served being indexed.
 */
export function settleMarks(entries: DisclosedEntry[]): boolean {
  if (entries.length === 0) return false;
  const named = new Set<string>();
  for (const { entry } of entries) {
    if (entry.correctedBy) named.add(entry.correctedBy.eventId);
    if (entry.redactedBy) named.add(entry.redactedBy.eventId);
  }
  if (named.size === 0) return true;
  const served = new Set<string>();
  for (const { entry } of entries) if (named.has(entry.id)) served.add(entry.id);
  for (const [index, disclosed] of entries.entries()) {
    if (!disclosed.entry.correctedBy && !disclosed.entry.redactedBy) continue;
    const { correctedBy, redactedBy, ...rest } = disclosed.entry;
    if ((!correctedBy || served.has(correctedBy.eventId)) && (!redactedBy || served.has(redactedBy.eventId)))
      continue;
    const entry = {
      ...rest,
      ...(correctedBy && served.has(correctedBy.eventId) ? { correctedBy } : {}),
      ...(redactedBy && served.has(redactedBy.eventId) ? { redactedBy } : {}),
    } as TimelineEntry;
    entries[index] = { ...disclosed, entry };
  }
  return true;
}

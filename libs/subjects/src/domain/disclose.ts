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
  const cuts = doc.views[agency] ?? [];
  const entries: DisclosedEntry[] = [];
  for (const [index, entry] of doc.timeline.entries()) {
    const decision = decide(policy, entry);
    if (!decision) continue;
    const widest = fieldsOfCut(cuts[index], entry);
    if (decision.breakGlass) {
      // A live claim opens every field of its categories; it is the ground whenever it shows more than the cut.
      const beyondCut = !widest || decision.fields.some((field) => !widest.includes(field));
      const reason =
        decision.reason.rule === 'own-publication' || !beyondCut ? decision.reason : decision.breakGlass;
      entries.push({ entry: cutEvent(entry, decision.fields), reason });
      continue;
    }
    if (!widest) continue;
    entries.push({
      entry: cutEvent(
        entry,
        decision.fields.filter((field) => widest.includes(field)),
      ),
      reason: decision.reason,
    });
  }
  if (entries.length === 0) return null;
  // A correction or redaction mark says another event happened; show it only with that event.
  const served = new Set(entries.map(({ entry }) => entry.id));
  for (const [index, disclosed] of entries.entries()) {
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
  return {
    entries,
    record: foldRecord(
      doc.subjectId,
      entries.map(({ entry }) => entry),
    ),
  };
}

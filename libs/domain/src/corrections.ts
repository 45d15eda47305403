import type { PublishedEvent } from './envelope';

/**
 * One line of a subject's timeline; corrections replace its data, redactions remove it. The marks
 * name the correcting event and when, not its reason: the reason is that event's own data, served
 * only to those who may see it.
 */
export type TimelineEntry = PublishedEvent & {
  readonly correctedBy?: { readonly eventId: string; readonly at: string };
  readonly redactedBy?: { readonly eventId: string; readonly at: string };
  /**
   * The erasure that destroyed the entry's data (`iom.record.erased.v1`): its data is gone from the
   * log for good, and the entry stays only as the fact that something of its type was recorded.
   */
  readonly erasedBy?: { readonly eventId: string; readonly at: string };
  /** When the log recorded the event (UTC), where the timeline was read from the log. */
  readonly recordedAt?: string;
};

/**
 * The corrected timeline of a subject's events, in stream order: what every reader of a subject's
 * events (the subject document, the subject access export) is given. Given the timeline of the
 * events before these, it is folded on in place.
 */
export function timelineOf(
  events: Iterable<PublishedEvent>,
  timeline: TimelineEntry[] = [],
): TimelineEntry[] {
  for (const event of events) addToTimeline(timeline, event);
  return timeline;
}

/** Whether a correction or redaction (`event`, naming its target so) is aimed at `entry`. */
export const amends = (
  entry: Pick<PublishedEvent, 'meta'>,
  event: Pick<PublishedEvent, 'meta'>,
  targetEventId: string,
  targetSource?: string,
): boolean =>
  entry.meta.ceId === targetEventId &&
  entry.meta.agency === event.meta.agency &&
  (targetSource === undefined || entry.meta.source === targetSource);

/**
 * Corrections and redactions rewrite the entry they target; every event is then appended. A redacted
 * entry stays redacted (a later correction does not bring data back), and a redaction also empties
 * the replacements of earlier corrections of the same entry.
 */
export function addToTimeline(timeline: TimelineEntry[], event: PublishedEvent): void {
  if (event.type === 'iom.record.erased.v1') {
    const stamp = { eventId: event.id, at: event.meta.time };
    timeline.forEach((entry, index) => {
      if (!entry.erasedBy && erases(event, entry)) {
        timeline[index] = { ...entry, data: {}, erasedBy: stamp } as TimelineEntry;
      }
    });
  }
  if (event.type === 'iom.record.corrected.v1' || event.type === 'iom.record.redacted.v1') {
    const { targetEventId, targetSource } = event.data;
    const stamp = { eventId: event.id, at: event.meta.time };
    const target = timeline.find((entry) => amends(entry, event, targetEventId, targetSource));
    timeline.forEach((entry, index) => {
      if (entry === target && !entry.redactedBy) {
        timeline[index] =
          event.type === 'iom.record.redacted.v1'
            ? ({ ...entry, data: {}, redactedBy: stamp } as TimelineEntry)
            : ({
                ...entry,
                data: { ...entry.data, ...event.data.replacement },
                correctedBy: stamp,
              } as TimelineEntry);
      } else if (
        event.type === 'iom.record.redacted.v1' &&
        target &&
        entry.type === 'iom.record.corrected.v1' &&
        correctsTarget(entry, target)
      ) {
        timeline[index] = { ...entry, data: { ...entry.data, replacement: {} } };
      }
    });
  }
  timeline.push(
    redactedAlready(timeline, event)
      ? ({ ...event, data: { ...event.data, replacement: {} } } as TimelineEntry)
      : event,
  );
}

/** A correction of an entry already redacted must not carry the data back in its own replacement. */
const redactedAlready = (timeline: readonly TimelineEntry[], event: PublishedEvent): boolean =>
  event.type === 'iom.record.corrected.v1' &&
  timeline.some(
    (entry) => entry.redactedBy && amends(entry, event, event.data.targetEventId, event.data.targetSource),
  );

const correctsTarget = (correction: TimelineEntry, target: TimelineEntry): boolean =>
  correction.type === 'iom.record.corrected.v1' &&
  amends(target, correction, correction.data.targetEventId, correction.data.targetSource);

/**
 * Whether an erasure reaches an entry: the same agency's data about the subject, of the categories it
 * names (or any), recorded before it. The erasure itself and earlier erasures stay.
 */
export const erases = (
  erasure: Extract<PublishedEvent, { type: 'iom.record.erased.v1' }>,
  entry: Pick<PublishedEvent, 'meta' | 'type'>,
): boolean =>
  entry.type !== 'iom.record.erased.v1' &&
  entry.meta.agency === erasure.meta.agency &&
  (erasure.data.categories === undefined || erasure.data.categories.includes(entry.meta.category));

/**
 * The keys an erasure destroys: the agency's data about the subject, of the categories it names
 * (or all). Ingestion and the IG lead's erase decision hand it to the log alike.
 */
export const keysErasedBy = (
  agency: string,
  data: { readonly categories?: readonly string[] },
): { readonly agency: string; readonly categories?: readonly string[] } =>
  data.categories === undefined ? { agency } : { agency, categories: data.categories };

/** Whether an entry's data is withdrawn from views: redacted by its publisher, or erased. */
export const withdrawn = (entry: Pick<TimelineEntry, 'redactedBy' | 'erasedBy'>): boolean =>
  entry.redactedBy !== undefined || entry.erasedBy !== undefined;

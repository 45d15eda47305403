import {
  type DataCategory,
  DEFAULT_TIME_ZONE,
  expiryInstant,
  LONG_AGO,
  utcInstant,
  withdrawn,
} from '@throughline/domain';
import type { TimelineEntry } from '@throughline/subjects';

/** One of the releasing agency's own events, as the meeting sees it (corrections applied). */
export interface ReleasedEvent {
  readonly id: string;
  /** Its place in the log, as a timeline item's `position`. */
  readonly position: number;
  readonly type: string;
  readonly time: string;
  readonly category: DataCategory;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Detail an agency has released to the tasking meeting about one subject, while the release is live. */
export interface ReleasedDetail {
  readonly releaseId: string;
  /** The release event, which the disclosure record names as the ground relied on. */
  readonly eventId: string;
  readonly agency: string;
  readonly meeting: string;
  readonly categories: readonly DataCategory[];
  readonly legalBasis: string;
  readonly expires: string;
  readonly events: readonly ReleasedEvent[];
}

type Release = Extract<TimelineEntry, { type: 'iom.tasking.detail-released.v1' }>;

/**
 * The live releases on a subject's timeline and what each one shows. Originator control: a release
 * reaches only events its own agency published, in the categories it names (from `from` on), and
 * ends at its expiry, on a withdrawal by the same agency, or when it is redacted. A later release
 * with the same id replaces the earlier one. A date-only expiry lasts to the end of that day in the
 * partnership's time zone.
 */
export function releasedDetail(
  timeline: readonly TimelineEntry[],
  nowIso: string,
  timeZone: string = DEFAULT_TIME_ZONE,
): ReleasedDetail[] {
  const releases = new Map<string, Release>();
  for (const entry of timeline) {
    if (entry.type === 'iom.tasking.detail-released.v1') {
      const key = `${entry.meta.agency}|${entry.data.releaseId}`;
      if (withdrawn(entry)) releases.delete(key);
      else releases.set(key, entry);
    } else if (entry.type === 'iom.tasking.detail-withdrawn.v1' && !withdrawn(entry)) {
      releases.delete(`${entry.meta.agency}|${entry.data.releaseId}`);
    }
  }
  const now = utcInstant(nowIso);
  if (now === undefined) throw new Error(`The time of the read is not an instant: ${nowIso}`);
  return [...releases.values()]
    .filter((release) => expiryInstant(release.data.expires, timeZone) > now)
    .map((release) => {
      const { releaseId, meeting, categories, legalBasis, from, expires } = release.data;
      // A start that names no instant reaches nothing, as an unreadable expiry has passed.
      const since = utcInstant(from);
      const events = timeline
        .filter(
          (entry) =>
            entry.meta.agency === release.meta.agency &&
            categories.includes(entry.meta.category) &&
            !withdrawn(entry) &&
            !entry.type.startsWith('iom.record.') &&
            !entry.type.startsWith('iom.tasking.detail-') &&
            (from === undefined ||
              (since !== undefined && (utcInstant(entry.meta.time) ?? LONG_AGO) >= since)),
        )
        .map((entry) => ({
          id: entry.id,
          position: entry.position,
          type: entry.type,
          time: entry.meta.time,
          category: entry.meta.category,
          data: entry.data as unknown as Readonly<Record<string, unknown>>,
        }));
      return {
        releaseId,
        eventId: release.id,
        agency: release.meta.agency,
        meeting,
        categories,
        legalBasis,
        expires,
        events,
      };
    });
}

import {
  ALERT_KINDS,
  type AlertKind,
  type AlertingType,
  isAlerting,
  releaseNotice,
  type TimelineEntry,
} from '@throughline/domain';

/**
 * One notification in a person's inbox: an event of a kind people are alerted to, about a person
 * on their caseload, as the reader's own cut serves it. Nothing here is wider than that cut: the
 * fields are the entry's as served, and the name is the reader's served identity or null.
 */
export interface Notification {
  /** The event's id in the log: the notification's id. */
  readonly eventId: string;
  /** The event's log position: notifications come newest first by it, and pages resume from it. */
  readonly position: number;
  readonly subjectId: string;
  /** The subject's name where the reader is served it, else null. */
  readonly name: string | null;
  readonly kind: AlertKind;
  readonly eventType: AlertingType;
  readonly publisher: string;
  readonly category: string;
  /** When it happened, as the publisher said. */
  readonly occurredAt: string;
  /** When the log recorded it. */
  readonly recordedAt: string | null;
  /** The event's data as the reader's cut serves it. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** A planned release whose date the reader is served: the notice it gives, short under 28 days. */
  readonly notice: { readonly days: number; readonly short: boolean } | null;
  /** The reader is the person's key worker for their agency (the log names them), not only their agency. */
  readonly yours: boolean;
  readonly read: boolean;
}

/** The subject's name as served: null when the reader's cut does not carry it. */
export interface ServedName {
  readonly givenName: string;
  readonly familyName: string;
}

export interface NotificationInput {
  /** The entry as the reader's cut serves it. */
  readonly entry: TimelineEntry;
  readonly identity: ServedName | null;
  readonly yours: boolean;
  readonly read: boolean;
}

/** Undefined for an entry that is not a notification (not an alerting kind, redacted or erased). */
export function notificationOf({
  entry,
  identity,
  yours,
  read,
}: NotificationInput): Notification | undefined {
  const eventType = entry.type;
  if (!isAlerting(eventType) || entry.redactedBy || entry.erasedBy) return undefined;
  const fields = entry.data as unknown as Readonly<Record<string, unknown>>;
  const notice =
    eventType === 'iom.release.planned.v1' && 'date' in fields
      ? releaseNotice(entry.meta.time, fields.date)
      : undefined;
  return {
    eventId: entry.id,
    position: entry.position,
    subjectId: entry.subjectId,
    name: identity ? `${identity.givenName} ${identity.familyName}` : null,
    kind: ALERT_KINDS[eventType],
    eventType,
    publisher: entry.meta.agency,
    category: entry.meta.category,
    occurredAt: entry.meta.time,
    recordedAt: entry.recordedAt ?? null,
    fields,
    notice: notice ?? null,
    yours,
    read,
  };
}

/**
 * Whether the reader is the person's own key worker: the latest key-worker assignment for the
 * reader's agency among the entries served names the reader's user id as `user`. An assignment
 * naming a worker only by name, or someone else, leaves the person on the agency's caseload alone.
 */
export function isKeyWorker(entries: readonly TimelineEntry[], agency: string, user: string): boolean {
  // By when it happened, as an instant (whatever offset it was written with), ties by log position.
  let latest: { entry: TimelineEntry; at: number } | undefined;
  for (const entry of entries) {
    if (entry.type !== 'iom.key-worker.assigned.v1' || entry.redactedBy || entry.erasedBy) continue;
    if (entry.data.agency !== agency) continue;
    const at = Date.parse(entry.meta.time);
    if (!latest || at > latest.at || (at === latest.at && entry.position > latest.entry.position))
      latest = { entry, at };
  }
  return latest?.entry.type === 'iom.key-worker.assigned.v1' && latest.entry.data.user === user;
}

/** Which notifications a page shows. */
export interface InboxPage {
  /** Only notifications recorded before this log position: the previous page's `nextBefore`. */
  readonly before?: number;
  readonly limit: number;
  /** Only those not yet read. */
  readonly unreadOnly?: boolean;
  /** Only those about people the reader is key worker for. */
  readonly yoursOnly?: boolean;
}

export interface PagedNotifications<T extends Notification = Notification> {
  readonly notifications: readonly T[];
  /** Resumes after this page's last notification; null on the last page. */
  readonly nextBefore: number | null;
  readonly unread: number;
}

/**
 * Newest first (by log position, the order the partnership learned of them), then the page: a
 * notification arriving between pages comes before the first page, so paging on repeats none and
 * skips none.
 */
export function pageOf<T extends Notification>(all: readonly T[], page: InboxPage): PagedNotifications<T> {
  const sorted = [...all].sort((a, b) => b.position - a.position);
  const chosen = sorted.filter(
    (item) =>
      (page.before === undefined || item.position < page.before) &&
      (!page.unreadOnly || !item.read) &&
      (!page.yoursOnly || item.yours),
  );
  const notifications = chosen.slice(0, page.limit);
  const last = notifications[notifications.length - 1];
  return {
    notifications,
    nextBefore: chosen.length > page.limit && last ? last.position : null,
    unread: sorted.filter((item) => !item.read).length,
  };
}

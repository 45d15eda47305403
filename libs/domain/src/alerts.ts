import { type EventType, RELEASE_NOTICE_DAYS } from './catalogue';

/**
 * The events a practitioner is alerted to (domain brief section 7, and a transfer and a planned
 * release, which the seeds' resettlement work runs on), and the alert kind of each.
 */
export const ALERT_KINDS = {
  'iom.arrest.recorded.v1': 'arrest',
  'iom.custody.received.v1': 'custody-received',
  'iom.custody.transferred.v1': 'custody-transferred',
  'iom.release.planned.v1': 'release-planned',
  'iom.custody.released.v1': 'custody-released',
  'iom.wanted.flagged.v1': 'wanted',
  'iom.appointment.missed.v1': 'appointment-missed',
  'iom.breach.recorded.v1': 'breach',
  'iom.recall.recorded.v1': 'recall',
} as const satisfies Partial<Record<EventType, string>>;

export type AlertKind = (typeof ALERT_KINDS)[keyof typeof ALERT_KINDS];
export type AlertingType = keyof typeof ALERT_KINDS;

export const isAlerting = (type: string): type is AlertingType => Object.hasOwn(ALERT_KINDS, type);

/**
 * How much notice a planned release gives: whole days from when the plan was made (the event's
 * time) to the planned date, and whether that is short of RELEASE_NOTICE_DAYS. Undefined when
 * either cannot be read.
 */
export function releaseNotice(
  plannedAt: string,
  releaseDate: unknown,
): { days: number; short: boolean } | undefined {
  if (typeof releaseDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(releaseDate)) return undefined;
  const made = Date.parse(plannedAt.slice(0, 10));
  const release = Date.parse(releaseDate);
  if (Number.isNaN(made) || Number.isNaN(release)) return undefined;
  const days = Math.round((release - made) / 86_400_000);
  return { days, short: days < RELEASE_NOTICE_DAYS };
}

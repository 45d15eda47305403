import type { EventType } from './catalogue';

/** The events a practitioner is alerted to (domain brief section 7), and the alert kind of each. */
export const ALERT_KINDS = {
  'iom.arrest.recorded.v1': 'arrest',
  'iom.custody.received.v1': 'custody-received',
  'iom.custody.released.v1': 'custody-released',
  'iom.wanted.flagged.v1': 'wanted',
  'iom.appointment.missed.v1': 'appointment-missed',
  'iom.breach.recorded.v1': 'breach',
  'iom.recall.recorded.v1': 'recall',
} as const satisfies Partial<Record<EventType, string>>;

export type AlertKind = (typeof ALERT_KINDS)[keyof typeof ALERT_KINDS];
export type AlertingType = keyof typeof ALERT_KINDS;

export const isAlerting = (type: string): type is AlertingType => Object.hasOwn(ALERT_KINDS, type);

import { accessEvents } from './access';
import { cohortEvents } from './cohort';
import { consentEvents } from './consent';
import { custodyEvents } from './custody';
import { drugsEvents } from './drugs';
import { eteFinanceEvents } from './ete-finance';
import { familyEvents } from './family';
import { healthEvents } from './health';
import { housingEvents } from './housing';
import { identityEvents } from './identity';
import { intelligenceEvents } from './intelligence';
import { offendingEvents } from './offending';
import { recordsEvents } from './records';
import { retentionEvents } from './retention';
import { riskEvents } from './risk';
import { safeguardingEvents } from './safeguarding';
import type { EventSpec } from './spec';
import { supervisionEvents } from './supervision';
import { taskingEvents } from './tasking';

/** The event catalogue v1: every type a partner may publish. */
export const CATALOGUE = {
  ...identityEvents,
  ...cohortEvents,
  ...offendingEvents,
  ...intelligenceEvents,
  ...custodyEvents,
  ...supervisionEvents,
  ...riskEvents,
  ...drugsEvents,
  ...healthEvents,
  ...housingEvents,
  ...eteFinanceEvents,
  ...familyEvents,
  ...consentEvents,
  ...safeguardingEvents,
  ...taskingEvents,
  ...recordsEvents,
  ...accessEvents,
  ...retentionEvents,
} as const satisfies Record<string, EventSpec>;

export type EventType = keyof typeof CATALOGUE;
export type EventData<T extends EventType> = InstanceType<(typeof CATALOGUE)[T]['schema']>;
/** The exhaustive union of catalogue events: switch on `type` and the compiler checks every case. */
export type CatalogueEvent = {
  [T in EventType]: { readonly type: T; readonly data: EventData<T> };
}[EventType];

export const EVENT_TYPES = Object.keys(CATALOGUE) as EventType[];
export const isEventType = (type: string): type is EventType => Object.hasOwn(CATALOGUE, type);
export const specOf = (type: EventType): EventSpec => CATALOGUE[type];

export * from './spec';
export * from './common';
export * from './identity';
export * from './cohort';
export * from './offending';
export * from './intelligence';
export * from './custody';
export * from './supervision';
export * from './risk';
export * from './drugs';
export * from './health';
export * from './housing';
export * from './ete-finance';
export * from './family';
export * from './consent';
export * from './safeguarding';
export * from './tasking';
export * from './records';
export * from './access';
export * from './retention';
export * from './examples';
export * from './bounds';
export * from './dates';

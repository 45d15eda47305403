import type { DefaultAgency, EventType } from '@throughline/domain';

export interface DemoOptions {
  readonly seed: number;
  /** How many people the partnership works with over the period; default 320. */
  readonly subjects?: number;
  /** ISO 8601 date the period starts; default `months` before today, so the period ends today. */
  readonly start?: string;
  /** Length of the period in months; default 24. */
  readonly months?: number;
}

/** A CloudEvent as the agency system would send it. */
export interface DemoCloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: EventType;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: object;
}

/** One event and the agency (credential) that publishes it. */
export interface DemoPublication {
  readonly agency: DefaultAgency;
  readonly source: string;
  readonly event: DemoCloudEvent;
}

/** A tasking meeting the chair recorded on the platform (the meetings stream). */
export interface DemoMeeting {
  readonly meetingId: string;
  readonly date: string;
  readonly openedAt: string;
  readonly closedAt: string;
  readonly chair: string;
  readonly agency: DefaultAgency;
  readonly agenciesPresent: readonly string[];
  readonly cohortClasses: readonly string[];
}

/** A decision the chair recorded in a meeting, which only the platform records about the person. */
export interface DemoPlatformRecord {
  /** The person as their registration named them. */
  readonly subject: string;
  readonly type: 'iom.tasking.decision-recorded.v1';
  readonly time: string;
  readonly agency: DefaultAgency;
  readonly publishedBy: string;
  readonly data: object;
}

export interface DemoPartnership {
  /** Every publication in time order. */
  readonly publications: DemoPublication[];
  /** The last meetings of the period, as the chair recorded them, newest last. */
  readonly meetings: DemoMeeting[];
  /** The decisions those meetings recorded that agency systems do not publish. */
  readonly platformRecords: DemoPlatformRecord[];
}

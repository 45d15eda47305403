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

export interface DemoPartnership {
  /** Every publication in time order. */
  readonly publications: DemoPublication[];
}

// Every schema module imports this file; class-transformer's @Type needs the Reflect metadata API.
import 'reflect-metadata';
import type { DefaultAgency } from '../agencies';
import type { DataCategory } from '../categories';

/** Who may publish a type: any partner, or only the listed agencies. */
export type Publishers = 'any' | readonly DefaultAgency[];

/** A correction or redaction takes the category of the event it targets. */
export type EventCategory = DataCategory | 'of-target';

export interface EventSpec<D extends object = object> {
  readonly category: EventCategory;
  readonly publishers: Publishers;
  /** The class-validator schema of `data`. */
  readonly schema: new () => D;
  /** One line for integrators (docs/events.md). */
  readonly summary: string;
  /** True when the event may name a subject the platform does not know yet (it registers them). */
  readonly registersSubject?: boolean;
  /**
   * True when only the platform records the type (a practitioner's action through the API), so agency
   * systems may not publish it.
   */
  readonly recordedByPlatform?: boolean;
}

export const defineEvent = <D extends object>(spec: EventSpec<D>): EventSpec<D> => spec;

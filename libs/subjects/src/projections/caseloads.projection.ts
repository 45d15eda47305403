import type { PublishedEvent } from '@throughline/domain';
import type { Projection } from '@throughline/projections';

export const CASELOADS = 'caseloads';

/** One subject an agency works with, from the event that first made it so. */
export interface CaseloadEntry {
  readonly agency: string;
  readonly subjectId: string;
  /** The log position of the first event that put the subject on the agency's caseload. */
  readonly since: number;
}

/** The key of an agency's row for a subject; an agency's rows share the prefix `<agency>/`. */
export const caseloadKey = (agency: string, subjectId: string): string => `${agency}/${subjectId}`;

/** The key prefix of every subject on an agency's caseload. */
export const caseloadPrefix = (agency: string): string => `${agency}/`;

/**
 * The agencies an event shows working with its subject: the agency that published it (a
 * registration, a referral, an adoption, a contact), the agency a referral names as referring, and
 * the agency a key worker is assigned for. Break-glass records are the platform's record of an
 * emergency read, not of work with the person, so they add no one.
 */
export function workingAgencies(event: PublishedEvent): readonly string[] {
  switch (event.type) {
    case 'iom.break-glass.claimed.v1':
    case 'iom.break-glass.reviewed.v1':
      return [];
    case 'iom.key-worker.assigned.v1':
      return [...new Set([event.meta.agency, event.data.agency])];
    case 'iom.referral.received.v1':
      return [...new Set([event.meta.agency, event.data.referredBy])];
    default:
      return [event.meta.agency];
  }
}

/**
 * Each agency's caseload: one row per agency and subject, kept as events arrive, so a list reads
 * its agency's rows by key prefix rather than scanning anything per request. A row once written
 * stays: nothing in the catalogue ends an agency's work with a person.
 */
export const caseloadsProjection: Projection<CaseloadEntry> = {
  name: CASELOADS,
  keys: (event) => workingAgencies(event).map((agency) => caseloadKey(agency, event.subjectId)),
  evolve: (entry, event, key) =>
    entry ?? { agency: key.slice(0, key.indexOf('/')), subjectId: event.subjectId, since: event.position },
};

import {
  isCalendarDate,
  parseSubjectReference,
  type SubjectReference,
  type TimelineEntry,
  withdrawn,
} from '@throughline/domain';
import type { SubjectDisclosure } from './disclosure';

/** How an IG lead looks a person up: by any identifier, or by family name and date of birth. */
export type SubjectSearch =
  | { readonly by: 'reference'; readonly reference: SubjectReference }
  | {
      readonly by: 'name-and-birth';
      readonly familyName: string;
      readonly givenName: string | null;
      readonly dateOfBirth: string;
    };

/** What a search shows of each person found: enough to choose, nothing more. */
export interface SubjectFound {
  readonly subjectId: string;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly dateOfBirth: string | null;
  readonly identifiers: readonly string[];
}

/** The purposes an IG lead searches for, and the law each relies on. */
export const SEARCH_PURPOSES = {
  'subject-access': 'UK GDPR Art 15 (right of access)',
  audit: 'UK GDPR Art 5(2) (accountability)',
} as const;
export type SearchPurpose = keyof typeof SEARCH_PURPOSES;

const NAME_MAX = 100;

/**
 * The search a query asks for, or why it cannot be run. An identifier is read by the rule ingestion
 * reads an event's subject by (`parseSubjectReference`), so whatever an agency can name a person
 * by, the IG lead can find them by; a local identifier is read as one of `agency`, the searcher's.
 */
export function parseSubjectSearch(
  query: Readonly<Record<string, string | undefined>>,
  agency: string,
): { readonly ok: true; readonly search: SubjectSearch } | { readonly ok: false; readonly reason: string } {
  const text = (name: string): string | null => {
    const value = query[name]?.trim();
    return value ? value : null;
  };
  const identifier = text('identifier');
  const familyName = text('familyName');
  const givenName = text('givenName');
  const dateOfBirth = text('dateOfBirth');
  if (identifier !== null) {
    if (familyName !== null || givenName !== null || dateOfBirth !== null)
      return { ok: false, reason: 'search by identifier, or by familyName and dateOfBirth, not both' };
    const parsed = parseSubjectReference(identifier, agency);
    return parsed.ok
      ? { ok: true, search: { by: 'reference', reference: parsed.value } }
      : { ok: false, reason: `identifier ${parsed.reason}` };
  }
  if (familyName === null || dateOfBirth === null)
    return {
      ok: false,
      reason:
        'give an identifier (pnc:, nhs:, crn:, nomis:, local: or a partnership id), or familyName and dateOfBirth',
    };
  if (!isCalendarDate(dateOfBirth)) return { ok: false, reason: 'dateOfBirth must be a date, YYYY-MM-DD' };
  if (familyName.length > NAME_MAX || (givenName?.length ?? 0) > NAME_MAX)
    return { ok: false, reason: `names are at most ${NAME_MAX} characters` };
  return { ok: true, search: { by: 'name-and-birth', familyName, givenName, dateOfBirth } };
}

/**
 * What the audit record says the search was by: the criteria's names and an identifier's scheme,
 * never the values, which would put a name in a log that must outlive an erasure.
 */
export const searchedBy = (search: SubjectSearch): readonly string[] =>
  search.by === 'reference'
    ? [search.reference.kind === 'identifier' ? search.reference.identifier.scheme : 'partnershipId']
    : ['familyName', ...(search.givenName === null ? [] : ['givenName']), 'dateOfBirth'];

/** The person's name and date of birth as their record now stands (corrected, unless redacted). */
export function identityOf(
  subjectId: string,
  timeline: readonly TimelineEntry[],
  identifiers: readonly string[],
): SubjectFound & { readonly positions: readonly number[] } {
  const registration = timeline.find(
    (entry) => entry.type === 'iom.subject.registered.v1' && !withdrawn(entry),
  );
  const data = registration?.type === 'iom.subject.registered.v1' ? registration.data : undefined;
  return {
    subjectId,
    givenName: data?.givenName ?? null,
    familyName: data?.familyName ?? null,
    dateOfBirth: data?.dateOfBirth ?? null,
    identifiers,
    positions: timeline
      .filter((entry) => entry.meta.category === 'identity' && !withdrawn(entry))
      .map((entry) => entry.position),
  };
}

const sameName = (a: string, b: string): boolean =>
  a.trim().localeCompare(b.trim(), 'en-GB', { sensitivity: 'accent' }) === 0;

/** Whether the person found is the one asked for: a candidate by date of birth, checked by name. */
export function matches(search: SubjectSearch, found: SubjectFound): boolean {
  if (search.by === 'reference') return true;
  return (
    found.dateOfBirth === search.dateOfBirth &&
    found.familyName !== null &&
    sameName(found.familyName, search.familyName) &&
    (search.givenName === null || (found.givenName !== null && sameName(found.givenName, search.givenName)))
  );
}

/** The people a list names by partnership id, by that id: their names, as the lookup finds them. */
export type SubjectNames = ReadonlyMap<string, Pick<SubjectFound, 'givenName' | 'familyName'>>;

/** What a search shows of a person found, and what a list of names shows. */
const SEARCH_FIELDS = ['dateOfBirth', 'familyName', 'givenName', 'identifiers'];
export const NAME_FIELDS = ['familyName', 'givenName'];

/** What the search disclosed of one person found, for its audit record (`fields`: what it showed). */
export function searchDisclosure(
  purpose: SearchPurpose,
  found: SubjectFound & { readonly positions: readonly number[] },
  fields: readonly string[] = SEARCH_FIELDS,
): SubjectDisclosure {
  return {
    subjectId: found.subjectId,
    grounds: [
      {
        rule: 'subject-search',
        basis: 'statute',
        clause: null,
        legalBasis: SEARCH_PURPOSES[purpose],
        reliedOn: null,
        categories: ['identity'],
      },
    ],
    fields: { identity: [...fields] },
    positions: found.positions,
  };
}

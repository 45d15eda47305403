import { isPurposeOfUse, PURPOSES_OF_USE, type PurposeOfUse } from '@throughline/domain';
import { ProblemException } from '@throughline/platform';
import type { ServedRecord, SubjectFilter } from '@throughline/subjects';

export const DEFAULT_PURPOSE: PurposeOfUse = 'case-management';

/** What a practitioner may choose; subject access and audit belong to the IG console. */
export const PRACTITIONER_PURPOSES: readonly PurposeOfUse[] = PURPOSES_OF_USE.filter(
  (purpose) => purpose !== 'subject-access' && purpose !== 'audit',
);

const invalid = (slug: string, title: string, detail: string): ProblemException =>
  new ProblemException(400, slug, title, detail);

/** The page's purpose of use; the same values the API accepts in X-Purpose-Of-Use. */
export function purposeOf(raw: string | undefined): PurposeOfUse {
  if (raw === undefined || raw === '') return DEFAULT_PURPOSE;
  if (!isPurposeOfUse(raw)) {
    throw invalid(
      'unknown-purpose',
      'Unknown purpose of use',
      `"${raw}" is not one of ${PURPOSES_OF_USE.join(', ')}`,
    );
  }
  return raw;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function subjectIdOf(raw: string): string {
  if (!UUID.test(raw)) {
    throw invalid(
      'invalid-subject-id',
      'Invalid subject id',
      'A subject is named by its partnership id (UUID)',
    );
  }
  return raw.toLowerCase();
}

export interface ListFilter {
  readonly band: string | null;
  readonly cohortClass: string | null;
  readonly inCustody: boolean | null;
  readonly q: string | null;
}

const text = (raw: string | undefined): string | null => (raw && raw.trim() !== '' ? raw.trim() : null);

/** The list's filters, checked as GET /v1/subjects checks them. */
export function listFilterOf(raw: Record<string, string | undefined>): ListFilter {
  const band = text(raw.band);
  if (band !== null && !['red', 'amber', 'green'].includes(band)) {
    throw invalid('invalid-query', 'Invalid filter', 'band must be red, amber or green');
  }
  const custody = text(raw.inCustody);
  if (custody !== null && custody !== 'true' && custody !== 'false') {
    throw invalid('invalid-query', 'Invalid filter', 'inCustody must be true or false');
  }
  return {
    band,
    cohortClass: text(raw.cohortClass)?.slice(0, 40) ?? null,
    inCustody: custody === null ? null : custody === 'true',
    q: text(raw.q)?.slice(0, 100) ?? null,
  };
}

/** The list query's filter, as GET /v1/subjects passes it. */
export const subjectFilterOf = (filter: ListFilter): SubjectFilter => ({
  ...(filter.band ? { band: filter.band } : {}),
  ...(filter.cohortClass ? { cohortClass: filter.cohortClass } : {}),
  ...(filter.q ? { q: filter.q } : {}),
  ...(filter.inCustody === null ? {} : { inCustody: filter.inCustody }),
});

export const nameOf = (record: Pick<ServedRecord, 'identity'>): string =>
  record.identity ? `${record.identity.givenName} ${record.identity.familyName}` : 'Name not shared';

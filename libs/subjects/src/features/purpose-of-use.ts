import { ProblemException } from '@throughline/platform';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function requireSubjectId(raw: string): string {
  if (!UUID.test(raw)) {
    throw new ProblemException(
      400,
      'invalid-subject-id',
      'Invalid subject id',
      'subjectId must be a partnership id (UUID)',
    );
  }
  return raw.toLowerCase();
}

/** The same answer whether the subject does not exist or the caller may not see it. */
export const subjectNotFound = (): ProblemException =>
  new ProblemException(
    404,
    'subject-not-found',
    'Subject not found',
    'No subject with this id is visible to your agency',
  );

/**
 * A subject whose record is held back pending repair (see SubjectHeldBack). Names nothing from
 * the data: the partnership admin sees the fault in GET /v1/projections.
 */
export const subjectHeldBack = (): ProblemException =>
  new ProblemException(
    503,
    'subject-quarantined',
    'Subject held back pending repair',
    "This subject's record is held back pending repair: an event recorded about them could not be applied. Other subjects are served as usual.",
  );

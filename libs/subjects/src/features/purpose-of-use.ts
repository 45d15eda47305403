import { isPurposeOfUse, PURPOSES_OF_USE, type PurposeOfUse } from '@throughline/domain';
import { ProblemException } from '@throughline/platform';

/** Every read of subject data states why (X-Purpose-Of-Use); a missing or unknown purpose is a 400. */
export function requirePurpose(header: string | undefined): PurposeOfUse {
  if (!header) {
    throw new ProblemException(
      400,
      'purpose-required',
      'Purpose of use required',
      `Send X-Purpose-Of-Use: one of ${PURPOSES_OF_USE.join(', ')}`,
    );
  }
  if (!isPurposeOfUse(header)) {
    throw new ProblemException(
      400,
      'unknown-purpose',
      'Unknown purpose of use',
      `"${header}" is not one of ${PURPOSES_OF_USE.join(', ')}`,
    );
  }
  return header;
}

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

import { isPurposeOfUse, PURPOSES_OF_USE, type PurposeOfUse } from '@throughline/domain';
import { ProblemException } from '@throughline/platform';

/**
 * Every read of subject data states why (X-Purpose-Of-Use); a missing or unknown purpose is a 400.
 * `expected` names the purposes the route's readers state, for the problem's detail only: whether a
 * known purpose is allowed is the role rule's to decide, and recorded as its refusal.
 */
export function requirePurpose(
  header: string | undefined,
  expected: readonly PurposeOfUse[] = PURPOSES_OF_USE,
): PurposeOfUse {
  if (!header)
    throw new ProblemException(
      400,
      'purpose-required',
      'Purpose of use required',
      `Send X-Purpose-Of-Use: ${expected.length === 1 ? expected[0]! : `one of ${expected.join(', ')}`}`,
    );
  if (!isPurposeOfUse(header))
    throw new ProblemException(
      400,
      'unknown-purpose',
      'Unknown purpose of use',
      `"${header}" is not one of ${PURPOSES_OF_USE.join(', ')}`,
    );
  return header;
}

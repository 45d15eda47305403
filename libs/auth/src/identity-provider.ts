import { Logger } from '@nestjs/common';
import { ProblemException } from '@throughline/platform';

const logger = new Logger('IdentityProvider');

/** The message of an error and of each cause under it (fetch hides the socket error in `cause`). */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    if (current instanceof Error) {
      const code = (current as NodeJS.ErrnoException).code;
      parts.push(code && !current.message.includes(code) ? `${current.message} (${code})` : current.message);
      current = current.cause;
    } else {
      parts.push(typeof current === 'string' ? current : JSON.stringify(current));
      break;
    }
  }
  return parts.join(': ') || 'unknown error';
}

/**
 * The identity provider (its key set, discovery document or token endpoint) could not be reached.
 * Not the caller's fault, so not a 401: a 503, and a log line naming what failed, written once
 * here so the API and the pages say the same thing.
 */
export class IdentityProviderUnavailable extends ProblemException {
  constructor(what: string, url: string, error: unknown) {
    const reason = describeError(error);
    // One object and no message string: every JSON logger keeps its fields as they are.
    logger.error({ event: 'identity-provider-unreachable', what, url, error: reason });
    super(
      503,
      'identity-provider-unavailable',
      'Identity provider unavailable',
      'Sign-in cannot be checked right now because the identity provider did not answer. Try again in a few minutes.',
    );
  }
}

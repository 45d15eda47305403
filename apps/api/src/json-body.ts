import type { FastifyRequest } from 'fastify';
import { ProblemException } from '@throughline/platform';

const malformed = (detail: string): ProblemException =>
  new ProblemException(
    400,
    'malformed-json',
    'Malformed JSON',
    `The request body is not valid JSON: ${detail}`,
  );

const unsupported = (detail: string): ProblemException =>
  new ProblemException(415, 'unsupported-media-type', 'Unsupported media type', detail);

/**
 * Reads a JSON body (`application/json` and `application/*+json`, already read as UTF-8 within the
 * size limit): an object or an array, never a bare value; an empty body is an empty object. Only
 * UTF-8 and no content coding are taken.
 */
export function parseJsonBody(
  request: FastifyRequest,
  body: string | Buffer,
  done: (error: Error | null, body?: unknown) => void,
): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') {
    done(unsupported(`unsupported charset "${charset.toUpperCase()}"`));
    return;
  }
  const encoding = request.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    done(unsupported(`unsupported content encoding "${encoding}"`));
    return;
  }
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.length === 0) {
    done(null, {});
    return;
  }
  const first = /^[ \t\n\r]*(.)/.exec(text)?.[1];
  if (first !== '{' && first !== '[') {
    done(
      malformed(
        first === undefined
          ? 'the body is only white space'
          : `Unexpected token '${first}'; the body must be an object or an array`,
      ),
    );
    return;
  }
  try {
    done(null, JSON.parse(text));
  } catch (error) {
    done(malformed(error instanceof Error ? error.message : String(error)));
  }
}

import type { FastifyRequest } from 'fastify';
import { ProblemException } from '@throughline/platform';
import { parseJsonBody } from './json-body';

const parsed = (body: string, headers: Record<string, string> = {}) => {
  let outcome: { error: Error | null; body?: unknown } | undefined;
  parseJsonBody(
    { headers: { 'content-type': 'application/json', ...headers } } as unknown as FastifyRequest,
    body,
    (error, value) => (outcome = { error, body: value }),
  );
  return outcome!;
};

const problem = (outcome: { error: Error | null }) =>
  outcome.error instanceof ProblemException ? outcome.error.problem : outcome.error;

describe('parseJsonBody', () => {
  it('reads an object or an array, and an empty body as an empty object', () => {
    expect(parsed('{"a":[1]}')).toEqual({ error: null, body: { a: [1] } });
    expect(parsed(' [1]')).toEqual({ error: null, body: [1] });
    expect(parsed('')).toEqual({ error: null, body: {} });
  });

  it.each(['"text"', '1', 'null', '   ', '{"a":'])('refuses %j as malformed JSON (400)', (body) => {
    expect(problem(parsed(body))).toMatchObject({
      status: 400,
      type: 'https://throughline.dev/problems/malformed-json',
    });
  });

  it.each([[{ 'content-type': 'application/json; charset=latin1' }], [{ 'content-encoding': 'gzip' }]])(
    'refuses a body it cannot read (%j) as an unsupported media type (415)',
    (headers) => {
      expect(problem(parsed('{}', headers))).toMatchObject({
        status: 415,
        type: 'https://throughline.dev/problems/unsupported-media-type',
      });
    },
  );
});

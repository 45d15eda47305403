import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { type HttpRequest, ProblemException } from '@throughline/platform';
import { parseFormBody } from './form-body';

/** Posts `body` to `route` and resolves to what the parser made of it. */
function posted(
  route: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ error: Error | null; body?: unknown }> {
  const payload = new PassThrough();
  const request = {
    routeOptions: { url: route },
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  } as unknown as HttpRequest;
  return new Promise((resolve) => {
    parseFormBody(request, payload as unknown as IncomingMessage, (error, value) =>
      resolve({ error, body: value }),
    );
    payload.end(body);
  });
}

const status = ({ error }: { error: Error | null }) =>
  error instanceof ProblemException ? error.problem.status : error;

describe('parseFormBody', () => {
  it('reads the flat fields of a page form', async () => {
    const { error, body } = await posted('/app/sign-in', '_csrf=abc&persona=police-iom-officer&user=a+b');
    expect(error).toBeNull();
    expect({ ...(body as object) }).toEqual({ _csrf: 'abc', persona: 'police-iom-officer', user: 'a b' });
    expect(await posted('/app/ig/restrictions', '')).toMatchObject({ error: null, body: {} });
    expect(await posted('/app/meetings/:meetingId/actions', 'text=a')).toMatchObject({ error: null });
  });

  it('leaves the body unread on a route that takes no form (the API reads JSON only)', async () => {
    expect(await posted('/v1/subjects/:subjectId/break-glass', 'reason=x')).toEqual({
      error: null,
      body: undefined,
    });
    expect(await posted('/app/*', 'a=1')).toEqual({ error: null, body: undefined });
  });

  it('refuses a form over 16 KiB or 20 fields as too large (413)', async () => {
    expect(status(await posted('/app/sign-in', `a=${'x'.repeat(17 * 1024)}`))).toBe(413);
    expect(status(await posted('/app/sign-in', 'a=1', { 'content-length': String(17 * 1024) }))).toBe(413);
    expect(
      status(await posted('/app/sign-in', Array.from({ length: 21 }, (_, i) => `f${i}=1`).join('&'))),
    ).toBe(413);
  });

  it.each([
    [{ 'content-type': 'application/x-www-form-urlencoded; charset=latin1' }],
    [{ 'content-encoding': 'gzip' }],
  ])('refuses a form it cannot read (%j) as not understood (400)', async (headers) => {
    expect(status(await posted('/app/sign-out', 'a=1', headers))).toBe(400);
  });
});

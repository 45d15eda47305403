import { ProblemException } from '@throughline/platform';
import { DEFAULT_LIST_LIMIT, listCursor, MAX_LIST_LIMIT, parseListPage } from './list-page';

const SUBJECT = '5e0c1a9d-7b34-4f21-9c6e-2d8f4a1b3c57';

const refusal = (query: Parameters<typeof parseListPage>[0]): ProblemException => {
  try {
    parseListPage(query);
  } catch (error) {
    return error as ProblemException;
  }
  throw new Error('not refused');
};

describe('a subject list page', () => {
  it('is the first page of the caseload, of the default size, when nothing is named', () => {
    expect(parseListPage({})).toEqual({ scope: 'caseload', limit: DEFAULT_LIST_LIMIT });
  });

  it('takes a limit within bounds, a scope, and a cursor from a previous page', () => {
    expect(parseListPage({ limit: '1' }).limit).toBe(1);
    expect(parseListPage({ limit: String(MAX_LIST_LIMIT) }).limit).toBe(MAX_LIST_LIMIT);
    expect(parseListPage({ scope: 'partnership' }).scope).toBe('partnership');
    expect(parseListPage({ cursor: listCursor(SUBJECT), limit: '10' })).toEqual({
      scope: 'caseload',
      limit: 10,
      after: SUBJECT,
    });
  });

  it.each([
    ['0'],
    ['201'],
    ['-1'],
    ['1.5'],
    ['1e2'],
    ['abc'],
    [''],
    [' 5'],
    ['0x10'],
    ['99999999999999999999'],
  ])('refuses limit %j with a 400', (limit) => {
    const problem = refusal({ limit });
    expect(problem).toBeInstanceOf(ProblemException);
    expect(problem.getStatus()).toBe(400);
  });

  it.each([
    ['not a cursor!'],
    [''],
    ['e30'], // {}
    [Buffer.from('{"after":"../../etc"}').toString('base64url')],
    [Buffer.from(`{"after":"${SUBJECT}","x":1}`).toString('base64url')],
    [Buffer.from(`["${SUBJECT}"]`).toString('base64url')],
    [Buffer.from('null').toString('base64url')],
    [Buffer.from('{"after":').toString('base64url')],
    ['A'.repeat(500)],
  ])('refuses cursor %j with a 400', (cursor) => {
    expect(refusal({ cursor }).getStatus()).toBe(400);
  });

  it('refuses a repeated parameter and an unknown scope with a 400', () => {
    expect(refusal({ limit: ['1', '2'] }).getStatus()).toBe(400);
    expect(refusal({ cursor: [listCursor(SUBJECT)] }).getStatus()).toBe(400);
    expect(refusal({ scope: 'everyone' }).getStatus()).toBe(400);
  });
});

import { checkQueryString } from './query-string';
import { ProblemException } from './problem';

const refusal = (query: unknown): string | null => {
  try {
    checkQueryString(query);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemException);
    return (error as ProblemException).problem.detail ?? '';
  }
};

describe('the query string rule', () => {
  it('lets flat parameters given once through', () => {
    expect(refusal({})).toBeNull();
    expect(refusal({ q: 'a', band: 'red', empty: '' })).toBeNull();
    expect(refusal(undefined)).toBeNull();
  });

  it.each([
    [{ q: ['a', 'b'] }, '"q" is given more than once'],
    [{ q: 'a', user: ['a', 'b', 'c'] }, '"user" is given more than once'],
    [{ 'a[b]': 'c' }, '"a[b]" is nested'],
    [{ a: { b: 'c' } }, '"a" is nested'],
    [{ 'user[]': 'x' }, '"user[]" is nested'],
  ])('refuses %j, naming the parameter', (query, detail) => {
    expect(refusal(query)).toContain(detail);
  });
});

import { type ExecutionContext, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { CHECKS_QUERY_STRING, checkQueryString, QueryStringGuard } from './query-string';
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

describe('QueryStringGuard', () => {
  class Authenticating {
    static readonly [CHECKS_QUERY_STRING] = true;
  }
  class Other {}

  @UseGuards(Authenticating)
  class Authenticated {
    read(): void {}
  }

  class Open {
    read(): void {}
    @UseGuards(Other)
    guarded(): void {}
    @UseGuards(Authenticating)
    authenticatedHere(): void {}
  }

  const contextOf = (controller: new () => object, method: string, query: unknown): ExecutionContext => {
    const handler = (controller.prototype as Record<string, () => void>)[method]!;
    const context = new ExecutionContextHost([{ query }, {}, () => undefined], controller, handler);
    context.setType('http');
    return context;
  };
  const guard = new QueryStringGuard(new Reflector());
  const repeated = { q: ['a', 'b'] };

  it('refuses a repeated parameter on a route no authenticating guard protects', () => {
    expect(() => guard.canActivate(contextOf(Open, 'read', repeated))).toThrow(ProblemException);
    expect(() => guard.canActivate(contextOf(Open, 'guarded', repeated))).toThrow(ProblemException);
    expect(guard.canActivate(contextOf(Open, 'read', { q: 'a' }))).toBe(true);
  });

  it('leaves the rule to the authenticating guard of the controller or of the route', () => {
    expect(guard.canActivate(contextOf(Authenticated, 'read', repeated))).toBe(true);
    expect(guard.canActivate(contextOf(Open, 'authenticatedHere', repeated))).toBe(true);
  });
});

import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { HttpRequest } from './http';
import { ProblemException } from './problem';

const refused = (name: string, detail: string): ProblemException =>
  new ProblemException(400, 'invalid-query', 'Invalid query parameter', detail, {
    errors: [{ field: name, constraint: 'single-value', message: detail }],
  });

/**
 * The one rule for query strings: every parameter is a flat `name=value` pair given at most once.
 * A repeated name parses to an array and a bracketed one (`a[b]=c`) asks for a nested object,
 * which no reader here expects; handlers that treat the value as a string would fail with a 500.
 */
export function checkQueryString(query: unknown): void {
  if (query === null || typeof query !== 'object') return;
  for (const [name, value] of Object.entries(query)) {
    if (Array.isArray(value)) throw refused(name, `The query parameter "${name}" is given more than once`);
    if (typeof value !== 'string' || /[[\]]/.test(name)) {
      throw refused(name, `The query parameter "${name}" is nested; parameters are flat name=value pairs`);
    }
  }
}

/**
 * Marks a guard class that authenticates requests and applies the query string rule itself as soon
 * as it has, so that a refusal is recorded with the principal it was made to (decision 0011); the
 * global QueryStringGuard leaves the routes such a guard protects to it.
 */
export const CHECKS_QUERY_STRING = Symbol('checks the query string once it has authenticated');

type GuardClass = abstract new (...args: never[]) => unknown;

/**
 * Applies the rule before any handler runs, so every `@Query` read, named or whole, sees strings.
 * On a route an authenticating guard protects, that guard applies it once it has authenticated
 * (see CHECKS_QUERY_STRING); on any other route this global guard does, before the route's own
 * guards. A guard and not an interceptor: a route with no interceptor is served without wrapping
 * its handler in observables. Either way the refusal goes through the route's own exception
 * filter, so a page answers with a page and the API with a problem document.
 */
@Injectable()
export class QueryStringGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const guards = [
      ...(this.reflector.get<GuardClass[] | undefined>(GUARDS_METADATA, context.getHandler()) ?? []),
      ...(this.reflector.get<GuardClass[] | undefined>(GUARDS_METADATA, context.getClass()) ?? []),
    ];
    if (!guards.some((guard) => typeof guard === 'function' && CHECKS_QUERY_STRING in guard)) {
      checkQueryString(context.switchToHttp().getRequest<HttpRequest>().query);
    }
    return true;
  }
}

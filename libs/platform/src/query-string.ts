import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
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
 * Applies the rule before any handler runs, so every `@Query` read, named or whole, sees strings.
 * An interceptor rather than middleware: its refusal goes through the route's own exception filter,
 * so a page answers with a page and the API with a problem document.
 */
@Injectable()
export class QueryStringInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') checkQueryString(context.switchToHttp().getRequest<Request>().query);
    return next.handle();
  }
}

import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ProjectionRunner } from '@throughline/projections';
import { CSRF_FIELD, csrfToken, verifyCsrf } from './csrf';

// Whatever request and response the csrf helpers take, so this file follows them to another adapter.
type Request = Parameters<typeof csrfToken>[0];
type Response = Parameters<typeof csrfToken>[1];

/**
 * The CSRF token for the forms on a page (setting the csrf cookie when the browser has none), so a
 * page handler need not take the request and response objects to get it.
 */
export const PageCsrf = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const http = context.switchToHttp();
  return csrfToken(http.getRequest<Request>(), http.getResponse<Response>());
});

/**
 * A page form's fields, once the post is shown to come from one of our own forms in this browser
 * session (403 otherwise, before the handler runs). A form post is flat: each field a string, or a
 * list of them when repeated.
 */
export const CheckedForm = createParamDecorator(
  (_: unknown, context: ExecutionContext): Record<string, unknown> => {
    const request = context.switchToHttp().getRequest<Request & { body?: unknown }>();
    const body =
      typeof request.body === 'object' && request.body !== null && !Array.isArray(request.body)
        ? (request.body as Record<string, unknown>)
        : {};
    verifyCsrf(request, body[CSRF_FIELD]);
    const { [CSRF_FIELD]: _token, ...fields } = body;
    return fields;
  },
);

/**
 * After a page's action, waits (up to 3 s) until the projections show it, when they run in this
 * process, so the page the browser is sent to shows the action; a worker catches up on its own.
 */
export async function shownOnceApplied(runner: ProjectionRunner, position: number): Promise<void> {
  const local = (await runner.status()).every((projection) => projection.status === 'live');
  if (local) await runner.waitFor(position, 3000).catch(() => undefined);
}

/** What a page's form post answers through `@Redirect()`: where the browser goes next. */
export interface Redirection {
  readonly url: string;
  readonly statusCode: number;
}

/** 303 See Other: after a form post, the browser asks for the next page with a GET. */
export const seeOther = (url: string): Redirection => ({ url, statusCode: 303 });

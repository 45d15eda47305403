import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
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

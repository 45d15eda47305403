import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { csrfToken } from '../../session/csrf';

type CsrfArguments = Parameters<typeof csrfToken>;

/**
 * The token for the forms of the page being answered (the sign-out form), from the session helper,
 * so a page handler needs neither `@Req()` nor `@Res()` to render the shell.
 */
export const PageCsrf = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const http = context.switchToHttp();
  return csrfToken(http.getRequest<CsrfArguments[0]>(), http.getResponse<CsrfArguments[1]>());
});

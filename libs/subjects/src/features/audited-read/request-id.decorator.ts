import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/**
 * The id the request log gave the request (apps/api/src/request-log.ts), for the disclosure
 * record; read from the request whatever HTTP layer carries it, so a handler needs no `@Req()`.
 */
export const RequestId = createParamDecorator((_: unknown, context: ExecutionContext): string | null => {
  const { id } = context.switchToHttp().getRequest<{ id?: unknown }>();
  return typeof id === 'string' ? id : null;
});

import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { HttpRequest, HttpResponse } from './http';
import { type ProblemDetails, ProblemException, problemType, TooManyRequestsException } from './problem';

/** An error of the HTTP server's own (`FST_ERR_*`): reading a body, routing, a bad URL. */
interface ServerError {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly message?: string;
}

const STATUS_SLUGS: Record<number, [string, string]> = {
  400: ['bad-request', 'Bad request'],
  401: ['unauthenticated', 'Authentication required'],
  403: ['forbidden', 'Forbidden'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  409: ['conflict', 'Conflict'],
  413: ['payload-too-large', 'Payload too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  422: ['unprocessable', 'Unprocessable content'],
  429: ['too-many-requests', 'Too many requests'],
  503: ['unavailable', 'Service unavailable'],
};

/** Maps anything thrown (our problems, Nest's HTTP errors, the server's errors) to problem details. */
export function problemOf(exception: unknown): ProblemDetails {
  if (exception instanceof ProblemException) return exception.problem;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const [slug, title] = STATUS_SLUGS[status] ?? ['error', 'Error'];
    const body = exception.getResponse();
    const detail =
      typeof body === 'object' && body !== null && 'message' in body
        ? String(body.message)
        : exception.message;
    return { type: problemType(slug), title, status, detail };
  }
  const serverError = (exception ?? {}) as ServerError;
  if (typeof serverError.code !== 'string' || !serverError.code.startsWith('FST_')) return INTERNAL;
  if (serverError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      type: problemType('payload-too-large'),
      title: 'Payload too large',
      status: 413,
      detail: 'The request body is over the size limit',
    };
  }
  const status = serverError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const [slug, title] = STATUS_SLUGS[status] ?? ['bad-request', 'Bad request'];
    return { type: problemType(slug), title, status, detail: serverError.message };
  }
  return INTERNAL;
}

const INTERNAL: ProblemDetails = { type: problemType('internal'), title: 'Internal error', status: 500 };

/** A refusal that says when to come back carries it as `Retry-After`, whatever renders the body. */
export function setRetryAfter(response: HttpResponse, exception: unknown): void {
  if (exception instanceof TooManyRequestsException)
    response.header('Retry-After', String(exception.retryAfterSeconds));
}

export function sendProblem(response: HttpResponse, problem: ProblemDetails, instance?: string): void {
  response
    .code(problem.status)
    .type('application/problem+json; charset=utf-8')
    .send(JSON.stringify(instance ? { ...problem, instance } : problem));
}

/** Renders every error as RFC 9457 problem details; nothing escapes as an HTML page or a stack. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const problem = problemOf(exception);
    if (problem.status >= 500)
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    const response = http.getResponse<HttpResponse>();
    setRetryAfter(response, exception);
    sendProblem(response, problem, request.url);
  }
}

import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type ProblemDetails, ProblemException, problemType, TooManyRequestsException } from './problem';

interface BodyParserError {
  readonly type?: string;
  readonly status?: number;
  readonly expose?: boolean;
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

/** Maps anything thrown (our problems, Nest's HTTP errors, body-parser errors) to problem details. */
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
  const parserError = (exception ?? {}) as BodyParserError;
  if (parserError.type === 'entity.too.large') {
    return {
      type: problemType('payload-too-large'),
      title: 'Payload too large',
      status: 413,
      detail: 'The request body is over the size limit',
    };
  }
  if (parserError.type === 'entity.parse.failed') {
    return {
      type: problemType('malformed-json'),
      title: 'Malformed JSON',
      status: 400,
      detail: `The request body is not valid JSON: ${parserError.message ?? ''}`.trim(),
    };
  }
  if (parserError.expose === true && typeof parserError.status === 'number' && parserError.status < 500) {
    const [slug, title] = STATUS_SLUGS[parserError.status] ?? ['bad-request', 'Bad request'];
    return { type: problemType(slug), title, status: parserError.status, detail: parserError.message };
  }
  return { type: problemType('internal'), title: 'Internal error', status: 500 };
}

/** A refusal that says when to come back carries it as `Retry-After`, whatever renders the body. */
export function setRetryAfter(response: Response, exception: unknown): void {
  if (exception instanceof TooManyRequestsException)
    response.setHeader('Retry-After', String(exception.retryAfterSeconds));
}

export function sendProblem(response: Response, problem: ProblemDetails, instance?: string): void {
  response
    .status(problem.status)
    .type('application/problem+json')
    .send(JSON.stringify(instance ? { ...problem, instance } : problem));
}

/** Renders every error as RFC 9457 problem details; nothing escapes as an HTML page or a stack. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const problem = problemOf(exception);
    if (problem.status >= 500)
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    const response = http.getResponse<Response>();
    setRetryAfter(response, exception);
    sendProblem(response, problem, request.originalUrl);
  }
}

import { type ArgumentsHost, Catch, type ExceptionFilter, Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthenticatedRequest } from '@throughline/auth';
import { type ProblemDetails, problemOf, sendProblem, setRetryAfter } from '@throughline/platform';
import { AuditService } from '../../audit.service';
import { refusalRecord } from '../../domain/refusal';

type HttpRequest = AuthenticatedRequest & { id?: unknown };

const header = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/**
 * Renders every error as problem details, and first puts each refusal of a verified principal on
 * the audit record, so no controller has to remember to: a missing or unknown purpose, an unknown
 * agency, a role or agency refused, a subject outside the reader's set. A request without a token
 * that verified names no one and is not recorded. The answer waits for the record to be durable
 * and names it (`disclosureId`, `X-Disclosure-Id`).
 */
@Catch()
@Injectable()
export class RecordedRefusalsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  constructor(private readonly audit: AuditService) {}

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const response = http.getResponse<Response>();
    let problem: ProblemDetails = problemOf(exception);
    if (problem.status >= 500)
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    const recordedId = await this.record(request, problem);
    if (recordedId) {
      response.setHeader('X-Disclosure-Id', recordedId);
      problem = { ...problem, disclosureId: recordedId };
    }
    setRetryAfter(response, exception);
    sendProblem(response, problem, request.originalUrl);
  }

  private async record(request: HttpRequest, problem: ProblemDetails): Promise<string | null> {
    const principal = request.principal ?? request.verified;
    const route = (request.route as { path?: unknown } | undefined)?.path;
    if (!principal || typeof route !== 'string') return null;
    const params = request.params as Record<string, string | undefined> | undefined;
    const content = refusalRecord({
      principal,
      requestId: typeof request.id === 'string' ? request.id : null,
      method: request.method,
      route: `${request.baseUrl}${route}`,
      subjectId: params?.subjectId,
      purpose: header(request.headers['x-purpose-of-use']),
      problem,
    });
    if (!content) return null;
    try {
      return (await this.audit.record(content)).content.id;
    } catch (error) {
      // The refusal stands whether or not its record could be written; the failure is loud.
      this.logger.error(`a refusal could not be recorded: ${String(error)}`);
      return null;
    }
  }
}

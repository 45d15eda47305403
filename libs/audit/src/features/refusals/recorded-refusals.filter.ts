import { type ArgumentsHost, Catch, type ExceptionFilter, Injectable, Logger } from '@nestjs/common';
import {
  type HttpRequest,
  type HttpResponse,
  type ProblemDetails,
  problemOf,
  sendProblem,
  setRetryAfter,
} from '@throughline/platform';
import { RefusalRecorder } from './refusal-recorder';

/**
 * Renders every error as problem details, and first puts each refusal of a verified principal on
 * the audit record, so no controller has to remember to: a missing or unknown purpose, an unknown
 * agency, a role or agency refused, a subject outside the reader's set. The answer waits for the
 * record to be durable and names it (`disclosureId`, `X-Disclosure-Id`).
 */
@Catch()
@Injectable()
export class RecordedRefusalsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  constructor(private readonly refusals: RefusalRecorder) {}

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const response = http.getResponse<HttpResponse>();
    let problem: ProblemDetails = problemOf(exception);
    if (problem.status >= 500)
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    const recordedId = await this.refusals.record(request, problem);
    if (recordedId) {
      response.header('X-Disclosure-Id', recordedId);
      problem = { ...problem, disclosureId: recordedId };
    }
    setRetryAfter(response, exception);
    sendProblem(response, problem, request.url);
  }
}

import { Injectable, Logger } from '@nestjs/common';
import type { AuthenticatedRequest } from '@throughline/auth';
import type { ProblemDetails } from '@throughline/platform';
import { AuditService } from '../../audit.service';
import { refusalRecord } from '../../domain/refusal';

type HttpRequest = AuthenticatedRequest & { id?: unknown };

const first = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : Array.isArray(value) && typeof value[0] === 'string'
      ? value[0]
      : undefined;

/**
 * Puts a refused request of a verified principal on the audit record: the one mechanism behind
 * the API's and the pages' error handling. A request whose token did not verify names no one and
 * is not recorded. Resolves to the record's id once it is durable, or null when nothing was recorded.
 */
@Injectable()
export class RefusalRecorder {
  private readonly logger = new Logger('Refusal');

  constructor(private readonly audit: AuditService) {}

  async record(request: HttpRequest, problem: ProblemDetails): Promise<string | null> {
    const principal = request.principal ?? request.verified;
    // The matched route's template (`/v1/subjects/:subjectId`); none when no route matched.
    const route = request.routeOptions.url;
    if (!principal || typeof route !== 'string') return null;
    const params = request.params as Record<string, string | undefined> | undefined;
    const query = request.query as Record<string, unknown> | undefined;
    const content = refusalRecord({
      principal,
      requestId: typeof request.id === 'string' ? request.id : null,
      method: request.method,
      route,
      subjectId: params?.subjectId ?? first(query?.subjectId),
      // The API states the purpose in a header; a page in its query.
      purpose: first(request.headers['x-purpose-of-use']) ?? first(query?.purpose),
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

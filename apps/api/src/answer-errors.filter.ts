import { type ArgumentsHost, Catch, type ExceptionFilter, Injectable } from '@nestjs/common';
import { RecordedRefusalsFilter } from '@throughline/audit';
import { type HttpRequest, pathOf } from '@throughline/platform';
import { WebExceptionFilter } from '@throughline/web';

/**
 * What no route's own filter answered: a body that could not be read, a route that threw outside
 * its handler. Under /app a page answers (a form too large is a page, as the pages' own refusals
 * are); anywhere else problem details do. Both put a refusal of a verified principal on the record.
 */
@Catch()
@Injectable()
export class AnswerErrorsFilter implements ExceptionFilter {
  constructor(
    private readonly problems: RecordedRefusalsFilter,
    private readonly pages: WebExceptionFilter,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const path = pathOf(host.switchToHttp().getRequest<HttpRequest>());
    const page = path === '/app' || path.startsWith('/app/');
    return (page ? this.pages : this.problems).catch(exception, host);
  }
}

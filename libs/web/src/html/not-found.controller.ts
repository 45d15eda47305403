import { All, Controller, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ProblemException } from '@throughline/platform';
import { WebExceptionFilter } from './web-exception.filter';

/** Any other path under /app gets a page, not the API's problem+json. Registered last. */
@ApiExcludeController()
@Controller('app')
@UseFilters(WebExceptionFilter)
export class PageNotFoundController {
  @All('*')
  notFound(): never {
    throw new ProblemException(404, 'not-found', 'Page not found', 'There is no page at this address');
  }
}

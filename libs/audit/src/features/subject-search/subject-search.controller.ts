import { Controller, Get, Headers, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuthGuard, CurrentPrincipal, type Principal } from '@throughline/auth';
import { type HttpRequest, type HttpResponse, ProblemException } from '@throughline/platform';
import {
  parseSubjectSearch,
  SEARCH_PURPOSES,
  type SearchPurpose,
  type SubjectFound,
} from '../../domain/subject-search';
import { IgLeadGuard } from '../ig/ig-lead.guard';
import { requesterOf } from '../subject-access/subject-access.service';
import { SubjectSearchService } from './subject-search.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit/subjects')
@UseGuards(AuthGuard, IgLeadGuard)
export class SubjectSearchController {
  constructor(private readonly searches: SubjectSearchService) {}

  @Get()
  @ApiOperation({
    summary:
      'Finds a person by any identifier or by family name and date of birth, for a subject access request; recorded as a disclosure',
  })
  @ApiOkResponse({
    description:
      '{ subjects: [{ subjectId, givenName, familyName, dateOfBirth, identifiers: ["pnc:...", ...] }] }, at most 20; X-Disclosure-Id names the search\'s audit record',
  })
  @ApiHeader({
    name: 'X-Purpose-Of-Use',
    required: false,
    description: 'subject-access (the default) or audit',
  })
  @ApiQuery({
    name: 'identifier',
    required: false,
    description: 'pnc:, nhs:, crn:, nomis:, local: or a partnership id; alone',
  })
  @ApiQuery({ name: 'familyName', required: false, description: 'with dateOfBirth; case is ignored' })
  @ApiQuery({ name: 'givenName', required: false, description: 'optional, with familyName' })
  @ApiQuery({ name: 'dateOfBirth', required: false, description: 'YYYY-MM-DD, with familyName' })
  async search(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, string | undefined>,
    @Headers('x-purpose-of-use') purpose: string | undefined,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<{ subjects: readonly SubjectFound[] }> {
    const stated = purpose ?? 'subject-access';
    if (!Object.hasOwn(SEARCH_PURPOSES, stated))
      throw new ProblemException(
        400,
        'purpose-required',
        'Purpose of use required',
        'A search for a person states X-Purpose-Of-Use: subject-access or audit',
      );
    const parsed = parseSubjectSearch(query, principal.agency);
    if (!parsed.ok)
      throw new ProblemException(400, 'invalid-query', 'Invalid query parameter', parsed.reason);
    const { found, disclosureId } = await this.searches.search(
      parsed.search,
      stated as SearchPurpose,
      requesterOf(principal, request),
    );
    response.header('X-Disclosure-Id', disclosureId);
    return { subjects: found };
  }
}

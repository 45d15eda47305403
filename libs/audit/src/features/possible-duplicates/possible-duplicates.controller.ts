import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { HttpRequest, HttpResponse } from '@throughline/platform';
import { AuthGuard, CurrentPrincipal, type Principal } from '@throughline/auth';
import type { PossibleDuplicate } from '../../domain/possible-duplicates';
import { IdentityToolsGuard } from '../ig/ig-lead.guard';
import { requesterOf } from '../subject-access/subject-access.service';
import { PossibleDuplicatesService } from './possible-duplicates.service';

@ApiTags('identity')
@ApiBearerAuth()
@Controller('v1/identity/possible-duplicates')
@UseGuards(AuthGuard, IdentityToolsGuard)
export class PossibleDuplicatesController {
  constructor(private readonly duplicates: PossibleDuplicatesService) {}

  @Get()
  @ApiOperation({
    summary:
      'Pairs of records that may be one person (same name and date of birth, or an identifier value in common), for the partnership admin to merge; recorded as a disclosure',
  })
  @ApiOkResponse({
    description:
      '{ duplicates: [{ reasons: ["identifier" | "name-and-birth"], records: [{ subjectId, givenName, familyName, dateOfBirth, identifiers }, {...}] }] }; X-Disclosure-Id names the audit record',
  })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<{ duplicates: readonly PossibleDuplicate[] }> {
    const { duplicates, disclosureId } = await this.duplicates.list(requesterOf(principal, request));
    response.header('X-Disclosure-Id', disclosureId);
    return { duplicates };
  }
}

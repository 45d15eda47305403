import { Controller, Get, Headers, Param, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthGuard, CurrentPrincipal, type Principal } from '@throughline/auth';
import { isPartnershipId } from '@throughline/domain';
import { type HttpRequest, type HttpResponse, ProblemException } from '@throughline/platform';
import { SubjectAccessGuard } from '../ig/ig-lead.guard';
import { requesterOf, type SubjectAccessExport, SubjectAccessService } from './subject-access.service';

@ApiTags('audit')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Purpose-Of-Use', required: true, description: 'subject-access' })
@Controller('v1/subjects')
@UseGuards(AuthGuard, SubjectAccessGuard)
export class SubjectAccessController {
  constructor(private readonly access: SubjectAccessService) {}

  @Get(':subjectId/access-export')
  @ApiOperation({
    summary: 'Subject access export: everything held about the subject and every disclosure of it',
  })
  @ApiOkResponse({
    description:
      "{ subjectId, generatedAt, held: events as corrected and redacted, restrictions: each restriction of processing (what, by whom, when, why, lifted), disclosures: each audit record cut to this subject (seq, contentHash of the whole record, whole, content), publicKey }; never another person's ids or data",
  })
  async export(
    @CurrentPrincipal() principal: Principal,
    @Param('subjectId') subjectId: string,
    @Headers('x-purpose-of-use') purpose: string | undefined,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<SubjectAccessExport> {
    if (purpose !== 'subject-access') {
      throw new ProblemException(
        400,
        'purpose-required',
        'Purpose of use required',
        'A subject access export states X-Purpose-Of-Use: subject-access',
      );
    }
    if (!isPartnershipId(subjectId))
      throw new ProblemException(
        400,
        'invalid-subject-id',
        'Invalid subject id',
        'subjectId must be a partnership id (UUID)',
      );
    const done = await this.access.export(subjectId.toLowerCase(), requesterOf(principal, request));
    if (!done)
      throw new ProblemException(404, 'subject-not-found', 'Subject not found', 'No subject with this id');
    const { exported, disclosureId } = done;
    response.header('X-Disclosure-Id', disclosureId);
    response.header(
      'Content-Disposition',
      `attachment; filename="subject-access-${exported.subjectId}.json"`,
    );
    return exported;
  }
}

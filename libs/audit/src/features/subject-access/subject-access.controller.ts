import { Controller, Get, Headers, Param, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuthGuard, CurrentPrincipal, type Principal } from '@throughline/auth';
import { isPartnershipId } from '@throughline/domain';
import { ProblemException } from '@throughline/platform';
import { AuditService } from '../../audit.service';
import { SubjectAccessGuard } from '../ig/ig-lead.guard';
import {
  type SubjectAccessExport,
  SubjectAccessService,
  subjectAccessDisclosure,
} from './subject-access.service';

@ApiTags('audit')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Purpose-Of-Use', required: true, description: 'subject-access' })
@Controller('v1/subjects')
@UseGuards(AuthGuard, SubjectAccessGuard)
export class SubjectAccessController {
  constructor(
    private readonly access: SubjectAccessService,
    private readonly audit: AuditService,
  ) {}

  @Get(':subjectId/access-export')
  @ApiOperation({
    summary: 'Subject access export: everything held about the subject and every disclosure of it',
  })
  async export(
    @CurrentPrincipal() principal: Principal,
    @Param('subjectId') subjectId: string,
    @Headers('x-purpose-of-use') purpose: string | undefined,
    @Req() request: Request & { id?: unknown },
    @Res({ passthrough: true }) response: Response,
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
    const exported = await this.access.export(subjectId.toLowerCase());
    if (!exported)
      throw new ProblemException(404, 'subject-not-found', 'Subject not found', 'No subject with this id');
    const record = await this.audit.record({
      requestId: typeof request.id === 'string' ? request.id : null,
      principal: { kind: principal.kind, user: principal.id, agency: principal.agency, role: principal.role },
      action: 'subject.access-export',
      outcome: 'disclosed',
      purpose,
      agreementVersion: null,
      subjects: [subjectAccessDisclosure(exported)],
      refusal: null,
    });
    response.setHeader('X-Disclosure-Id', record.content.id);
    response.setHeader(
      'Content-Disposition',
      `attachment; filename="subject-access-${exported.subjectId}.json"`,
    );
    return exported;
  }
}

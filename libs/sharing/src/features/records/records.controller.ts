import { Body, Controller, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthGuard, CurrentPrincipal, type Principal } from '@throughline/auth';
import { isPartnershipId } from '@throughline/domain';
import { type HttpRequest, ProblemException } from '@throughline/platform';
import type { DueReview, RestrictionFact } from '../../domain/review-queue';
import { type RecordsDecision, type RecordsRequester, RecordsService } from './records.service';

type Body = Record<string, unknown> | undefined;

const requesterOf = (principal: Principal, request: HttpRequest & { id?: unknown }): RecordsRequester => ({
  principal,
  requestId: typeof request.id === 'string' ? request.id : undefined,
});

/** A subject id from the path, or a 400 naming it (recorded among the refusals). */
export function subjectIdParam(raw: string): string {
  if (!isPartnershipId(raw))
    throw new ProblemException(
      400,
      'invalid-subject-id',
      'Invalid subject id',
      'subjectId must be a partnership id (UUID)',
    );
  return raw.toLowerCase();
}

const bodyOf = (body: Body): Record<string, unknown> =>
  typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {};

/**
 * Records management for the IG lead (the agreement's `audit` view): the review queue of the
 * lead's own agency, and the decisions on it. Who may decide, and what a decision needs, are
 * decided by the records use case, for the API and the IG console alike.
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit')
@UseGuards(AuthGuard)
export class RecordsController {
  constructor(private readonly records: RecordsService) {}

  @Get('reviews')
  @ApiOperation({
    summary:
      "The reviews due to the IG lead's agency under the agreement's retention schedule: per subject and category, when review fell due and why (what started the clock, or the last retain decision)",
  })
  async reviews(
    @CurrentPrincipal() principal: Principal,
    @Req() request: HttpRequest & { id?: unknown },
  ): Promise<{ today: string; reviews: DueReview[] }> {
    return this.records.queue(requesterOf(principal, request), new Date());
  }

  @Post('reviews/:subjectId/retain')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Retain a category of your agency’s data about the subject, with the reason and the next review date (recorded as iom.retention.reviewed.v1 and on the audit log)',
  })
  @ApiResponse({
    status: 422,
    description: 'No reason, a next review not after today or over ten years on, or nothing held',
  })
  async retain(
    @CurrentPrincipal() principal: Principal,
    @Param('subjectId') subjectId: string,
    @Body() body: Body,
    @Req() request: HttpRequest & { id?: unknown },
  ): Promise<RecordsDecision> {
    return this.records.retain(
      requesterOf(principal, request),
      subjectIdParam(subjectId),
      bodyOf(body),
      new Date(),
    );
  }

  @Post('reviews/:subjectId/erase')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Erase a category of your agency’s data about the subject, for good: { category, reason, decisionRef }. The keys that sealed it are destroyed; recorded as iom.record.erased.v1 and on the audit log',
  })
  @ApiResponse({
    status: 422,
    description: 'An unknown category, no reason or decision reference, or nothing held',
  })
  async erase(
    @CurrentPrincipal() principal: Principal,
    @Param('subjectId') subjectId: string,
    @Body() body: Body,
    @Req() request: HttpRequest & { id?: unknown },
  ): Promise<RecordsDecision> {
    return this.records.erase(requesterOf(principal, request), subjectIdParam(subjectId), bodyOf(body));
  }

  @Get('restrictions')
  @ApiOperation({ summary: "The restrictions of processing the IG lead's agency has in force" })
  async restrictions(
    @CurrentPrincipal() principal: Principal,
    @Req() request: HttpRequest & { id?: unknown },
  ): Promise<{ restrictions: (RestrictionFact & { subjectId: string })[] }> {
    return { restrictions: await this.records.restrictions(requesterOf(principal, request)) };
  }

  @Post('restrictions/:subjectId')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Restrict processing of your agency’s own data of the named categories about the subject (DPA 2018 s.47): { categories, purposes (still allowed, may be empty), reason, legalBasis }',
  })
  async restrict(
    @CurrentPrincipal() principal: Principal,
    @Param('subjectId') subjectId: string,
    @Body() body: Body,
    @Req() request: HttpRequest & { id?: unknown },
  ): Promise<RecordsDecision & { restrictionId: string }> {
    return this.records.restrict(requesterOf(principal, request), subjectIdParam(subjectId), bodyOf(body));
  }

  @Post('restrictions/:subjectId/:restrictionId/lift')
  @HttpCode(201)
  @ApiOperation({ summary: 'Lift a restriction your agency made: { reason }' })
  async lift(
    @CurrentPrincipal() principal: Principal,
    @Param('subjectId') subjectId: string,
    @Param('restrictionId') restrictionId: string,
    @Body() body: Body,
    @Req() request: HttpRequest & { id?: unknown },
  ): Promise<RecordsDecision> {
    return this.records.lift(
      requesterOf(principal, request),
      subjectIdParam(subjectId),
      restrictionId,
      bodyOf(body),
    );
  }
}

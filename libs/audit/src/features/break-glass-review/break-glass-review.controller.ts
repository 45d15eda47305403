import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuthGuard, CurrentPrincipal, type Principal } from '@throughline/auth';
import { IgLeadGuard } from '../ig/ig-lead.guard';
import { BreakGlassReviewService, type ClaimUnderReview } from './break-glass-review.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit/break-glass')
@UseGuards(AuthGuard, IgLeadGuard)
export class BreakGlassReviewController {
  constructor(private readonly reviews: BreakGlassReviewService) {}

  @Get()
  @ApiOperation({
    summary: 'Break-glass claims with their justification and what was seen; awaiting review by default',
  })
  @ApiQuery({ name: 'status', required: false, enum: ['awaiting-review', 'approved', 'flagged', 'all'] })
  async queue(
    @Query('status') status: 'awaiting-review' | 'approved' | 'flagged' | 'all' = 'awaiting-review',
  ): Promise<{ claims: ClaimUnderReview[] }> {
    return { claims: await this.reviews.queue(status) };
  }

  @Post(':eventId/review')
  @HttpCode(201)
  @ApiOperation({ summary: 'Approve or flag a claim; recorded as an event on the subject' })
  async review(
    @CurrentPrincipal() principal: Principal,
    @Param('eventId') eventId: string,
    @Body() body: { outcome?: unknown; note?: unknown } | undefined,
  ): Promise<{ eventId: string; claimEventId: string; outcome: string }> {
    const {
      eventId: id,
      claimEventId,
      outcome,
    } = await this.reviews.review(principal, eventId, body?.outcome, body?.note);
    return { eventId: id, claimEventId, outcome };
  }
}

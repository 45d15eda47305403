import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuthGuard } from '@throughline/auth';
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
}

import { Body, Controller, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { HttpRequest } from '@throughline/platform';
import { AuthGuard, CurrentPrincipal, type Principal } from '@throughline/auth';
import { type BreakGlassReviewed, ReviewBreakGlassCommand } from './review-break-glass.command';

/** The review beside the IG queue (GET /v1/audit/break-glass); who may review is decided by decideReview. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit/break-glass')
@UseGuards(AuthGuard)
export class ReviewBreakGlassController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':eventId/review')
  @HttpCode(201)
  @ApiOperation({
    summary:
      "Approve or flag a claim (a flag needs a note); reviewed by an ig-lead of the claimant's agency or a partnership reviewer the agreement names, never by the claimant; recorded as an event on the subject",
  })
  @ApiResponse({
    status: 403,
    description:
      'Not a reviewer of this claim, or the claimant: recorded among the refusals, naming the rule',
  })
  @ApiResponse({
    status: 422,
    description: 'No valid outcome, or a flag without a note: recorded among the refusals',
  })
  async review(
    @CurrentPrincipal() principal: Principal,
    @Param('eventId') eventId: string,
    @Body() body: { outcome?: unknown; note?: unknown } | undefined,
    @Req() request: HttpRequest & { id?: unknown },
  ): Promise<{ eventId: string; claimEventId: string; outcome: string }> {
    const done = await this.commands.execute<ReviewBreakGlassCommand, BreakGlassReviewed>(
      new ReviewBreakGlassCommand(
        principal,
        eventId,
        body?.outcome,
        body?.note,
        typeof request.id === 'string' ? request.id : undefined,
      ),
    );
    return { eventId: done.eventId, claimEventId: done.claimEventId, outcome: done.outcome };
  }
}

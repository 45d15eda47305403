import { isDateOrInstant, utcInstant } from '@throughline/domain';
import { Controller, Get, Headers, Query, Req, Res, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuthGuard, CurrentPrincipal, type Principal, requirePurpose } from '@throughline/auth';
import { type HttpRequest, type HttpResponse, ProblemException } from '@throughline/platform';
import { type Audited, readerOf } from '@throughline/subjects';
import { type BoardRead, ReadBoardQuery, ReadDeselectionsQuery } from './read-board.query';
import type { BoardEntry, Deselection } from './tasking.service';

@ApiTags('tasking')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Purpose-Of-Use', required: true, description: 'tasking' })
@Controller('v1/tasking')
@UseGuards(AuthGuard)
export class TaskingController {
  constructor(private readonly queries: QueryBus) {}

  /** The read's answer, its disclosure record's id going out in X-Disclosure-Id. */
  private answer<T>(response: HttpResponse, { result, disclosureId }: Audited<T>): T {
    response.header('X-Disclosure-Id', disclosureId);
    return result;
  }

  @Get('board')
  @ApiOperation({ summary: 'The consolidated cohort board; ?since= for what changed' })
  @ApiQuery({ name: 'since', required: false, description: 'ISO date-time of the last meeting' })
  async board(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purpose: string | undefined,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
    @Query('since') since?: string,
  ): Promise<{ generatedAt: string; since: string | null; subjects: BoardEntry[]; heldBack?: number }> {
    if (since !== undefined && !isDateOrInstant(since)) {
      throw new ProblemException(
        400,
        'invalid-query',
        'Invalid query parameter',
        'since must be a date (YYYY-MM-DD) or an instant (RFC 3339, e.g. 2025-03-01T09:30:00Z)',
      );
    }
    const sinceIso = since === undefined ? undefined : utcInstant(since);
    const reader = readerOf(principal, requirePurpose(purpose, ['tasking']), request);
    const board = this.answer(
      response,
      await this.queries.execute<ReadBoardQuery, Audited<BoardRead>>(new ReadBoardQuery(reader, sinceIso)),
    );
    return {
      generatedAt: new Date().toISOString(),
      since: sinceIso ?? null,
      subjects: [...board.shown],
      // Only a count: which subjects are held back is for the partnership admin.
      ...(board.heldBack > 0 ? { heldBack: board.heldBack } : {}),
    };
  }

  @Get('deselections')
  @ApiOperation({ summary: 'The de-selection register with reasons' })
  async deselections(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purpose: string | undefined,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<{ deselections: Deselection[] }> {
    const reader = readerOf(principal, requirePurpose(purpose, ['tasking']), request);
    const deselections = this.answer(
      response,
      await this.queries.execute<ReadDeselectionsQuery, Audited<readonly Deselection[]>>(
        new ReadDeselectionsQuery(reader),
      ),
    );
    return { deselections: [...deselections] };
  }
}

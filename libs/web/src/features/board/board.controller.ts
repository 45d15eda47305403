import { Controller, Get, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import type { HttpRequest, HttpResponse } from '@throughline/platform';
import { CurrentPrincipal, type Principal } from '@throughline/auth';
import type { PurposeOfUse } from '@throughline/domain';
import { type Audited, readerOf } from '@throughline/subjects';
import {
  type BoardRead,
  type Deselection,
  MeasuresService,
  ReadBoardQuery,
  ReadDeselectionsQuery,
} from '@throughline/tasking';
import { WebExceptionFilter } from '../../html/web-exception.filter';
import { csrfToken } from '../../session/csrf';
import { WebSessionGuard } from '../../session/web-session.guard';
import { arrangeBoard, parseBoardQuery } from './board-view';
import { boardPage } from './board.page';
import { cohortMetricsOf } from './cohort-metrics';

/** The tasking board is read for the meeting, the one purpose the agreement gives it. */
const PURPOSE: PurposeOfUse = 'tasking';

@ApiExcludeController()
@Controller('app/board')
@UseGuards(WebSessionGuard)
@UseFilters(WebExceptionFilter)
export class BoardPageController {
  constructor(
    private readonly queries: QueryBus,
    private readonly measures: MeasuresService,
  ) {}

  @Get()
  async board(
    @CurrentPrincipal() principal: Principal,
    @Query() values: Record<string, string | undefined>,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<string> {
    const query = parseBoardQuery(values);
    const since = query.since ? new Date(`${query.since}T00:00:00Z`).toISOString() : undefined;
    const reader = readerOf(principal, PURPOSE, request);
    // What the page shows of each person is recorded: the filtered rows, as the API would for them.
    const board = await this.queries.execute<ReadBoardQuery, Audited<BoardRead>>(
      new ReadBoardQuery(reader, since, (every) => arrangeBoard(every, query)),
    );
    const deselections = await this.queries.execute<ReadDeselectionsQuery, Audited<readonly Deselection[]>>(
      new ReadDeselectionsQuery(reader),
    );
    // The page shows two reads, so it names both records.
    response.header('X-Disclosure-Id', `${board.disclosureId}, ${deselections.disclosureId}`);
    const metrics = cohortMetricsOf(await this.measures.measures(new Date(), 24, {}));
    response.type('text/html; charset=utf-8');
    return boardPage({
      principal,
      csrf: csrfToken(request, response),
      query,
      rows: board.result.shown,
      all: board.result.all,
      deselections: deselections.result,
      metrics,
    });
  }
}

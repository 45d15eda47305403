import {
  Controller,
  Get,
  Header,
  Param,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import type { HttpRequest, HttpResponse } from '@throughline/platform';
import { CurrentPrincipal, type Principal } from '@throughline/auth';
import { isPartnershipId, type PurposeOfUse } from '@throughline/domain';
import { DisclosureIdHeader, ProblemException, RequestId, type WithDisclosure } from '@throughline/platform';
import { type Audited, readerOf } from '@throughline/subjects';
import {
  type BoardRead,
  type Deselection,
  MeasuresService,
  MeetingsService,
  newestFirst,
  ReadBoardQuery,
  ReadDeselectionsQuery,
} from '@throughline/tasking';
import { WebExceptionFilter } from '../../html/web-exception.filter';
import { csrfToken } from '../../session/csrf';
import { PageCsrf } from '../../session/page-params';
import { WebSessionGuard } from '../../session/web-session.guard';
import { deselectionsPage, releasedPage } from './board-detail.page';
import { DESELECTIONS_SHOWN } from './board-sections';
import { arrangeBoard, pageCount, pageOf, parseBoardQuery } from './board-view';
import { boardPage } from './board.page';
import { cohortMetricsOf } from './cohort-metrics';

/** The tasking board is read for the meeting, the one purpose the agreement gives it. */
const PURPOSE: PurposeOfUse = 'tasking';

@ApiExcludeController()
@Controller('app/board')
@UseGuards(WebSessionGuard)
@UseFilters(WebExceptionFilter)
@UseInterceptors(DisclosureIdHeader)
export class BoardPageController {
  constructor(
    private readonly queries: QueryBus,
    private readonly measures: MeasuresService,
    private readonly meetings: MeetingsService,
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
    // What the page shows of each person is recorded: the page of filtered rows, as the API would for them.
    let matching = 0;
    let shownPage = 1;
    const board = await this.queries.execute<ReadBoardQuery, Audited<BoardRead>>(
      new ReadBoardQuery(
        reader,
        since,
        (every) => {
          const arranged = arrangeBoard(every, query);
          matching = arranged.length;
          shownPage = Math.min(query.page, pageCount(matching));
          return pageOf(arranged, shownPage);
        },
        'summary',
      ),
    );
    const deselections = await this.queries.execute<ReadDeselectionsQuery, Audited<readonly Deselection[]>>(
      new ReadDeselectionsQuery(reader, (register) => register.slice(0, DESELECTIONS_SHOWN)),
    );
    // The page shows two reads, so it names both records.
    response.header('X-Disclosure-Id', `${board.disclosureId}, ${deselections.disclosureId}`);
    const metrics = cohortMetricsOf(await this.measures.measures(new Date(), 24, {}));
    // The last meeting is read from the log, so what changed since it is one link, never a typed date.
    const lastMeeting =
      newestFirst(await this.meetings.list(principal)).find((meeting) => meeting.closedAt !== null) ?? null;
    response.type('text/html; charset=utf-8');
    return boardPage({
      principal,
      csrf: csrfToken(request, response),
      query: { ...query, page: shownPage },
      rows: board.result.shown,
      matching,
      all: board.result.all,
      deselections: deselections.result,
      metrics,
      lastMeeting,
    });
  }

  /** One person's released detail: the board read for that row alone, its events on the record. */
  @Get('released/:subjectId')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async released(
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId: string | null,
    @PageCsrf() csrf: string,
    @Param('subjectId') subjectId: string,
  ): Promise<WithDisclosure<string>> {
    if (!isPartnershipId(subjectId))
      throw new ProblemException(
        400,
        'invalid-subject-id',
        'Invalid subject id',
        'subjectId must be a partnership id (UUID)',
      );
    const id = subjectId.toLowerCase();
    const board = await this.queries.execute<ReadBoardQuery, Audited<BoardRead>>(
      new ReadBoardQuery({ principal, purpose: PURPOSE, requestId }, undefined, (every) =>
        every.filter((row) => row.subjectId === id),
      ),
    );
    return {
      result: releasedPage({ principal, csrf, row: board.result.shown[0] ?? null }),
      disclosureId: board.disclosureId,
    };
  }

  @Get('deselections')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async deselections(
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId: string | null,
    @PageCsrf() csrf: string,
  ): Promise<WithDisclosure<string>> {
    const register = await this.queries.execute<ReadDeselectionsQuery, Audited<readonly Deselection[]>>(
      new ReadDeselectionsQuery({ principal, purpose: PURPOSE, requestId }),
    );
    return {
      result: deselectionsPage({ principal, csrf, deselections: register.result }),
      disclosureId: register.disclosureId,
    };
  }
}

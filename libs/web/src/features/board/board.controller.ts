import { Controller, Get, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, type Principal } from '@throughline/auth';
import { SubjectDocs } from '@throughline/subjects';
import {
  boardRowDisclosure,
  DESELECTION_FIELDS,
  flagsDisclosure,
  TaskingService,
} from '@throughline/tasking';
import { WebExceptionFilter } from '../../html/web-exception.filter';
import { PageAudit } from '../../disclosure/page-audit';
import { csrfToken } from '../../session/csrf';
import { WebSessionGuard } from '../../session/web-session.guard';
import { arrangeBoard, parseBoardQuery } from './board-view';
import { boardPage } from './board.page';
import { cohortMetrics } from './cohort-metrics';

/** The tasking board is read for the meeting, the one purpose the agreement gives it. */
const PURPOSE = 'tasking';

@ApiExcludeController()
@Controller('app/board')
@UseGuards(WebSessionGuard)
@UseFilters(WebExceptionFilter)
export class BoardPageController {
  constructor(
    private readonly tasking: TaskingService,
    private readonly pageAudit: PageAudit,
    private readonly subjectDocs: SubjectDocs,
  ) {}

  @Get()
  async board(
    @CurrentPrincipal() principal: Principal,
    @Query() values: Record<string, string | undefined>,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const query = parseBoardQuery(values);
    const since = query.since ? new Date(`${query.since}T00:00:00Z`).toISOString() : undefined;
    const context = { principal, purpose: PURPOSE, request, response };
    // As the tasking API does: a refusal is recorded too, and a disclosure names the agreement
    // version the meeting's authority came from.
    const authorize = async (): Promise<string | null> => {
      const version: unknown = await this.tasking.authorize(principal, PURPOSE);
      return typeof version === 'string' ? version : null;
    };
    // What the page shows of each person is recorded: the filtered rows, as the API would for them.
    const { all, rows } = await this.pageAudit.recorded(context, 'tasking.board', null, async () => {
      const agreementVersion = await authorize();
      const every = [...(await this.tasking.board(since)).rows];
      const shown = arrangeBoard(every, query);
      return {
        result: { all: every, rows: shown },
        subjects: shown.map((row) => boardRowDisclosure(row.subjectId, row.released)),
        agreementVersion,
      };
    });
    const deselections = await this.pageAudit.recorded(context, 'tasking.deselections', null, async () => {
      const agreementVersion = await authorize();
      const register = await this.tasking.deselections();
      return {
        result: register,
        subjects: register.map(flagsDisclosure(DESELECTION_FIELDS)),
        agreementVersion,
      };
    });
    const docs = await this.subjectDocs.currentAll();
    const metrics = cohortMetrics(
      docs.map((doc) => doc.timeline),
      new Date(),
    );
    response.type('html');
    return boardPage({
      principal,
      csrf: csrfToken(request, response),
      query,
      rows,
      all,
      deselections,
      metrics,
    });
  }
}

import { isDateOrInstant, utcInstant } from '@throughline/domain';
import { Controller, Get, Headers, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuditService, type DisclosureAction, type SubjectDisclosure } from '@throughline/audit';
import { AuthGuard, CurrentPrincipal, type Principal } from '@throughline/auth';
import { ProblemException } from '@throughline/platform';
import { boardRowDisclosure, DESELECTION_FIELDS, flagsDisclosure } from '../domain/disclosure';
import { type BoardEntry, type Deselection, TaskingService } from './tasking.service';

type HttpRequest = Request & { id?: unknown };

@ApiTags('tasking')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Purpose-Of-Use', required: true, description: 'tasking' })
@Controller('v1/tasking')
@UseGuards(AuthGuard)
export class TaskingController {
  constructor(
    private readonly tasking: TaskingService,
    private readonly audit: AuditService,
  ) {}

  @Get('board')
  @ApiOperation({ summary: 'The consolidated cohort board; ?since= for what changed' })
  @ApiQuery({ name: 'since', required: false, description: 'ISO date-time of the last meeting' })
  async board(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purpose: string | undefined,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: Response,
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
    let heldBack = 0;
    const subjects = await this.recorded(
      principal,
      purpose,
      'tasking.board',
      request,
      response,
      (row) => boardRowDisclosure(row.subjectId, row.released),
      async () => {
        const board = await this.tasking.board(sinceIso);
        heldBack = board.heldBack;
        return [...board.rows];
      },
    );
    return {
      generatedAt: new Date().toISOString(),
      since: sinceIso ?? null,
      subjects,
      // Only a count: which subjects are held back is for the partnership admin.
      ...(heldBack > 0 ? { heldBack } : {}),
    };
  }

  @Get('deselections')
  @ApiOperation({ summary: 'The de-selection register with reasons' })
  async deselections(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purpose: string | undefined,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ deselections: Deselection[] }> {
    const deselections = await this.recorded(
      principal,
      purpose,
      'tasking.deselections',
      request,
      response,
      flagsDisclosure(DESELECTION_FIELDS),
      () => this.tasking.deselections(),
    );
    return { deselections };
  }

  /**
   * Authorizes for the meeting, reads, and records the disclosure (what each row served shows)
   * before answering; the record's id goes out in X-Disclosure-Id.
   */
  private async recorded<T extends { subjectId: string }>(
    principal: Principal,
    purpose: string | undefined,
    action: DisclosureAction,
    request: HttpRequest,
    response: Response,
    disclosed: (row: T) => SubjectDisclosure,
    read: () => Promise<T[]>,
  ): Promise<T[]> {
    if (!purpose)
      throw new ProblemException(
        400,
        'purpose-required',
        'Purpose of use required',
        'Send X-Purpose-Of-Use: tasking',
      );
    const base = {
      requestId: typeof request.id === 'string' ? request.id : null,
      principal: { kind: principal.kind, user: principal.id, agency: principal.agency, role: principal.role },
      action,
      purpose,
    };
    // A refusal is put on the record where every refusal is, as the problem is answered.
    const agreementVersion = await this.tasking.authorize(principal, purpose);
    const rows = await read();
    const record = await this.audit.record({
      ...base,
      outcome: 'disclosed',
      agreementVersion,
      subjects: rows.map(disclosed),
      refusal: null,
    });
    response.setHeader('X-Disclosure-Id', record.content.id);
    return rows;
  }
}

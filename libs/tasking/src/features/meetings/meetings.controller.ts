import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AuthGuard, CurrentPrincipal, type Principal, requirePurpose } from '@throughline/auth';
import { isPartnershipId } from '@throughline/domain';
import {
  AsDownload,
  DisclosureIdHeader,
  ProblemException,
  RequestId,
  type WithDisclosure,
} from '@throughline/platform';
import type { Audited, Reader } from '@throughline/subjects';
import type { Meeting } from '../../domain/meetings';
import { type Minutes, minutesMarkdown } from '../../domain/minutes';
import { type AgendaRead, ReadAgendaQuery, ReadMinutesQuery } from './meeting-reads.query';
import { type MeetingDecisionRecorded, type MeetingRequester, MeetingsService } from './meetings.service';

const bodyOf = (body: unknown): Record<string, unknown> =>
  typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};

/** A meeting id from the path, or a 400 naming it (recorded among the refusals). */
export function meetingIdParam(raw: string): string {
  if (!isPartnershipId(raw))
    throw new ProblemException(400, 'invalid-meeting-id', 'Invalid meeting id', 'meetingId must be a UUID');
  return raw.toLowerCase();
}

/**
 * The tasking meeting for its chair (the agreement's `tasking` view, purpose `tasking`): meetings
 * opened and closed, the agenda from the board, decisions and actions recorded as events, and the
 * minutes. The same use cases serve the pages under /app/meetings.
 */
@ApiTags('meetings')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Purpose-Of-Use', required: true, description: 'tasking' })
@Controller('v1/meetings')
@UseGuards(AuthGuard)
@UseInterceptors(DisclosureIdHeader)
export class MeetingsController {
  constructor(
    private readonly meetings: MeetingsService,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The tasking meetings, newest first: date, chair, agencies present, cohort, open or closed',
  })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purpose: string | undefined,
  ): Promise<{ meetings: Meeting[] }> {
    return { meetings: await this.meetings.list(principal, requirePurpose(purpose, ['tasking'])) };
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Open a tasking meeting you chair: { date, agenciesPresent, cohortClasses (none for the whole cohort) } (recorded as iom.meeting.opened.v1); one meeting is open at a time',
  })
  async open(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purpose: string | undefined,
    @RequestId() requestId: string | null,
    @Body() body: unknown,
  ): Promise<Meeting> {
    return this.meetings.open(
      { principal, requestId, purpose: requirePurpose(purpose, ['tasking']) },
      bodyOf(body),
    );
  }

  @Get(':meetingId')
  @ApiOperation({ summary: 'One meeting' })
  async meeting(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purpose: string | undefined,
    @Param('meetingId') meetingId: string,
  ): Promise<Meeting> {
    return (
      await this.meetings.get(principal, meetingIdParam(meetingId), requirePurpose(purpose, ['tasking']))
    ).meeting;
  }

  @Post(':meetingId/close')
  @HttpCode(201)
  @ApiOperation({ summary: 'Close the meeting you chair (iom.meeting.closed.v1): its minutes are final' })
  async close(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purpose: string | undefined,
    @RequestId() requestId: string | null,
    @Param('meetingId') meetingId: string,
  ): Promise<Meeting> {
    return this.meetings.close(
      { principal, requestId, purpose: requirePurpose(purpose, ['tasking']) },
      meetingIdParam(meetingId),
    );
  }

  @Get(':meetingId/agenda')
  @ApiOperation({
    summary:
      "The meeting's agenda from the board, for its cohort: who changed since the previous meeting (read from the log), who is due for review, overdue actions, releases in the next 28 days, referrals awaiting a decision, band movement",
  })
  async agenda(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purpose: string | undefined,
    @RequestId() requestId: string | null,
    @Param('meetingId') meetingId: string,
  ): Promise<WithDisclosure<AgendaRead>> {
    const reader: Reader = { principal, purpose: requirePurpose(purpose, ['tasking']), requestId };
    return this.queries.execute<ReadAgendaQuery, Audited<AgendaRead>>(
      new ReadAgendaQuery(reader, meetingIdParam(meetingId)),
    );
  }

  @Post(':meetingId/decisions')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Record a decision of the meeting about a person: { subjectId, decision: adopt (cohortClass, category, statutory, reviewDue) | deselect (reason, note) | escalate (reason) | band-change (band, reason) }, as iom.cohort.adopted.v1, iom.cohort.deselected.v1 or iom.tasking.decision-recorded.v1 naming the meeting',
  })
  async decide(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purpose: string | undefined,
    @RequestId() requestId: string | null,
    @Param('meetingId') meetingId: string,
    @Body() body: unknown,
  ): Promise<MeetingDecisionRecorded> {
    const requester: MeetingRequester = {
      principal,
      requestId,
      purpose: requirePurpose(purpose, ['tasking']),
    };
    return this.meetings.decide(requester, meetingIdParam(meetingId), bodyOf(body));
  }

  @Post(':meetingId/actions')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Set an action about a person: { subjectId, ownerAgency, due, text }, as iom.tasking.action-assigned.v1 naming the meeting',
  })
  async action(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purpose: string | undefined,
    @RequestId() requestId: string | null,
    @Param('meetingId') meetingId: string,
    @Body() body: unknown,
  ): Promise<MeetingDecisionRecorded & { actionId: string }> {
    return this.meetings.assignAction(
      { principal, requestId, purpose: requirePurpose(purpose, ['tasking']) },
      meetingIdParam(meetingId),
      bodyOf(body),
    );
  }

  @Get(':meetingId/minutes')
  @ApiOperation({
    summary:
      "The meeting's minutes: date, chair, agencies present, decisions and actions (a recorded disclosure)",
  })
  async minutes(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purpose: string | undefined,
    @RequestId() requestId: string | null,
    @Param('meetingId') meetingId: string,
  ): Promise<WithDisclosure<Minutes>> {
    const reader: Reader = { principal, purpose: requirePurpose(purpose, ['tasking']), requestId };
    return this.queries.execute<ReadMinutesQuery, Audited<Minutes>>(
      new ReadMinutesQuery(reader, meetingIdParam(meetingId)),
    );
  }

  @Get(':meetingId/minutes.md')
  @AsDownload('text/markdown; charset=utf-8', 'tasking-minutes.md')
  @ApiProduces('text/markdown')
  @ApiOperation({ summary: 'The minutes as a Markdown download (a recorded disclosure)' })
  async minutesMarkdown(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purpose: string | undefined,
    @RequestId() requestId: string | null,
    @Param('meetingId') meetingId: string,
  ): Promise<WithDisclosure<string>> {
    const reader: Reader = { principal, purpose: requirePurpose(purpose, ['tasking']), requestId };
    const { result, disclosureId } = await this.queries.execute<ReadMinutesQuery, Audited<Minutes>>(
      new ReadMinutesQuery(reader, meetingIdParam(meetingId)),
    );
    return { result: minutesMarkdown(result), disclosureId };
  }
}

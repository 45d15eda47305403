import {
  Controller,
  Get,
  Header,
  Param,
  Post,
  Query,
  Redirect,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@throughline/auth';
import {
  AsDownload,
  DisclosureIdHeader,
  ProblemException,
  RequestId,
  type WithDisclosure,
} from '@throughline/platform';
import { ProjectionRunner } from '@throughline/projections';
import { AgreementService, dateIn, timeZoneOf } from '@throughline/sharing';
import type { Audited, Reader } from '@throughline/subjects';
import {
  type AgendaRead,
  MeetingsService,
  type Minutes,
  minutesMarkdown,
  ReadAgendaQuery,
  ReadMinutesQuery,
} from '@throughline/tasking';
import { isPartnershipId } from '@throughline/domain';
import { WebExceptionFilter } from '../../html/web-exception.filter';
import {
  CheckedForm,
  PageCsrf,
  type Redirection,
  seeOther,
  shownOnceApplied,
} from '../../session/page-params';
import { WebSessionGuard } from '../../session/web-session.guard';
import { meetingListPage, meetingPage } from './meetings.page';
import { minutesPage } from './minutes.page';

const NOTICES: Readonly<Record<string, string>> = {
  opened: 'The meeting is open.',
  decision: 'The decision was recorded.',
  action: 'The action was set.',
};

const meetingIdParam = (raw: string): string => {
  if (!isPartnershipId(raw))
    throw new ProblemException(400, 'invalid-meeting-id', 'Invalid meeting id', 'meetingId must be a UUID');
  return raw.toLowerCase();
};

/**
 * The decision form carries every decision's fields; the use case takes only the chosen one's. A
 * de-selection's reason is a choice and its note free text; an escalation's or band change's reason
 * is the free text.
 */
function decisionBody(form: Record<string, unknown>): Record<string, unknown> {
  const { deselectReason, text, ...rest } = form;
  return form.decision === 'deselect'
    ? { ...rest, reason: deselectReason, note: text }
    : { ...rest, reason: text };
}

/**
 * The chair's meeting pages: the list of meetings and the form that opens one, a meeting with its
 * agenda and the decision and action forms, and the minutes (a page to print, and a download). The
 * same use cases as /v1/meetings; every read through the one audited read.
 */
@ApiExcludeController()
@Controller('app/meetings')
@UseGuards(WebSessionGuard)
@UseFilters(WebExceptionFilter)
@UseInterceptors(DisclosureIdHeader)
export class MeetingPagesController {
  constructor(
    private readonly meetings: MeetingsService,
    private readonly queries: QueryBus,
    private readonly agreements: AgreementService,
    private readonly runner: ProjectionRunner,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  async list(@CurrentPrincipal() principal: Principal, @PageCsrf() csrf: string): Promise<string> {
    const meetings = await this.meetings.list(principal);
    const agreement = await this.agreements.current();
    return meetingListPage({
      principal,
      csrf,
      meetings,
      agencies: agreement?.agencies ?? [],
      today: dateIn(new Date(), timeZoneOf(agreement)),
    });
  }

  @Post()
  @Redirect()
  async open(
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId: string | null,
    @CheckedForm() form: Record<string, unknown>,
  ): Promise<Redirection> {
    const meeting = await this.meetings.open({ principal, requestId }, form);
    return seeOther(`/app/meetings/${meeting.meetingId}?done=opened`);
  }

  @Get(':meetingId')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async meeting(
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId: string | null,
    @PageCsrf() csrf: string,
    @Param('meetingId') rawId: string,
    @Query('done') done: string | undefined,
  ): Promise<WithDisclosure<string>> {
    const meetingId = meetingIdParam(rawId);
    const reader: Reader = { principal, purpose: 'tasking', requestId };
    const agenda = await this.queries.execute<ReadAgendaQuery, Audited<AgendaRead>>(
      new ReadAgendaQuery(reader, meetingId),
    );
    const minutes = await this.queries.execute<ReadMinutesQuery, Audited<Minutes>>(
      new ReadMinutesQuery(reader, meetingId),
    );
    const agreement = await this.agreements.current();
    return {
      // The page shows two reads, so it names both records.
      disclosureId: `${agenda.disclosureId}, ${minutes.disclosureId}`,
      result: meetingPage({
        principal,
        csrf,
        read: agenda.result,
        minutes: minutes.result,
        agencies: agreement?.agencies ?? [],
        notice: NOTICES[done ?? ''] ?? null,
      }),
    };
  }

  @Post(':meetingId/decisions')
  @Redirect()
  async decide(
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId: string | null,
    @Param('meetingId') rawId: string,
    @CheckedForm() form: Record<string, unknown>,
  ): Promise<Redirection> {
    const meetingId = meetingIdParam(rawId);
    const done = await this.meetings.decide({ principal, requestId }, meetingId, decisionBody(form));
    await shownOnceApplied(this.runner, done.position);
    return seeOther(`/app/meetings/${meetingId}?done=decision#recorded`);
  }

  @Post(':meetingId/actions')
  @Redirect()
  async action(
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId: string | null,
    @Param('meetingId') rawId: string,
    @CheckedForm() form: Record<string, unknown>,
  ): Promise<Redirection> {
    const meetingId = meetingIdParam(rawId);
    const done = await this.meetings.assignAction({ principal, requestId }, meetingId, form);
    await shownOnceApplied(this.runner, done.position);
    return seeOther(`/app/meetings/${meetingId}?done=action#recorded`);
  }

  @Post(':meetingId/close')
  @Redirect()
  async close(
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId: string | null,
    @Param('meetingId') rawId: string,
    @CheckedForm() _form: Record<string, unknown>,
  ): Promise<Redirection> {
    const meeting = await this.meetings.close({ principal, requestId }, meetingIdParam(rawId));
    return seeOther(`/app/meetings/${meeting.meetingId}/minutes`);
  }

  @Get(':meetingId/minutes')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async minutes(
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId: string | null,
    @PageCsrf() csrf: string,
    @Param('meetingId') rawId: string,
  ): Promise<WithDisclosure<string>> {
    const { result, disclosureId } = await this.readMinutes(principal, requestId, rawId);
    return { result: minutesPage({ principal, csrf, minutes: result }), disclosureId };
  }

  @Get(':meetingId/minutes.md')
  @AsDownload('text/markdown; charset=utf-8', 'tasking-minutes.md')
  async minutesDownload(
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId: string | null,
    @Param('meetingId') rawId: string,
  ): Promise<WithDisclosure<string>> {
    const { result, disclosureId } = await this.readMinutes(principal, requestId, rawId);
    return { result: minutesMarkdown(result), disclosureId };
  }

  private readMinutes(
    principal: Principal,
    requestId: string | null,
    rawId: string,
  ): Promise<Audited<Minutes>> {
    return this.queries.execute<ReadMinutesQuery, Audited<Minutes>>(
      new ReadMinutesQuery({ principal, purpose: 'tasking', requestId }, meetingIdParam(rawId)),
    );
  }
}

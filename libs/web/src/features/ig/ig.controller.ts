import {
  Controller,
  Get,
  Param,
  Post,
  Query,
  Redirect,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  AuditService,
  BreakGlassReviewService,
  DisclosureRegister,
  findUnusualAccess,
  parseSubjectSearch,
  requesterOf,
  SubjectAccessService,
  SubjectSearchService,
  type SubjectNames,
} from '@throughline/audit';
import { CurrentPrincipal, type Principal } from '@throughline/auth';
import { isCalendarDate, isPartnershipId, isPurposeOfUse } from '@throughline/domain';
import { type HttpRequest, type HttpResponse, ProblemException, RequestId } from '@throughline/platform';
import { ProjectionRunner } from '@throughline/projections';
import { type BreakGlassReviewed, RecordsService, ReviewBreakGlassCommand } from '@throughline/sharing';
import { WebExceptionFilter } from '../../html/web-exception.filter';
import { csrfToken } from '../../session/csrf';
import { CheckedForm, type Redirection, seeOther, shownOnceApplied } from '../../session/page-params';
import { requireIgLead, WebSessionGuard } from '../../session/web-session.guard';
import { igPage } from './ig.page';
import { recordsPage } from './records.page';
import { type RegisterFilter, registerPage, REGISTER_PAGE, toAuditQuery } from './register.page';
import { type SubjectSearchForm, subjectSearchPage } from './subject-search.page';
import { subjectIdsOf } from './subject-ref';

const RECORDS_NOTICES: Readonly<Record<string, string>> = {
  retained: 'The data was retained; it is reviewed again on the date given.',
  erased: 'The data was erased: its keys are destroyed and it can never be read again.',
  restricted: 'Processing was restricted.',
  lifted: 'The restriction was lifted.',
};

/** A form's repeated field: absent, one value or several. */
const listOf = (value: unknown): unknown =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

const subjectIdParam = (raw: string): string => {
  if (!isPartnershipId(raw))
    throw new ProblemException(
      400,
      'invalid-subject-id',
      'Invalid subject id',
      'subjectId must be a partnership id (UUID)',
    );
  return raw.toLowerCase();
};

const invalid = (detail: string): ProblemException =>
  new ProblemException(400, 'invalid-query', 'Invalid filter', detail);

function registerFilterOf(values: Record<string, string | undefined>): RegisterFilter {
  const text = (name: string): string | null => {
    const value = values[name]?.trim();
    return value ? value.slice(0, 64) : null;
  };
  const outcome = text('outcome');
  if (outcome !== null && outcome !== 'disclosed' && outcome !== 'refused')
    throw invalid('outcome must be disclosed or refused');
  const purpose = text('purpose');
  if (purpose !== null && !isPurposeOfUse(purpose)) throw invalid(`"${purpose}" is not a purpose of use`);
  for (const name of ['from', 'to']) {
    const value = text(name);
    if (value !== null && !isCalendarDate(value)) throw invalid(`${name} must be a date`);
  }
  return {
    subjectId: text('subjectId'),
    agency: text('agency'),
    user: text('user'),
    purpose,
    outcome,
    from: text('from'),
    to: text('to'),
  };
}

/** The information-governance lead's console: the same tools as /v1/audit, as pages. */
@ApiExcludeController()
@Controller('app/ig')
@UseGuards(WebSessionGuard)
@UseFilters(WebExceptionFilter)
export class IgPagesController {
  constructor(
    private readonly audit: AuditService,
    private readonly disclosures: DisclosureRegister,
    private readonly reviews: BreakGlassReviewService,
    private readonly access: SubjectAccessService,
    private readonly searches: SubjectSearchService,
    private readonly runner: ProjectionRunner,
    private readonly commands: CommandBus,
    private readonly records: RecordsService,
  ) {}

  /**
   * The names of the people a page lists, by the lookup `GET /v1/audit/subjects` makes for the audit
   * purpose (none for a reader the agreement does not let use the audit tools), recorded before the
   * page is sent; its record's id joins the page's X-Disclosure-Id.
   */
  private async namesOf(
    principal: Principal,
    ids: readonly string[],
    request: HttpRequest,
    response: HttpResponse,
  ): Promise<SubjectNames> {
    const { names, disclosureId } = await this.searches.names(ids, principal, request);
    const earlier = response.getHeader('X-Disclosure-Id');
    if (disclosureId !== null)
      response.header('X-Disclosure-Id', earlier ? `${String(earlier)}, ${disclosureId}` : disclosureId);
    return names;
  }

  @Get()
  async console(
    @CurrentPrincipal() principal: Principal,
    @Query('reviewed') reviewed: string | undefined,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<string> {
    requireIgLead(principal);
    const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString();
    const [verification, awaiting, recent, refusals, lastWeek] = await Promise.all([
      this.audit.verify(),
      this.reviews.queue('awaiting-review'),
      this.reviews.reviewed(10),
      this.audit.store.query({ outcome: 'refused', limit: 10 }),
      this.audit.store.query({ from: weekAgo, limit: 100_000 }),
    ]);
    const notice =
      reviewed === 'approved'
        ? 'The claim was approved.'
        : reviewed === 'flagged'
          ? 'The claim was flagged for follow-up.'
          : null;
    const names = await this.namesOf(
      principal,
      [...awaiting, ...recent].map((claim) => claim.subjectId).concat(refusals.flatMap(subjectIdsOf)),
      request,
      response,
    );
    response.type('text/html; charset=utf-8');
    return igPage({
      principal,
      csrf: csrfToken(request, response),
      verification,
      awaiting,
      reviewed: recent,
      refusals,
      unusual: findUnusualAccess(lastWeek),
      notice,
      names,
    });
  }

  @Get('disclosures')
  async register(
    @CurrentPrincipal() principal: Principal,
    @Query() values: Record<string, string | undefined>,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<string> {
    requireIgLead(principal);
    const filter = registerFilterOf(values);
    const before = values.before ? Number(values.before) : undefined;
    if (before !== undefined && (!Number.isInteger(before) || before < 1))
      throw invalid('before must be a positive integer');
    const records = await this.disclosures.query(toAuditQuery(filter, before));
    const last = records[records.length - 1];
    // A row listing more than three people shows a count, not them.
    const listed = records.map(subjectIdsOf).filter((ids) => ids.length <= 3);
    const names = await this.namesOf(principal, listed.flat(), request, response);
    response.type('text/html; charset=utf-8');
    return registerPage({
      principal,
      csrf: csrfToken(request, response),
      filter,
      records,
      nextBefore: records.length === REGISTER_PAGE && last ? last.seq : null,
      names,
    });
  }

  @Post('break-glass/:eventId/review')
  @Redirect()
  async review(
    @CurrentPrincipal() principal: Principal,
    @Param('eventId') eventId: string,
    @CheckedForm() form: Record<string, unknown>,
    @RequestId() requestId: string | null,
  ): Promise<Redirection> {
    requireIgLead(principal);
    // The same use case as the API: who may review, and what a review needs, are decided there.
    const done = await this.commands.execute<ReviewBreakGlassCommand, BreakGlassReviewed>(
      new ReviewBreakGlassCommand(principal, eventId, form.outcome, form.note, requestId ?? undefined),
    );
    await shownOnceApplied(this.runner, done.position);
    return seeOther(`/app/ig?reviewed=${done.outcome}#break-glass`);
  }

  /** The review queue and restrictions of the IG lead's agency: the same use case as /v1/audit/reviews. */
  @Get('records')
  async recordsManagement(
    @CurrentPrincipal() principal: Principal,
    @Query('done') done: string | undefined,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<string> {
    requireIgLead(principal);
    const requester = this.requesterOf(principal, request);
    const { today, reviews } = await this.records.queue(requester, new Date());
    const restrictions = await this.records.restrictions(requester);
    const names = await this.namesOf(
      principal,
      [...reviews, ...restrictions].map((row) => row.subjectId),
      request,
      response,
    );
    response.type('text/html; charset=utf-8');
    return recordsPage({
      principal,
      csrf: csrfToken(request, response),
      today,
      reviews,
      restrictions,
      notice: RECORDS_NOTICES[done ?? ''] ?? null,
      names,
    });
  }

  @Post('reviews/:subjectId/retain')
  @Redirect()
  async retain(
    @CurrentPrincipal() principal: Principal,
    @Param('subjectId') subjectId: string,
    @CheckedForm() form: Record<string, unknown>,
    @RequestId() requestId: string | null,
  ): Promise<Redirection> {
    requireIgLead(principal);
    const done = await this.records.retain(
      { principal, requestId: requestId ?? undefined },
      subjectIdParam(subjectId),
      { category: form.category, reason: form.reason, nextReview: form.nextReview },
      new Date(),
    );
    await shownOnceApplied(this.runner, done.position);
    return seeOther('/app/ig/records?done=retained#reviews');
  }

  @Post('reviews/:subjectId/erase')
  @Redirect()
  async erase(
    @CurrentPrincipal() principal: Principal,
    @Param('subjectId') subjectId: string,
    @CheckedForm() form: Record<string, unknown>,
    @RequestId() requestId: string | null,
  ): Promise<Redirection> {
    requireIgLead(principal);
    const done = await this.records.erase(
      { principal, requestId: requestId ?? undefined },
      subjectIdParam(subjectId),
      { category: form.category, reason: form.reason, decisionRef: form.decisionRef },
    );
    await shownOnceApplied(this.runner, done.position);
    return seeOther('/app/ig/records?done=erased#reviews');
  }

  @Post('restrictions')
  @Redirect()
  async restrict(
    @CurrentPrincipal() principal: Principal,
    @CheckedForm() form: Record<string, unknown>,
    @RequestId() requestId: string | null,
  ): Promise<Redirection> {
    requireIgLead(principal);
    const done = await this.records.restrict(
      { principal, requestId: requestId ?? undefined },
      subjectIdParam(typeof form.subjectId === 'string' ? form.subjectId.trim() : ''),
      {
        categories: listOf(form.categories),
        purposes: listOf(form.purposes),
        reason: form.reason,
        legalBasis: form.legalBasis,
      },
    );
    await shownOnceApplied(this.runner, done.position);
    return seeOther('/app/ig/records?done=restricted#restrictions');
  }

  @Post('restrictions/:subjectId/:restrictionId/lift')
  @Redirect()
  async lift(
    @CurrentPrincipal() principal: Principal,
    @Param('subjectId') subjectId: string,
    @Param('restrictionId') restrictionId: string,
    @CheckedForm() form: Record<string, unknown>,
    @RequestId() requestId: string | null,
  ): Promise<Redirection> {
    requireIgLead(principal);
    const done = await this.records.lift(
      { principal, requestId: requestId ?? undefined },
      subjectIdParam(subjectId),
      restrictionId,
      { reason: form.reason },
    );
    await shownOnceApplied(this.runner, done.position);
    return seeOther('/app/ig/records?done=lifted#restrictions');
  }

  private requesterOf(principal: Principal, request: HttpRequest) {
    return { principal, requestId: typeof request.id === 'string' ? request.id : undefined };
  }

  /** The same search as GET /v1/audit/subjects, recorded the same way, leading to the export. */
  @Get('subjects')
  async findSubject(
    @CurrentPrincipal() principal: Principal,
    @Query() values: Record<string, string | undefined>,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<string> {
    requireIgLead(principal);
    const text = (name: string): string | null => values[name]?.trim().slice(0, 100) || null;
    const form: SubjectSearchForm = {
      identifier: text('identifier'),
      familyName: text('familyName'),
      givenName: text('givenName'),
      dateOfBirth: text('dateOfBirth'),
    };
    let found = null;
    // The empty form asks for nothing, so nothing is searched for or recorded.
    if (Object.values(form).some((value) => value !== null)) {
      const parsed = parseSubjectSearch(values, principal.agency);
      if (!parsed.ok) throw invalid(parsed.reason);
      const done = await this.searches.search(
        parsed.search,
        'subject-access',
        requesterOf(principal, request),
      );
      response.header('X-Disclosure-Id', done.disclosureId);
      found = done.found;
    }
    response.type('text/html; charset=utf-8');
    return subjectSearchPage({ principal, csrf: csrfToken(request, response), form, found });
  }

  /** The same JSON as GET /v1/subjects/{id}/access-export, from the same use case. */
  @Get('access-export')
  async accessExport(
    @CurrentPrincipal() principal: Principal,
    @Query('subjectId') rawId: string | undefined,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<unknown> {
    requireIgLead(principal);
    const subjectId = (rawId ?? '').trim();
    if (!isPartnershipId(subjectId)) {
      throw new ProblemException(
        400,
        'invalid-subject-id',
        'Invalid subject id',
        'subjectId must be a partnership id (UUID)',
      );
    }
    const done = await this.access.export(subjectId.toLowerCase(), requesterOf(principal, request));
    if (!done)
      throw new ProblemException(404, 'subject-not-found', 'Subject not found', 'No subject with this id');
    const { exported, disclosureId } = done;
    response.header('X-Disclosure-Id', disclosureId);
    response.header(
      'Content-Disposition',
      `attachment; filename="subject-access-${exported.subjectId}.json"`,
    );
    response.type('application/json');
    return exported;
  }
}

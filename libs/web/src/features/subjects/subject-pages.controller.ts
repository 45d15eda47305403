import { Controller, Get, Param, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@throughline/auth';
import { type HttpRequest, type HttpResponse, ProblemException } from '@throughline/platform';
import {
  type Audited,
  type DisclosedSubject,
  GetSubjectQuery,
  GetTimelineQuery,
  ListSubjectsQuery,
  parseListPage,
  readerOf,
  requireTimelineFilter,
  type ServedRecord,
  type SubjectList,
  type TimelinePage,
} from '@throughline/subjects';
import { WebExceptionFilter } from '../../html/web-exception.filter';
import { csrfToken } from '../../session/csrf';
import { requirePractitioner, WebSessionGuard } from '../../session/web-session.guard';
import { listFilterOf, purposeOf, subjectFilterOf, subjectIdOf } from './subject-query';
import { subjectListPage } from './subject-list.page';
import { subjectPage } from './subject.page';
import { TIMELINE_PAGE, timelinePage } from './timeline.page';

/** Family name, then given name; people whose name is not shared come last. */
const byName = (a: ServedRecord, b: ServedRecord): number =>
  !a.identity || !b.identity
    ? Number(!a.identity) - Number(!b.identity)
    : a.identity.familyName.localeCompare(b.identity.familyName) ||
      a.identity.givenName.localeCompare(b.identity.givenName);

/**
 * The practitioner's pages. Everything shown is what the API's queries answer for the signed-in
 * principal and the stated purpose, recorded by them as the API's reads are.
 */
@ApiExcludeController()
@Controller('app/subjects')
@UseGuards(WebSessionGuard)
@UseFilters(WebExceptionFilter)
export class SubjectPagesController {
  constructor(private readonly queries: QueryBus) {}

  /** The read's answer; its disclosure record's id goes out in X-Disclosure-Id. */
  private answer<T>(response: HttpResponse, { result, disclosureId }: Audited<T>): T {
    response.header('X-Disclosure-Id', disclosureId);
    return result;
  }

  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() values: Record<string, string | undefined>,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<string> {
    requirePractitioner(principal);
    const purpose = purposeOf(values.purpose);
    const filter = listFilterOf(values);
    // The caseload a page at a time, as GET /v1/subjects pages it; each page names its own subjects.
    const listPage = parseListPage({ cursor: values.cursor === '' ? undefined : values.cursor });
    const list = this.answer(
      response,
      await this.queries.execute<ListSubjectsQuery, Audited<SubjectList>>(
        new ListSubjectsQuery(readerOf(principal, purpose, request), subjectFilterOf(filter), listPage),
      ),
    );
    const records = list.disclosed.map((subject) => subject.record).sort(byName);
    response.type('text/html; charset=utf-8');
    return subjectListPage({
      principal,
      csrf: csrfToken(request, response),
      purpose,
      filter,
      records,
      nextCursor: list.nextCursor,
      paged: listPage.after !== undefined,
    });
  }

  @Get(':subjectId')
  async view(
    @CurrentPrincipal() principal: Principal,
    @Param('subjectId') rawId: string,
    @Query() values: Record<string, string | undefined>,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<string> {
    requirePractitioner(principal);
    const purpose = purposeOf(values.purpose);
    const subjectId = subjectIdOf(rawId);
    const { result: subject, disclosureId } = await this.queries.execute<
      GetSubjectQuery,
      Audited<DisclosedSubject>
    >(new GetSubjectQuery(readerOf(principal, purpose, request), subjectId));
    response.header('X-Disclosure-Id', disclosureId);
    response.type('text/html; charset=utf-8');
    return subjectPage({
      principal,
      csrf: csrfToken(request, response),
      purpose,
      subject,
      disclosureId,
    });
  }

  @Get(':subjectId/timeline')
  async timeline(
    @CurrentPrincipal() principal: Principal,
    @Param('subjectId') rawId: string,
    @Query() values: Record<string, string | undefined>,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<string> {
    requirePractitioner(principal);
    const purpose = purposeOf(values.purpose);
    const subjectId = subjectIdOf(rawId);
    const before = values.before === undefined || values.before === '' ? undefined : Number(values.before);
    if (before !== undefined && (!Number.isInteger(before) || before < 1)) {
      throw new ProblemException(
        400,
        'invalid-query',
        'Invalid query parameter',
        'before must be a positive integer',
      );
    }
    // The API's filter rule: a value that names nothing is a 400 page saying which and why.
    const filter = requireTimelineFilter({
      category: values.category,
      agency: values.agency,
      type: values.type,
    });
    const page = this.answer(
      response,
      await this.queries.execute<GetTimelineQuery, Audited<TimelinePage>>(
        new GetTimelineQuery(
          readerOf(principal, purpose, request),
          subjectId,
          before,
          TIMELINE_PAGE,
          filter,
          true,
        ),
      ),
    );
    response.type('text/html; charset=utf-8');
    return timelinePage({
      principal,
      csrf: csrfToken(request, response),
      purpose,
      subjectId,
      filter,
      summary: page.summary ?? { categories: [], agencies: [], types: [], matching: page.disclosed.length },
      entries: page.disclosed,
      nextBefore: page.nextBefore,
    });
  }
}

import { Controller, Get, Headers, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AuthGuard, CurrentPrincipal, type Principal, requirePurpose } from '@throughline/auth';
import { type HttpRequest, type HttpResponse, ProblemException, weakEtag } from '@throughline/platform';
import { type Audited, readerOf } from './audited-read/audited-read';
import { GetSubjectQuery } from './get-subject/get-subject.query';
import { AGENCY_ID_PATTERN, DATA_CATEGORIES, EVENT_TYPES } from '@throughline/domain';
import {
  GetTimelineQuery,
  requireTimelineFilter,
  type TimelinePage,
} from './get-timeline/get-timeline.query';
import {
  ListSubjectsQuery,
  type SubjectList,
  type SubjectSummary,
} from './list-subjects/list-subjects.query';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, parseListPage } from './list-subjects/list-page';
import type { DisclosedSubject } from './read-subject/subject-reader';
import { requireSubjectId } from './purpose-of-use';
import { SERVED_RECORD_SCHEMA, SUBJECT_LIST_SCHEMA } from './served-record.schema';

const HELD_BACK =
  'subject-quarantined: the record is held back pending repair (an event about the subject could not be applied)';

const PURPOSE_HEADER = {
  name: 'X-Purpose-Of-Use',
  required: true,
  description:
    'case-management, tasking, safeguarding, continuity-of-care, enforcement, audit or subject-access',
};

/** A served record as written once: its JSON and its entity tag. */
interface Written {
  readonly json: string;
  readonly etag: string;
}

/**
 * A cut the reader keeps (per document version, agency and purpose) answers many reads: its JSON is
 * written once for it, as its disclosure summary is (subjectDisclosure), and so is its entity tag,
 * rather than hashing the same body on every read.
 */
const written = new WeakMap<DisclosedSubject, Written>();

const writtenOf = (subject: DisclosedSubject): Written => {
  let known = written.get(subject);
  if (known === undefined) {
    const json = JSON.stringify(subject.record);
    known = { json, etag: weakEtag(json) };
    written.set(subject, known);
  }
  return known;
};

const optionalInt = (raw: string | undefined, name: string, min: number, max: number): number | undefined => {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ProblemException(
      400,
      'invalid-query',
      'Invalid query parameter',
      `${name} must be an integer from ${min} to ${max}`,
    );
  }
  return value;
};

const optionalBoolean = (raw: string | undefined, name: string): boolean | undefined => {
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new ProblemException(
    400,
    'invalid-query',
    'Invalid query parameter',
    `${name} must be true or false`,
  );
};

@ApiTags('subjects')
@ApiBearerAuth()
@ApiHeader(PURPOSE_HEADER)
@Controller('v1/subjects')
@UseGuards(AuthGuard)
export class SubjectsController {
  constructor(private readonly queries: QueryBus) {}

  /** The read's answer, its disclosure record's id going out in X-Disclosure-Id. */
  private answer<T>(response: HttpResponse, { result, disclosureId }: Audited<T>): T {
    response.header('X-Disclosure-Id', disclosureId);
    return result;
  }

  @Get()
  @ApiOperation({
    summary: 'The subjects your agency works with',
    description:
      'Your caseload: subjects your agency is key worker for, referred, or published any event about, a page at a time in subject-id order. `scope=partnership` lists every subject your agency holds a view of, where the agreement allows your agency and role (else 403 list-scope).',
  })
  @ApiOkResponse({ description: 'The subjects your agency works with', schema: SUBJECT_LIST_SCHEMA })
  @ApiQuery({ name: 'scope', required: false, enum: ['caseload', 'partnership'] })
  @ApiQuery({
    name: 'limit',
    required: false,
    type: Number,
    description: `1-${MAX_LIST_LIMIT}, default ${DEFAULT_LIST_LIMIT}`,
  })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'band', required: false, enum: ['red', 'amber', 'green'] })
  @ApiQuery({ name: 'cohortClass', required: false })
  @ApiQuery({ name: 'inCustody', required: false, type: Boolean })
  @ApiQuery({ name: 'q', required: false, description: 'Name or identifier contains' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purposeHeader: string | undefined,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
    @Query('band') band?: string,
    @Query('cohortClass') cohortClass?: string,
    @Query('inCustody') inCustody?: string,
    @Query('q') q?: string,
    @Query('scope') scope?: unknown,
    @Query('limit') limit?: unknown,
    @Query('cursor') cursor?: unknown,
  ): Promise<{ subjects: SubjectSummary[]; nextCursor: string | null; heldBack?: number }> {
    const purpose = requirePurpose(purposeHeader);
    const page = parseListPage({ scope, limit, cursor });
    if (band !== undefined && !['red', 'amber', 'green'].includes(band)) {
      throw new ProblemException(
        400,
        'invalid-query',
        'Invalid query parameter',
        'band must be red, amber or green',
      );
    }
    const filter = {
      ...(band ? { band } : {}),
      ...(cohortClass ? { cohortClass } : {}),
      ...(q ? { q: q.slice(0, 100) } : {}),
      inCustody: optionalBoolean(inCustody, 'inCustody'),
    };
    const list = this.answer(
      response,
      await this.queries.execute<ListSubjectsQuery, Audited<SubjectList>>(
        new ListSubjectsQuery(readerOf(principal, purpose, request), filter, page),
      ),
    );
    // Only a count: which subjects are held back is for the partnership admin.
    return {
      subjects: [...list.subjects],
      nextCursor: list.nextCursor,
      ...(list.heldBack > 0 ? { heldBack: list.heldBack } : {}),
    };
  }

  @Get(':subjectId')
  @ApiOperation({ summary: "Your agency's view of the subject" })
  @ApiOkResponse({
    description: 'The subject record cut to what your agency may see',
    schema: SERVED_RECORD_SCHEMA,
  })
  @ApiServiceUnavailableResponse({ description: HELD_BACK })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purposeHeader: string | undefined,
    @Param('subjectId') rawId: string,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<string> {
    const purpose = requirePurpose(purposeHeader);
    const subjectId = requireSubjectId(rawId);
    const subject = this.answer(
      response,
      await this.queries.execute<GetSubjectQuery, Audited<DisclosedSubject>>(
        new GetSubjectQuery(readerOf(principal, purpose, request), subjectId),
      ),
    );
    // The record, already written as JSON (a ServedRecord), with its entity tag.
    const { json, etag } = writtenOf(subject);
    response.type('application/json').header('ETag', etag);
    return json;
  }

  @Get(':subjectId/timeline')
  @ApiOperation({
    summary: 'The events your agency may see, newest first by when they happened (event time)',
  })
  @ApiServiceUnavailableResponse({ description: HELD_BACK })
  @ApiQuery({
    name: 'before',
    required: false,
    type: Number,
    description: 'nextBefore of the previous page: the page continues after that entry',
  })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1-200, default 50' })
  @ApiQuery({
    name: 'category',
    required: false,
    enum: DATA_CATEGORIES,
    description: 'Only entries of this data category',
  })
  @ApiQuery({
    name: 'agency',
    required: false,
    schema: { type: 'string', pattern: AGENCY_ID_PATTERN.source },
    description: 'Only entries this agency published (an agency id)',
  })
  @ApiQuery({
    name: 'type',
    required: false,
    enum: EVENT_TYPES,
    description:
      'Only entries of this event type. The filters combine (each given must match); a value that names nothing is a 400, and a filter that matches nothing an empty page',
  })
  async timeline(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-purpose-of-use') purposeHeader: string | undefined,
    @Param('subjectId') rawId: string,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
    @Query('before') before?: string,
    @Query('limit') limit?: string,
    @Query('category') category?: string,
    @Query('agency') agency?: string,
    @Query('type') type?: string,
  ): Promise<Omit<TimelinePage, 'disclosed'>> {
    const purpose = requirePurpose(purposeHeader);
    const subjectId = requireSubjectId(rawId);
    const query = new GetTimelineQuery(
      readerOf(principal, purpose, request),
      subjectId,
      optionalInt(before, 'before', 1, Number.MAX_SAFE_INTEGER),
      optionalInt(limit, 'limit', 1, 200) ?? 50,
      requireTimelineFilter({ category, agency, type }),
    );
    const { disclosed: _disclosed, ...page } = this.answer(
      response,
      await this.queries.execute<GetTimelineQuery, Audited<TimelinePage>>(query),
    );
    return page;
  }
}

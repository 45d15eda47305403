import { Controller, Get, Param, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, type Principal } from '@throughline/auth';
import { ProblemException } from '@throughline/platform';
import { type ServedRecord, SubjectReader } from '@throughline/subjects';
import { PageAudit } from '../../disclosure/page-audit';
import { LIST_FIELDS, subjectDisclosure, subjectDisclosureInStretches } from '@throughline/subjects';
import { WebExceptionFilter } from '../../html/web-exception.filter';
import { csrfToken } from '../../session/csrf';
import { requirePractitioner, WebSessionGuard } from '../../session/web-session.guard';
import { listFilterOf, matchesFilter, purposeOf, subjectIdOf, subjectNotFound } from './subject-query';
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
 * The practitioner's pages. Everything shown comes from SubjectReader for the signed-in principal
 * and the stated purpose, the API's one read path, and each view is recorded as the API records it.
 */
@ApiExcludeController()
@Controller('app/subjects')
@UseGuards(WebSessionGuard)
@UseFilters(WebExceptionFilter)
export class SubjectPagesController {
  constructor(
    private readonly reader: SubjectReader,
    private readonly pageAudit: PageAudit,
  ) {}

  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() values: Record<string, string | undefined>,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    requirePractitioner(principal);
    const purpose = purposeOf(values.purpose);
    const filter = listFilterOf(values);
    const context = { principal, purpose, request, response };
    const records = await this.pageAudit.recorded(context, 'subject.list', null, async () => {
      const disclosed = (await this.reader.readAll(principal, purpose)).filter((subject) =>
        matchesFilter(subject.record, filter),
      );
      return {
        result: disclosed.map((subject) => subject.record).sort(byName),
        subjects: disclosed.map((subject) =>
          subjectDisclosure(subject.subjectId, subject.entries, {
            onlyCategories: Object.keys(LIST_FIELDS),
            fields: LIST_FIELDS,
            withEvents: false,
          }),
        ),
        agreementVersion: disclosed[0]?.agreementVersion ?? null,
      };
    });
    response.type('html');
    return subjectListPage({ principal, csrf: csrfToken(request, response), purpose, filter, records });
  }

  @Get(':subjectId')
  async view(
    @CurrentPrincipal() principal: Principal,
    @Param('subjectId') rawId: string,
    @Query() values: Record<string, string | undefined>,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    requirePractitioner(principal);
    const purpose = purposeOf(values.purpose);
    const subjectId = subjectIdOf(rawId);
    const context = { principal, purpose, request, response };
    const subject = await this.pageAudit.recorded(context, 'subject.view', subjectId, async () => {
      const read = await this.reader.read(principal, subjectId, purpose);
      if (!read) throw subjectNotFound();
      return {
        result: read,
        subjects: [await subjectDisclosureInStretches(subjectId, read.entries)],
        agreementVersion: read.agreementVersion,
      };
    });
    const disclosureId = response.getHeader('X-Disclosure-Id');
    response.type('html');
    return subjectPage({
      principal,
      csrf: csrfToken(request, response),
      purpose,
      subject,
      disclosureId: typeof disclosureId === 'string' ? disclosureId : null,
    });
  }

  @Get(':subjectId/timeline')
  async timeline(
    @CurrentPrincipal() principal: Principal,
    @Param('subjectId') rawId: string,
    @Query() values: Record<string, string | undefined>,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
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
    const context = { principal, purpose, request, response };
    const shown = await this.pageAudit.recorded(context, 'subject.timeline', subjectId, async () => {
      const read = await this.reader.read(principal, subjectId, purpose);
      if (!read) throw subjectNotFound();
      const newestFirst = read.entries
        .filter(({ entry }) => before === undefined || entry.position < before)
        .sort((a, b) => b.entry.position - a.entry.position);
      const entries = newestFirst.slice(0, TIMELINE_PAGE);
      const last = entries[entries.length - 1];
      // The page heading names the person, so the identity entries behind the name are disclosed too.
      const identity = read.entries.filter(
        (disclosed) => disclosed.entry.meta.category === 'identity' && !entries.includes(disclosed),
      );
      return {
        result: {
          record: read.record,
          entries,
          nextBefore: newestFirst.length > TIMELINE_PAGE && last ? last.entry.position : null,
        },
        subjects: [subjectDisclosure(subjectId, [...entries, ...identity])],
        agreementVersion: read.agreementVersion,
      };
    });
    response.type('html');
    return timelinePage({ principal, csrf: csrfToken(request, response), purpose, ...shown });
  }
}

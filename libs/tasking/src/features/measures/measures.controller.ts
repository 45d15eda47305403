import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuthGuard, ViewGuard } from '@throughline/auth';
import { csvLine, type HttpResponse, ProblemException } from '@throughline/platform';
import {
  knownVersion,
  MEASURE_IDS,
  type MeasureId,
  type Measures,
  measuresCsvRows,
  type MethodVersions,
} from '../../domain/measures';
import { MeasuresService } from './measures.service';

const invalid = (detail: string): ProblemException =>
  new ProblemException(400, 'invalid-query', 'Invalid query parameter', detail);

/** `months` (1-60, default 24) and each `method` (`measure:version`, repeatable or comma-separated). */
export function parseMeasuresQuery(query: Readonly<Record<string, string | string[] | undefined>>): {
  readonly months: number;
  readonly versions: MethodVersions;
  readonly csv: boolean;
} {
  const one = (name: string): string | undefined => {
    const value = query[name];
    if (Array.isArray(value)) throw invalid(`${name} may be given once`);
    return value;
  };
  const monthsText = one('months') ?? '24';
  const months = /^\d{1,2}$/.test(monthsText) ? Number(monthsText) : Number.NaN;
  if (!(months >= 1 && months <= 60)) throw invalid('months must be a whole number from 1 to 60');
  const format = one('format') ?? 'json';
  if (format !== 'json' && format !== 'csv') throw invalid('format must be json or csv');
  const methods = [query.method ?? []]
    .flat()
    .flatMap((value) => value.split(','))
    .filter((value) => value !== '');
  const versions: Partial<Record<MeasureId, number>> = {};
  for (const asked of methods) {
    const [measure, version] = asked.split(':');
    if (!(MEASURE_IDS as string[]).includes(measure ?? '') || !/^\d{1,3}$/.test(version ?? ''))
      throw invalid(`method must be measure:version, the measure one of ${MEASURE_IDS.join(', ')}`);
    if (!knownVersion(measure as MeasureId, Number(version)))
      throw invalid(`${measure} has no method version ${version}`);
    versions[measure as MeasureId] = Number(version);
  }
  return { months, versions, csv: format === 'csv' };
}

/**
 * The partnership's measures (domain brief section 8): aggregates naming no one, read by the roles
 * the agreement gives the `aggregates` view for `tasking`. Each figure carries its method's version.
 */
@ApiTags('measures')
@ApiBearerAuth()
@Controller('v1/measures')
@UseGuards(AuthGuard, ViewGuard('aggregates', 'tasking'))
export class MeasuresController {
  constructor(private readonly measures: MeasuresService) {}

  @Get()
  @ApiOperation({
    summary:
      'Cohort, flow, band movement, arrests, custody, treatment, accommodation on release, release to first benefit payment and cost estimates, each with its method and version; CSV with format=csv',
  })
  @ApiQuery({
    name: 'months',
    required: false,
    description: 'whole months ending this month, 1-60, default 24',
  })
  @ApiQuery({
    name: 'method',
    required: false,
    description: 'measure:version for a method other than the latest, e.g. accommodation-on-release:1',
  })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @ApiOkResponse({
    description:
      '{ asOf, window, unitCosts, measures: { <measure>: { method: { version, description }, ... } } }',
  })
  async read(
    @Query() query: Record<string, string | string[] | undefined>,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<Measures | string> {
    const { months, versions, csv } = parseMeasuresQuery(query);
    const measures = await this.measures.measures(new Date(), months, versions);
    if (!csv) return measures;
    response.type('text/csv; charset=utf-8');
    response.header(
      'Content-Disposition',
      `attachment; filename="measures-${measures.asOf.slice(0, 10)}.csv"`,
    );
    return (
      csvLine(['measure', 'version', 'period', 'figure', 'value']) +
      measuresCsvRows(measures).map(csvLine).join('')
    );
  }
}

import { Body, Controller, Headers, HttpCode, Inject, Post, Req, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { AuthGuard, CredentialLimits, CurrentPrincipal, type Principal } from '@throughline/auth';
import {
  type HttpRequest,
  ProblemException,
  THROUGHLINE_CONFIG,
  type ThroughlineConfig,
  TooManyRequestsException,
} from '@throughline/platform';
import { decodeBinaryMode, isBinaryMode } from '../../domain/http-binary';
import { IngestEventsCommand } from './ingest-events.command';
import { IngestRejectedError, type IngestResult } from './ingest-events.service';
import { SubjectCeilingError } from './subject-ceiling';

export const SINGLE = 'application/cloudevents+json';
export const BATCH = 'application/cloudevents-batch+json';

const TITLES = {
  403: 'Not allowed to publish',
  409: 'Conflicts with the record',
  422: 'Invalid events',
} as const;
const SLUGS = { 403: 'publishing-not-allowed', 409: 'identity-conflict', 422: 'invalid-events' } as const;

@ApiTags('events')
@ApiBearerAuth()
@Controller('v1/events')
@UseGuards(AuthGuard)
export class IngestEventsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly limits: CredentialLimits,
    @Inject(THROUGHLINE_CONFIG) private readonly config: ThroughlineConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Publish one CloudEvent (structured or binary mode) or a batch (up to 1000)',
    description:
      'The whole batch is validated before anything is stored. A resubmitted (source, id) returns the original result with duplicate: true.',
  })
  @ApiConsumes(SINGLE, BATCH, 'application/json')
  @ApiBody({
    description:
      'A CloudEvent (structured mode), an array of them (batch mode), or in binary mode the event data as application/json with the attributes in ce- headers (ce-specversion, ce-id, ce-source, ce-type, ce-subject, ce-time)',
  })
  @ApiOkResponse({
    description:
      'Single: {id, subjectId, stream, revision, position, duplicate}. Batch: {results: [...]} in input order.',
  })
  @ApiTooManyRequestsResponse({
    description:
      'Nothing was stored: the credential is over its requests or events a second (rate-limited), or a subject would pass its ceiling of events a day (subject-ceiling, naming the subject id). Retry-After says when to try again.',
  })
  async publish(
    @CurrentPrincipal() principal: Principal,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
    @Req() request: HttpRequest,
  ): Promise<IngestResult | { results: IngestResult[] }> {
    const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
    const binary = isBinaryMode(request.headers);
    if (!binary && mediaType !== SINGLE && mediaType !== BATCH) {
      throw new ProblemException(
        415,
        'unsupported-media-type',
        'Unsupported media type',
        `Send ${SINGLE} for one event (structured mode), ${BATCH} for a batch, or the event's attributes as ce- headers with its data as application/json (binary mode)`,
      );
    }
    if (principal.kind !== 'system') {
      throw new ProblemException(
        403,
        'publishing-not-allowed',
        'Not allowed to publish',
        'Only agency system credentials publish events',
      );
    }
    let decoded = body;
    if (binary) {
      const event = decodeBinaryMode(request.raw.headersDistinct, mediaType, body);
      if (!event.ok) throw new ProblemException(400, 'bad-event', 'Bad event', event.detail);
      decoded = event.event;
    }
    const batch = !binary && mediaType === BATCH;
    if (batch && !Array.isArray(body))
      throw new ProblemException(
        400,
        'bad-batch',
        'Bad batch',
        'A batch must be a JSON array of CloudEvents',
      );
    if (!batch && (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded))) {
      throw new ProblemException(
        400,
        'bad-event',
        'Bad event',
        `${SINGLE} must be one JSON object; send arrays as ${BATCH}`,
      );
    }
    const events = batch ? (body as unknown[]) : [decoded];
    if (events.length === 0)
      throw new ProblemException(400, 'empty-batch', 'Empty batch', 'A batch must hold at least one event');
    if (events.length > this.config.maxBatchSize) {
      throw new ProblemException(
        413,
        'batch-too-large',
        'Batch too large',
        `A batch holds at most ${this.config.maxBatchSize} events; this one has ${events.length}`,
      );
    }
    this.limits.chargeEvents(principal, events.length);
    const publisher = { id: principal.id, agency: principal.agency, sources: principal.sources };
    try {
      const results = await this.commands.execute<IngestEventsCommand, IngestResult[]>(
        new IngestEventsCommand(events, publisher, typeof request.id === 'string' ? request.id : undefined),
      );
      return batch ? { results } : results[0]!;
    } catch (error) {
      if (error instanceof SubjectCeilingError) throw ceilingProblem(error, events.length);
      if (!(error instanceof IngestRejectedError)) throw error;
      const errors = error.issues.map(({ index, field, constraint, message }) => ({
        index,
        field,
        constraint,
        message,
      }));
      const detail = `${new Set(error.issues.map((issue) => issue.index)).size} of ${events.length} event(s) refused; nothing was stored`;
      throw new ProblemException(error.status, SLUGS[error.status], TITLES[error.status], detail, { errors });
    }
  }
}

/** Names the subjects by their partnership ids and the ceiling, never anything about the person. */
function ceilingProblem(error: SubjectCeilingError, batch: number): TooManyRequestsException {
  const subjects = error.refusals.map(({ subjectId, events }) => ({ subjectId, events }));
  const named = subjects.map(({ subjectId }) => subjectId).join(', ');
  return new TooManyRequestsException(
    'subject-ceiling',
    'Subject ceiling reached',
    `Subject ${named} may take at most ${error.ceiling} events a day; none of the ${batch} event(s) was stored`,
    error.retryAfterMs,
    { ceiling: error.ceiling, period: 'P1D', subjects, indexes: error.indexes },
  );
}

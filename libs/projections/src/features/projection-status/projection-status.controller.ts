import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthGuard, CurrentPrincipal, type Principal } from '@throughline/auth';
import { ProblemException } from '@throughline/platform';
import { ProjectionRunner } from '../../runtime/projection-runner';
import type { ProjectionStatus } from '../../runtime/projection-status';

const OPERATORS = new Set(['partnership-admin', 'ig-lead']);

@ApiTags('operations')
@ApiBearerAuth()
@Controller('v1/projections')
@UseGuards(AuthGuard)
export class ProjectionStatusController {
  constructor(private readonly runner: ProjectionRunner) {}

  @Get()
  @ApiOperation({
    summary:
      "Each projection's position in the store, lag behind the log, status, which process advances it and the documents it holds back",
  })
  @ApiOkResponse({
    description:
      '{ projections: [{ name, position, head, lag, status, writer (running-here | running-elsewhere | lease-free | failed), owner, caughtUpOnce, quarantine: { count, total, held: [{ key, eventId, position, type, error, at }] } }] }',
  })
  async list(@CurrentPrincipal() principal: Principal): Promise<{ projections: ProjectionStatus[] }> {
    if (!OPERATORS.has(principal.role)) {
      throw new ProblemException(
        403,
        'forbidden',
        'Forbidden',
        'Projection status is for the partnership-admin role',
      );
    }
    return { projections: await this.runner.status() };
  }
}

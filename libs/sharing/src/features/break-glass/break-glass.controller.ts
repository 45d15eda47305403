import { Body, Controller, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AuthGuard, CurrentPrincipal, type Principal } from '@throughline/auth';
import { isPartnershipId } from '@throughline/domain';
import { type HttpRequest, ProblemException } from '@throughline/platform';
import { malformedClaim } from '../../domain/break-glass';
import { BreakGlassRefusals } from './break-glass-refusals';
import { type BreakGlassGranted, ClaimBreakGlassCommand } from './break-glass.command';
import { BreakGlassRequest } from './break-glass.dto';

@ApiTags('subjects')
@ApiBearerAuth()
@Controller('v1/subjects')
@UseGuards(AuthGuard)
export class BreakGlassController {
  constructor(
    private readonly commands: CommandBus,
    private readonly refusals: BreakGlassRefusals,
  ) {}

  @Post(':subjectId/break-glass')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Claim time-limited emergency access to named categories, with a written justification',
  })
  @ApiCreatedResponse({ description: '{ eventId, subjectId, categories, expiresAt }' })
  @ApiResponse({
    status: 422,
    description:
      'Refused and recorded among the refusals: problem details naming the rule (and the clause for break-glass-never)',
  })
  async claim(
    @CurrentPrincipal() principal: Principal,
    @Param('subjectId') subjectId: string,
    @Body() body: unknown,
    @Req() request: HttpRequest & { id?: unknown },
  ): Promise<BreakGlassGranted> {
    if (!isPartnershipId(subjectId)) {
      throw new ProblemException(
        400,
        'invalid-subject-id',
        'Invalid subject id',
        'subjectId must be a partnership id (UUID)',
      );
    }
    const claim = plainToInstance(BreakGlassRequest, body ?? {});
    const errors = validateSync(claim, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) {
      const issues = errors.flatMap((error) =>
        Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
          field: error.property,
          constraint,
          message,
        })),
      );
      throw await this.refusals.refuse(
        {
          principal,
          action: 'subject.break-glass',
          subjectId: subjectId.toLowerCase(),
          agreementVersion: null,
          requestId: typeof request.id === 'string' ? request.id : undefined,
        },
        malformedClaim(issues),
      );
    }
    return this.commands.execute<ClaimBreakGlassCommand, BreakGlassGranted>(
      new ClaimBreakGlassCommand(
        principal,
        subjectId.toLowerCase(),
        claim,
        typeof request.id === 'string' ? request.id : undefined,
      ),
    );
  }
}

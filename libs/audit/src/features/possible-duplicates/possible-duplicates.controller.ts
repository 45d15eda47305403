import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Injectable,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  type AuthenticatedRequest,
  AuthGuard,
  CurrentPrincipal,
  type Principal,
  RoleGate,
} from '@throughline/auth';
import type { PossibleDuplicate } from '../../domain/possible-duplicates';
import { requesterOf } from '../subject-access/subject-access.service';
import { PossibleDuplicatesService } from './possible-duplicates.service';

/** The identity tools are read for `audit` by the roles the agreement lets read them; after AuthGuard. */
@Injectable()
export class IdentityToolsGuard implements CanActivate {
  constructor(private readonly roles: RoleGate) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) return false;
    await this.roles.require(principal, 'identity', 'audit');
    return true;
  }
}

@ApiTags('identity')
@ApiBearerAuth()
@Controller('v1/identity/possible-duplicates')
@UseGuards(AuthGuard, IdentityToolsGuard)
export class PossibleDuplicatesController {
  constructor(private readonly duplicates: PossibleDuplicatesService) {}

  @Get()
  @ApiOperation({
    summary:
      'Pairs of records that may be one person (same name and date of birth, or an identifier value in common), for the partnership admin to merge; recorded as a disclosure',
  })
  @ApiOkResponse({
    description:
      '{ duplicates: [{ reasons: ["identifier" | "name-and-birth"], records: [{ subjectId, givenName, familyName, dateOfBirth, identifiers }, {...}] }] }; X-Disclosure-Id names the audit record',
  })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request & { id?: unknown },
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ duplicates: readonly PossibleDuplicate[] }> {
    const { duplicates, disclosureId } = await this.duplicates.list(requesterOf(principal, request));
    response.setHeader('X-Disclosure-Id', disclosureId);
    return { duplicates };
  }
}

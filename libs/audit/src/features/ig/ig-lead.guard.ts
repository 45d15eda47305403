import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthenticatedRequest } from '@throughline/auth';
import { ProblemException } from '@throughline/platform';

export const IG_ROLES: ReadonlySet<string> = new Set(['ig-lead']);

/** The audit tools are for information-governance leads; runs after AuthGuard. */
@Injectable()
export class IgLeadGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (principal && principal.kind === 'person' && IG_ROLES.has(principal.role)) return true;
    throw new ProblemException(
      403,
      'not-ig-lead',
      'Not an information-governance lead',
      'The audit tools are for the ig-lead role',
    );
  }
}

import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { type AuthenticatedRequest, RoleGate } from '@throughline/auth';

/**
 * The audit tools are read for the `audit` purpose by the roles the agreement lets read them (the
 * IG lead); runs after AuthGuard. The purpose is the route's own, so none is stated.
 */
@Injectable()
export class IgLeadGuard implements CanActivate {
  constructor(private readonly roles: RoleGate) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) return false;
    await this.roles.require(principal, 'audit', 'audit');
    return true;
  }
}

/** Subject access exports are read for `subject-access` by the roles the agreement names; after AuthGuard. */
@Injectable()
export class SubjectAccessGuard implements CanActivate {
  constructor(private readonly roles: RoleGate) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) return false;
    await this.roles.require(principal, 'subject-access', 'subject-access');
    return true;
  }
}

import { type CanActivate, type ExecutionContext, Injectable, mixin, type Type } from '@nestjs/common';
import { type AuthenticatedRequest, RoleGate } from '@throughline/auth';
import type { PurposeOfUse, View } from '@throughline/domain';

/**
 * A guard letting through the roles the agreement lets read `view` for `purpose`; runs after
 * AuthGuard. The purpose is the route's own, so none is stated. A refusal is recorded where every
 * refusal is.
 */
export function ViewGuard(view: View, purpose: PurposeOfUse): Type<CanActivate> {
  @Injectable()
  class RoleViewGuard implements CanActivate {
    constructor(private readonly roles: RoleGate) {}

    async canActivate(context: ExecutionContext): Promise<boolean> {
      const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
      if (!principal) return false;
      await this.roles.require(principal, view, purpose);
      return true;
    }
  }
  return mixin(RoleViewGuard);
}

/** The audit tools, read for `audit` by the roles the agreement names (the IG lead). */
export const IgLeadGuard = ViewGuard('audit', 'audit');

/** Subject access exports, read for `subject-access` by the roles the agreement names. */
export const SubjectAccessGuard = ViewGuard('subject-access', 'subject-access');

/** The identity tools (records that may be one person), read for `audit` by the roles the agreement names. */
export const IdentityToolsGuard = ViewGuard('identity', 'audit');

import { type CanActivate, type ExecutionContext, Injectable, mixin, type Type } from '@nestjs/common';
import type { PurposeOfUse, View } from '@throughline/domain';
import type { AuthenticatedRequest } from './auth.guard';
import { RoleGate } from './role-gate';

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

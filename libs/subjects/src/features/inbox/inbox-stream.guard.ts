import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { type AuthenticatedRequest, requirePurpose, RoleGate } from '@throughline/auth';

/**
 * The role rule for a stream, before it opens: once an event stream has answered 200 a refusal can
 * only be an event in it, so the purpose and the agreement's role rule are decided here, behind
 * AuthGuard, and a role that reads no subjects for the purpose gets its 403 (recorded as every
 * refusal is) instead of a stream. Each push is still gated again by the audited read.
 */
@Injectable()
export class InboxStreamGuard implements CanActivate {
  constructor(private readonly roles: RoleGate) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const { principal } = request;
    if (!principal) return false;
    const header = request.headers['x-purpose-of-use'];
    await this.roles.require(
      principal,
      'subjects',
      requirePurpose(typeof header === 'string' ? header : undefined),
    );
    return true;
  }
}

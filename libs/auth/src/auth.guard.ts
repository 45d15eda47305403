import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { CHECKS_QUERY_STRING, type HttpRequest, ProblemException } from '@throughline/platform';
import { Admission } from './admission';
import { KnownAgencies } from './known-agencies';
import type { Principal } from './principal';
import { InvalidTokenError, TokenService } from './token.service';

export interface AuthenticatedRequest extends HttpRequest {
  /** Set once the token verified and names an agency of the partnership. */
  principal?: Principal;
  /**
   * Who the verified token names, accepted or not: a token that verified is a principal whose
   * refusals are recorded, even one naming no known agency.
   */
  verified?: Principal;
}

/**
 * Authenticates the bearer token, then admits the request (charges the credential, applies the query
 * string rule: see Admission); what the principal may see is decided later, per subject.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  static readonly [CHECKS_QUERY_STRING] = true;

  constructor(
    private readonly tokens: TokenService,
    private readonly agencies: KnownAgencies,
    private readonly admission: Admission,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header) throw unauthenticated('No bearer token was sent (Authorization: Bearer <token>)');
    const [scheme, token] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw unauthenticated('The Authorization header must be "Bearer <token>"');
    }
    let principal: Principal;
    try {
      principal = await this.tokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw unauthenticated(error.message);
      throw error;
    }
    request.verified = principal;
    if (!(await this.agencies.isKnown(principal.agency))) {
      throw new ProblemException(
        401,
        'unknown-agency',
        'Unknown agency',
        'The token names no agency of this partnership',
        { rule: 'unknown-agency' },
      );
    }
    this.admission.admit(request, principal);
    return true;
  }
}

const unauthenticated = (detail: string): ProblemException =>
  new ProblemException(401, 'unauthenticated', 'Authentication required', detail);

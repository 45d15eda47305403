import { Injectable } from '@nestjs/common';
import { checkQueryString } from '@throughline/platform';
import type { AuthenticatedRequest } from './auth.guard';
import { CredentialLimits } from './credential-limits';
import type { Principal } from './principal';

/**
 * What a request goes through as soon as a guard has authenticated it: the principal is set on the
 * request, the credential is charged a request (decision 0010), and the query string rule is
 * applied, after authentication so that a refusal is recorded with the principal (decision 0011).
 * The guards that authenticate (AuthGuard for the API, the web pages' session guard) call it and
 * carry CHECKS_QUERY_STRING, so the global QueryStringGuard leaves their routes to them. Only
 * authenticated requests are charged; one a later guard refuses has been charged all the same.
 */
@Injectable()
export class Admission {
  constructor(private readonly limits: CredentialLimits) {}

  admit(request: AuthenticatedRequest, principal: Principal): void {
    request.principal = principal;
    this.limits.chargeRequest(principal, request.headers.authorization);
    checkQueryString(request.query);
  }
}

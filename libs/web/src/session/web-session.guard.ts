import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import {
  Admission,
  type AuthenticatedRequest,
  InvalidTokenError,
  KnownAgencies,
  type Principal,
  RoleGate,
} from '@throughline/auth';
import { isPurposeOfUse, type PurposeOfUse, type View } from '@throughline/domain';
import { CHECKS_QUERY_STRING, pathOf, ProblemException } from '@throughline/platform';
import { DEFAULT_PURPOSE } from '../features/subjects/subject-query';
import { CHAIR_ROLE, IG_ROLE } from './personas';
import { WebSessions } from './web-sessions';

/**
 * Authenticates a page request from the session cookie (WebSessions: a sealed OpenID Connect
 * session, or in embedded mode a token the same TokenService checks as for the API), then applies
 * the agreement's agency and role rules on every request, not only at sign-in.
 */
@Injectable()
export class WebSessionGuard implements CanActivate {
  static readonly [CHECKS_QUERY_STRING] = true;

  constructor(
    private readonly sessions: WebSessions,
    private readonly agencies: KnownAgencies,
    private readonly roles: RoleGate,
    private readonly admission: Admission,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    let principal: Principal;
    try {
      const session = await this.sessions.read(request);
      if (!session) throw signInRequired('Sign in to continue');
      principal = session.principal;
    } catch (error) {
      if (error instanceof InvalidTokenError)
        throw signInRequired(`Sign in again: ${error.message.toLowerCase()}`);
      throw error;
    }
    request.verified = principal;
    if (!(await this.agencies.isKnown(principal.agency)))
      throw new ProblemException(
        401,
        'unknown-agency',
        'Unknown agency',
        'The session names no agency of this partnership',
        {
          rule: 'unknown-agency',
        },
      );
    if (principal.kind !== 'person') {
      throw new ProblemException(403, 'not-a-person', 'Pages are for people', 'Agency systems use the API');
    }
    this.admission.admit(request, principal);
    const page = pageView(pathOf(request), request.query as Record<string, unknown>);
    if (page) await this.roles.require(principal, page.view, page.purpose);
    return true;
  }
}

/**
 * What a page area reads, as the API route beside it does, so the agreement's role rule decides
 * pages too. An unknown purpose is left to the page, which refuses it as a bad request.
 */
function pageView(
  path: string,
  query: Record<string, unknown>,
): { view: View; purpose: PurposeOfUse } | null {
  // The inbox lists what people on the caseload went through: a read of subjects, as the list is.
  if (
    path === '/app/subjects' ||
    path.startsWith('/app/subjects/') ||
    path === '/app/inbox' ||
    path.startsWith('/app/inbox/')
  ) {
    const stated =
      typeof query.purpose === 'string' && query.purpose !== '' ? query.purpose : DEFAULT_PURPOSE;
    return isPurposeOfUse(stated) ? { view: 'subjects', purpose: stated } : null;
  }
  if (path === '/app/board' || path.startsWith('/app/board/')) return { view: 'tasking', purpose: 'tasking' };
  if (path === '/app/meetings' || path.startsWith('/app/meetings/'))
    return { view: 'tasking', purpose: 'tasking' };
  if (path === '/app/ig/access-export') return { view: 'subject-access', purpose: 'subject-access' };
  if (path === '/app/ig' || path.startsWith('/app/ig/')) return { view: 'audit', purpose: 'audit' };
  return null;
}

const signInRequired = (detail: string): ProblemException =>
  new ProblemException(401, 'unauthenticated', 'Sign in required', detail);

/** Roles that read subjects as practitioners; the chair sees the board, IG the audit tools. */
const isPractitioner = (principal: Principal): boolean =>
  principal.role !== CHAIR_ROLE && principal.role !== IG_ROLE;

export function requirePractitioner(principal: Principal): void {
  if (!isPractitioner(principal)) {
    throw new ProblemException(
      403,
      'not-a-practitioner',
      'Not a practitioner page',
      'Subject pages are for practitioners; use the tasking board or the IG console for your role',
    );
  }
}

export function requireIgLead(principal: Principal): void {
  if (principal.role !== IG_ROLE) {
    throw new ProblemException(
      403,
      'not-ig-lead',
      'Not an information-governance lead',
      'The IG console is for the ig-lead role',
    );
  }
}

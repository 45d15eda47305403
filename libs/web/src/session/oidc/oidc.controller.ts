import { Controller, Get, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type AuthenticatedRequest, KnownAgencies, KnownRoles } from '@throughline/auth';
import { type HttpResponse, ProblemException } from '@throughline/platform';
import { html } from '../../html/html';
import { page } from '../../html/layout';
import { WebExceptionFilter } from '../../html/web-exception.filter';
import {
  clearCookie,
  readCookies,
  SIGN_IN_COOKIE,
  SIGN_IN_COOKIE_PATH,
  SIGN_IN_SECONDS,
  setCookie,
} from '../cookies';
import { homeFor } from '../personas';
import { safeNext } from '../safe-next';
import { WebSessions } from '../web-sessions';
import { principalFromClaims } from './claims';
import { OidcSignIn, type SignInTransaction } from './oidc-sign-in.service';
import { seal, unseal } from './sealed';

const SIGN_IN_SCOPE = { path: SIGN_IN_COOKIE_PATH, sameSite: 'lax' } as const;

/**
 * OpenID Connect sign-in for the pages: /app/oidc/start sends the browser to the provider with a
 * state, a nonce and a PKCE challenge; /app/oidc/callback checks them, takes the code, and opens
 * the session. The three values travel in a sealed cookie, so the callback may land on any API
 * process sharing OIDC_COOKIE_SECRET.
 */
@ApiExcludeController()
@Controller('app/oidc')
@UseFilters(WebExceptionFilter)
export class OidcController {
  constructor(
    private readonly signIn: OidcSignIn,
    private readonly sessions: WebSessions,
    private readonly agencies: KnownAgencies,
    private readonly roles: KnownRoles,
  ) {}

  private settings() {
    const oidc = this.sessions.oidc;
    if (!oidc)
      throw new ProblemException(
        404,
        'oidc-off',
        'OpenID Connect sign-in is off',
        'This deployment does not sign people in through an OpenID provider',
      );
    return oidc;
  }

  @Get('start')
  async start(
    @Req() request: AuthenticatedRequest,
    @Res() response: HttpResponse,
    @Query('next') next?: string,
  ): Promise<void> {
    const settings = this.settings();
    const { url, transaction } = await this.signIn.start(safeNext(next));
    const expiresAt = Math.floor(Date.now() / 1000) + SIGN_IN_SECONDS;
    const sealed = await seal(settings.cookieSecret, 'sign-in', { ...transaction }, expiresAt);
    setCookie(request, response, SIGN_IN_COOKIE, sealed, SIGN_IN_SECONDS, SIGN_IN_SCOPE);
    response.redirect(url.href, 303);
  }

  @Get('callback')
  async callback(@Req() request: AuthenticatedRequest, @Res() response: HttpResponse): Promise<void> {
    const settings = this.settings();
    const raw = readCookies(request).get(SIGN_IN_COOKIE);
    // One use: whatever happens next, this sign-in attempt is over.
    clearCookie(request, response, SIGN_IN_COOKIE, SIGN_IN_SCOPE);
    const transaction = raw ? toTransaction(await unseal(settings.cookieSecret, 'sign-in', raw)) : null;
    if (!transaction)
      throw new ProblemException(
        400,
        'sign-in-expired',
        'Sign-in expired',
        'The sign-in took too long, or was started in another browser. Start again from the sign-in page.',
      );
    const query = request.originalUrl.includes('?')
      ? request.originalUrl.slice(request.originalUrl.indexOf('?'))
      : '';
    const signedIn = await this.signIn.finish(query, transaction);
    const claims = principalFromClaims(signedIn.claims, settings);
    if (!claims.ok)
      throw new ProblemException(403, 'sign-in-claims', 'Your account cannot sign in here', claims.detail);
    const principal = claims.principal;
    // Named from here on, so a refusal below is put on the record with who was refused.
    request.verified = principal;
    if (!(await this.agencies.isKnown(principal.agency)))
      throw new ProblemException(
        403,
        'unknown-agency',
        'Agency not in the partnership',
        `Your identity provider says you work for "${principal.agency}", which is not an agency of this partnership's agreement. Ask your information-governance lead.`,
        { rule: 'unknown-agency' },
      );
    if (!(await this.roles.isKnown(principal.role)))
      throw new ProblemException(
        403,
        'unknown-role',
        'Role not in the agreement',
        `Your identity provider gives you the role "${principal.role}", which the partnership's agreement does not name. Ask your information-governance lead.`,
        { rule: 'unknown-role' },
      );
    const now = Math.floor(Date.now() / 1000);
    await this.sessions.open(request, response, principal, signedIn.idToken, signedIn.expiresAt, now);
    const destination = transaction.next ?? homeFor(principal.role);
    response
      .status(200)
      .type('text/html; charset=utf-8')
      .send(
        page({
          title: 'Signed in',
          continueTo: destination,
          body: html`<h1>Signed in</h1>
            <p class="lede">You are signed in as ${principal.id} (${principal.agency}, ${principal.role}).</p>
            <p><a href="${destination}">Continue</a></p>`,
        }),
      );
  }
}

function toTransaction(content: Record<string, unknown> | null): SignInTransaction | null {
  if (!content) return null;
  const { state, nonce, verifier, next } = content;
  if (typeof state !== 'string' || typeof nonce !== 'string' || typeof verifier !== 'string') return null;
  return { state, nonce, verifier, next: safeNext(next) };
}

import { Body, Controller, Get, Header, Inject, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Principal, TokenService } from '@throughline/auth';
import {
  type HttpRequest,
  type HttpResponse,
  ProblemException,
  THROUGHLINE_CONFIG,
  type ThroughlineConfig,
} from '@throughline/platform';
import { STYLESHEET } from '../html/styles';
import { WebExceptionFilter } from '../html/web-exception.filter';
import { clearCookie, SESSION_COOKIE, SESSION_SECONDS, setCookie } from './cookies';
import { CSRF_FIELD, csrfToken, verifyCsrf } from './csrf';
import { html } from '../html/html';
import { page } from '../html/layout';
import { OidcSignIn } from './oidc/oidc-sign-in.service';
import { homeFor, personaByKey } from './personas';
import { safeNext } from './safe-next';
import { noPageSignInPage, oidcPage, signInPage } from './sign-in.page';
import { WebSessions } from './web-sessions';

const USER = /^[A-Za-z0-9._@-]{1,64}$/;
const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1d4f91"/><path d="M3 8h10M8 3v10" stroke="#fff" stroke-width="2"/></svg>`;

@ApiExcludeController()
@Controller('app')
@UseFilters(WebExceptionFilter)
export class SignInController {
  constructor(
    private readonly tokens: TokenService,
    private readonly sessions: WebSessions,
    private readonly oidc: OidcSignIn,
    @Inject(THROUGHLINE_CONFIG) private readonly config: ThroughlineConfig,
  ) {}

  /** Demo personas only when neither the API nor the pages trust an identity provider. */
  private get embedded(): boolean {
    return this.config.jwt.jwksUrl === undefined && this.config.oidc === undefined;
  }

  private async signedIn(request: HttpRequest): Promise<Principal | null> {
    return (await this.sessions.read(request).catch(() => null))?.principal ?? null;
  }

  @Get()
  async home(@Req() request: HttpRequest, @Res() response: HttpResponse): Promise<void> {
    const principal = await this.signedIn(request);
    response.redirect(principal ? homeFor(principal.role) : '/app/sign-in', 303);
  }

  @Get('sign-in')
  async signInForm(
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
    @Query('next') next?: string,
  ): Promise<string> {
    response.type('text/html; charset=utf-8');
    if (this.config.oidc) return oidcPage({ next: safeNext(next), signedIn: await this.signedIn(request) });
    if (!this.embedded) return noPageSignInPage(this.config.jwt.issuer);
    return signInPage({
      csrf: csrfToken(request, response),
      next: safeNext(next),
      signedIn: await this.signedIn(request),
    });
  }

  @Post('sign-in')
  async signIn(
    @Req() request: HttpRequest,
    @Res() response: HttpResponse,
    @Body() body: Record<string, unknown> | undefined,
  ): Promise<void> {
    verifyCsrf(request, body?.[CSRF_FIELD]);
    if (!this.embedded) {
      throw new ProblemException(
        404,
        'demo-sign-in-off',
        'Demo sign-in is off',
        'This partnership signs people in through its identity provider',
      );
    }
    const persona = typeof body?.persona === 'string' ? personaByKey(body.persona) : undefined;
    if (!persona) {
      throw new ProblemException(422, 'invalid-sign-in', 'Choose a persona', 'Pick one of the demo personas');
    }
    const typed = typeof body?.user === 'string' ? body.user.trim() : '';
    if (typed !== '' && !USER.test(typed)) {
      throw new ProblemException(
        422,
        'invalid-sign-in',
        'Invalid user id',
        'A user id is 1-64 letters, digits, dots, dashes, underscores or @',
      );
    }
    const token = await this.tokens.mint({
      agency: persona.agency,
      role: persona.role,
      user: typed || persona.user,
      ttlSeconds: SESSION_SECONDS,
    });
    setCookie(request, response, SESSION_COOKIE, token, SESSION_SECONDS);
    response.redirect(safeNext(body?.next) ?? homeFor(persona.role), 303);
  }

  /**
   * Ends the session here, then, with OpenID Connect, at the provider too when it offers an
   * end_session_endpoint (RP-initiated logout). That is another origin, which the pages' CSP
   * (form-action 'self') forbids a form post to be redirected to: a page moves the browser on.
   */
  @Post('sign-out')
  async signOut(
    @Req() request: HttpRequest,
    @Res() response: HttpResponse,
    @Body() body: Record<string, unknown> | undefined,
  ): Promise<void> {
    verifyCsrf(request, body?.[CSRF_FIELD]);
    const session = this.config.oidc ? await this.sessions.read(request).catch(() => null) : null;
    clearCookie(request, response, SESSION_COOKIE);
    const atProvider = this.config.oidc ? await this.oidc.endSessionUrl(session?.idToken) : null;
    if (!atProvider) {
      response.redirect('/app/sign-in', 303);
      return;
    }
    response
      .status(200)
      .type('text/html; charset=utf-8')
      .send(
        page({
          title: 'Signed out',
          continueTo: atProvider.href,
          body: html`<h1>Signed out</h1>
            <p class="lede">You are signed out of Throughline. Signing you out at your identity provider…</p>
            <p><a href="${atProvider.href}">Continue to your identity provider</a></p>`,
        }),
      );
  }

  @Get('assets/app.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  stylesheet(): string {
    return STYLESHEET;
  }

  @Get('assets/icon.svg')
  @Header('Content-Type', 'image/svg+xml')
  @Header('Cache-Control', 'public, max-age=86400')
  icon(): string {
    return ICON;
  }
}

import { Body, Controller, Get, Header, Inject, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { type Principal, TokenService } from '@throughline/auth';
import { ProblemException, THROUGHLINE_CONFIG, type ThroughlineConfig } from '@throughline/platform';
import { STYLESHEET } from '../html/styles';
import { WebExceptionFilter } from '../html/web-exception.filter';
import { clearCookie, readCookies, SESSION_COOKIE, SESSION_SECONDS, setCookie } from './cookies';
import { CSRF_FIELD, csrfToken, verifyCsrf } from './csrf';
import { homeFor, personaByKey } from './personas';
import { oidcPage, signInPage } from './sign-in.page';

const USER = /^[A-Za-z0-9._@-]{1,64}$/;
const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1d4f91"/><path d="M3 8h10M8 3v10" stroke="#fff" stroke-width="2"/></svg>`;

/** Only our own pages: a path under /app, never another origin (no open redirect). */
const safeNext = (raw: unknown): string | null =>
  typeof raw === 'string' && /^\/app(\/|\?|$)/.test(raw) && !raw.includes('\\') && !raw.startsWith('//')
    ? raw
    : null;

@ApiExcludeController()
@Controller('app')
@UseFilters(WebExceptionFilter)
export class SignInController {
  constructor(
    private readonly tokens: TokenService,
    @Inject(THROUGHLINE_CONFIG) private readonly config: ThroughlineConfig,
  ) {}

  private get embedded(): boolean {
    return this.config.jwt.jwksUrl === undefined;
  }

  private async signedIn(request: Request): Promise<Principal | null> {
    const token = readCookies(request).get(SESSION_COOKIE);
    if (!token) return null;
    return this.tokens.verify(token).catch(() => null);
  }

  @Get()
  async home(@Req() request: Request, @Res() response: Response): Promise<void> {
    const principal = await this.signedIn(request);
    response.redirect(303, principal ? homeFor(principal.role) : '/app/sign-in');
  }

  @Get('sign-in')
  async signInForm(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Query('next') next?: string,
  ): Promise<string> {
    response.type('html');
    if (!this.embedded) return oidcPage(this.config.jwt.issuer);
    return signInPage({
      csrf: csrfToken(request, response),
      next: safeNext(next),
      signedIn: await this.signedIn(request),
    });
  }

  @Post('sign-in')
  async signIn(
    @Req() request: Request,
    @Res() response: Response,
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
    response.redirect(303, safeNext(body?.next) ?? homeFor(persona.role));
  }

  @Post('sign-out')
  signOut(
    @Req() request: Request,
    @Res() response: Response,
    @Body() body: Record<string, unknown> | undefined,
  ): void {
    verifyCsrf(request, body?.[CSRF_FIELD]);
    clearCookie(request, response, SESSION_COOKIE);
    response.redirect(303, '/app/sign-in');
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

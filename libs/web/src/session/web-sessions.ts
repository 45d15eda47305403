import { Inject, Injectable } from '@nestjs/common';
import { InvalidTokenError, type Principal, TokenService } from '@throughline/auth';
import {
  type HttpRequest,
  type HttpResponse,
  type OidcConfig,
  THROUGHLINE_CONFIG,
  type ThroughlineConfig,
} from '@throughline/platform';
import { readCookies, SESSION_COOKIE, setCookie } from './cookies';
import { seal, unseal } from './oidc/sealed';

export interface WebSession {
  readonly principal: Principal;
  /** The provider's ID token, kept for the logout hint (OpenID Connect sessions only). */
  readonly idToken?: string;
}

/**
 * The session cookie, in either form: with OpenID Connect sign-in, a sealed cookie made at the
 * callback from the ID token's claims; otherwise (embedded demo) a token the TokenService checks,
 * as the API would. Nothing is kept in process memory, so any API process can read any session.
 */
@Injectable()
export class WebSessions {
  constructor(
    private readonly tokens: TokenService,
    @Inject(THROUGHLINE_CONFIG) private readonly config: ThroughlineConfig,
  ) {}

  get oidc(): OidcConfig | undefined {
    return this.config.oidc;
  }

  /** The session the request carries; null without one. Throws InvalidTokenError when it no longer holds. */
  async read(request: HttpRequest): Promise<WebSession | null> {
    const cookie = readCookies(request).get(SESSION_COOKIE);
    if (!cookie) return null;
    const oidc = this.config.oidc;
    if (!oidc) return { principal: await this.tokens.verify(cookie) };
    const content = await unseal(oidc.cookieSecret, 'session', cookie);
    if (
      !content ||
      typeof content.sub !== 'string' ||
      typeof content.agency !== 'string' ||
      typeof content.role !== 'string'
    )
      throw new InvalidTokenError('Your session has ended', 'expired');
    return {
      principal: { kind: 'person', id: content.sub, agency: content.agency, role: content.role, sources: [] },
      ...(typeof content.idt === 'string' ? { idToken: content.idt } : {}),
    };
  }

  /**
   * Opens a session after sign-in at the provider. It ends when the ID token expires or after
   * OIDC_SESSION_MAX_SECONDS, whichever is sooner; the cookie goes at the same moment.
   */
  async open(
    request: HttpRequest,
    response: HttpResponse,
    principal: Principal,
    idToken: string,
    idTokenExpiresAt: number,
    nowSeconds: number,
  ): Promise<void> {
    const oidc = this.config.oidc!;
    const endsAt = Math.min(idTokenExpiresAt, nowSeconds + oidc.sessionMaxSeconds);
    const sealed = await seal(
      oidc.cookieSecret,
      'session',
      { sub: principal.id, agency: principal.agency, role: principal.role, idt: idToken },
      endsAt,
    );
    setCookie(request, response, SESSION_COOKIE, sealed, Math.max(1, endsAt - nowSeconds));
  }
}

import { Inject, Injectable } from '@nestjs/common';
import * as client from 'openid-client';
import { describeError, IdentityProviderUnavailable } from '@throughline/auth';
import {
  type OidcConfig,
  ProblemException,
  THROUGHLINE_CONFIG,
  type ThroughlineConfig,
} from '@throughline/platform';

/** What must survive the trip to the provider and back: kept in a sealed cookie, not in memory. */
export interface SignInTransaction {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly next: string | null;
}

export interface SignedInAtProvider {
  readonly claims: Record<string, unknown>;
  readonly idToken: string;
  /** The ID token's expiry, seconds since the epoch. */
  readonly expiresAt: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const NETWORK_CODES = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|UND_ERR_\w+)$/;

/** Whether an error is the provider not answering, rather than answering "no". */
function unreachable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && NETWORK_CODES.test(code)) return true;
    if (current.name === 'TimeoutError' || current.name === 'AbortError') return true;
    if (current instanceof TypeError && current.message === 'fetch failed') return true;
    if (current instanceof client.ResponseBodyError) return false;
    if (
      current instanceof client.ClientError &&
      /OAUTH_RESPONSE_IS_NOT_CONFORM|OAUTH_INVALID_RESPONSE/.test(String(current.code))
    ) {
      // A 5xx from the provider is the provider failing, not refusing.
      const status = (current.cause as { status?: unknown } | undefined)?.status;
      if (typeof status === 'number' && status >= 500) return true;
    }
    current = current.cause;
  }
  return false;
}

const failed = (detail: string): ProblemException =>
  new ProblemException(400, 'sign-in-failed', 'Sign-in could not be completed', detail);

/**
 * The OpenID Connect relying party for the pages (openid-client): discovery, the authorization
 * code flow with PKCE, state and nonce, and RP-initiated logout. Discovery is fetched on first use
 * and kept; a failed one is tried again on the next sign-in.
 */
@Injectable()
export class OidcSignIn {
  private discovered: Promise<client.Configuration> | undefined;

  constructor(@Inject(THROUGHLINE_CONFIG) private readonly config: ThroughlineConfig) {}

  get settings(): OidcConfig {
    if (!this.config.oidc) throw new Error('OpenID Connect sign-in is not configured');
    return this.config.oidc;
  }

  private provider(): Promise<client.Configuration> {
    const settings = this.settings;
    this.discovered ??= (async () => {
      const issuer = new URL(settings.issuerUrl);
      // Plain HTTP only to a provider on this machine (tests, a local provider); never across a network.
      const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
      try {
        return await client.discovery(
          issuer,
          settings.clientId,
          settings.clientSecret,
          settings.clientSecret === undefined ? client.None() : undefined,
          {
            // The ID token's signature is checked against the provider's keys as well as its claims.
            execute: insecure
              ? [client.allowInsecureRequests, client.enableNonRepudiationChecks]
              : [client.enableNonRepudiationChecks],
            timeout: 10,
          },
        );
      } catch (error) {
        if (unreachable(error))
          throw new IdentityProviderUnavailable('OpenID discovery', settings.issuerUrl, error);
        throw new IdentityProviderUnavailable(
          'OpenID discovery',
          settings.issuerUrl,
          new Error(`the discovery document was refused: ${describeError(error)}`),
        );
      }
    })();
    this.discovered.catch(() => {
      this.discovered = undefined;
    });
    return this.discovered;
  }

  /** The provider's authorization URL, and what the callback must find again. */
  async start(next: string | null): Promise<{ url: URL; transaction: SignInTransaction }> {
    const provider = await this.provider();
    const transaction: SignInTransaction = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      next,
    };
    const url = client.buildAuthorizationUrl(provider, {
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes,
      response_type: 'code',
      state: transaction.state,
      nonce: transaction.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(transaction.verifier),
      code_challenge_method: 'S256',
    });
    return { url, transaction };
  }

  /**
   * Completes the flow: checks the state, exchanges the code with the PKCE verifier, and verifies
   * the ID token (signature, issuer, audience, expiry, nonce). `query` is the callback's query string.
   */
  async finish(query: string, transaction: SignInTransaction): Promise<SignedInAtProvider> {
    const provider = await this.provider();
    const current = new URL(this.settings.redirectUri);
    current.search = query;
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(provider, current, {
        pkceCodeVerifier: transaction.verifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      if (unreachable(error)) {
        const endpoint = provider.serverMetadata().token_endpoint ?? this.settings.issuerUrl;
        throw new IdentityProviderUnavailable('OpenID token endpoint', endpoint, error);
      }
      if (error instanceof client.AuthorizationResponseError)
        throw failed(`The identity provider did not sign you in (${error.error}). Start again.`);
      throw failed(`The answer from the identity provider was not accepted: ${describeError(error)}`);
    }
    const claims = tokens.claims();
    if (!claims || !tokens.id_token) throw failed('The identity provider sent no ID token');
    return { claims: { ...claims }, idToken: tokens.id_token, expiresAt: claims.exp };
  }

  /**
   * Where to send the browser to end the provider's session too, or null when the provider offers
   * no end_session_endpoint (or cannot be reached: the local session is ended all the same).
   */
  async endSessionUrl(idToken: string | undefined): Promise<URL | null> {
    let provider: client.Configuration;
    try {
      provider = await this.provider();
    } catch {
      return null;
    }
    if (!provider.serverMetadata().end_session_endpoint) return null;
    return client.buildEndSessionUrl(provider, {
      post_logout_redirect_uri: this.settings.postLogoutRedirectUri,
      client_id: this.settings.clientId,
      ...(idToken ? { id_token_hint: idToken } : {}),
    });
  }
}

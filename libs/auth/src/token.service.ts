import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import {
  createRemoteJWKSet,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  type KeyLike,
  SignJWT,
} from 'jose';
import { ensurePrivateDir, THROUGHLINE_CONFIG, type ThroughlineConfig } from '@throughline/platform';
import { IdentityProviderUnavailable } from './identity-provider';
import type { Principal, TokenRequest } from './principal';

const ALGORITHM = 'EdDSA';
/**
 * A verified token is trusted again without checking its signature until it expires, for at most
 * this long, so a key the identity provider withdraws stops working within minutes.
 */
const VERIFIED_FOR_MS = 5 * 60_000;
const MAX_VERIFIED = 10_000;
const AGENCY = /^[a-z][a-z0-9-]{1,31}$/;

export class InvalidTokenError extends Error {
  constructor(
    message: string,
    readonly reason: 'missing' | 'expired' | 'signature' | 'claims' | 'lifetime' | 'malformed',
  ) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

interface EmbeddedKeys {
  readonly privateKey: KeyLike | Uint8Array;
  readonly publicKey: KeyLike | Uint8Array;
  readonly kid: string;
}

/** Where embedded mode keeps its token signing key: the server makes it, `throughline token` uses it. */
export const embeddedSigningKeyFile = (config: Pick<ThroughlineConfig, 'dataDir'>): string =>
  join(config.dataDir, 'keys', 'jwt-signing-key.json');

/**
 * Mints and verifies bearer tokens. Embedded mode signs with an Ed25519 key kept under DATA_DIR;
 * production verifies against the partnership's identity provider (JWT_JWKS_URL).
 */
@Injectable()
export class TokenService {
  private embedded?: Promise<EmbeddedKeys>;
  private readonly remote?: ReturnType<typeof createRemoteJWKSet>;
  /** Tokens already verified, oldest first: checking a signature costs more than a cached read. */
  private readonly verified = new Map<string, { readonly principal: Principal; readonly until: number }>();

  constructor(@Inject(THROUGHLINE_CONFIG) private readonly config: ThroughlineConfig) {
    if (config.jwt.jwksUrl) this.remote = createRemoteJWKSet(new URL(config.jwt.jwksUrl));
  }

  /**
   * Makes the embedded signing key if there is none yet (the server does, as it starts, so that
   * `throughline token` finds it); nothing in production mode. Returns the key file, if embedded.
   */
  async ensureEmbeddedKey(): Promise<string | undefined> {
    if (this.remote) return undefined;
    await this.embeddedKeys();
    return embeddedSigningKeyFile(this.config);
  }

  async mint(request: TokenRequest): Promise<string> {
    if (this.remote) throw new Error('Tokens are issued by the identity provider when JWT_JWKS_URL is set');
    if (!AGENCY.test(request.agency)) throw new Error(`Invalid agency "${request.agency}"`);
    const system = request.system === true;
    const sources = request.sources ?? [];
    if (system && sources.length === 0) throw new Error('A system token needs at least one --source');
    for (const source of sources) {
      if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(source)) throw new Error(`Source "${source}" is not a URI`);
    }
    const ttl = request.ttlSeconds ?? 8 * 3600;
    // Not only positive: an already expired token is what a test of expiry needs.
    if (!Number.isInteger(ttl)) throw new Error('The lifetime must be a whole number of seconds');
    const keys = await this.embeddedKeys();
    const subject = request.user ?? (system ? `${request.agency}-system` : `${request.agency}-user`);
    return new SignJWT({
      agency: request.agency,
      role: system ? 'system' : (request.role ?? 'analyst'),
      kind: system ? 'system' : 'person',
      ...(system ? { sources } : {}),
    })
      .setProtectedHeader({ alg: ALGORITHM, kid: keys.kid })
      .setSubject(subject)
      .setIssuer(this.config.jwt.issuer)
      .setAudience(this.config.jwt.audience)
      .setIssuedAt()
      .setExpirationTime(`${ttl}s`)
      .sign(keys.privateKey);
  }

  async verify(token: string): Promise<Principal> {
    const now = Date.now();
    const known = this.verified.get(token);
    if (known && known.until > now) return known.principal;
    this.verified.delete(token);
    let payload: JWTPayload;
    try {
      const options = {
        issuer: this.config.jwt.issuer,
        audience: this.config.jwt.audience,
        algorithms: [ALGORITHM, 'RS256', 'ES256'],
        // A token without an expiry would be a credential for ever: the cache, a leak, a log line.
        requiredClaims: ['exp'],
      };
      payload = this.remote
        ? (await jwtVerify(token, this.remote, options)).payload
        : (
            await jwtVerify(token, (await this.embeddedKeys()).publicKey, {
              ...options,
              algorithms: [ALGORITHM],
            })
          ).payload;
    } catch (error) {
      if (this.config.jwt.jwksUrl && keySetUnreachable(error))
        throw new IdentityProviderUnavailable('JWKS', this.config.jwt.jwksUrl, error);
      throw toInvalidToken(error);
    }
    // The identity provider decides lifetimes in production; embedded tokens are minted here.
    if (this.remote) refuseLongLived(payload, now, this.config.jwt.maxLifetimeSeconds);
    const principal = toPrincipal(payload);
    if (this.verified.size >= MAX_VERIFIED) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { principal, until: Math.min(payload.exp! * 1000, now + VERIFIED_FOR_MS) });
    return principal;
  }

  private embeddedKeys(): Promise<EmbeddedKeys> {
    this.embedded ??= loadOrCreateKeys(embeddedSigningKeyFile(this.config));
    return this.embedded;
  }
}

async function loadOrCreateKeys(file: string): Promise<EmbeddedKeys> {
  if (!existsSync(file)) {
    const { privateKey } = await generateKeyPair(ALGORITHM, { crv: 'Ed25519', extractable: true });
    const jwk = await exportJWK(privateKey);
    ensurePrivateDir(dirname(file));
    // wx: two processes starting together must not overwrite each other's key.
    try {
      writeFileSync(file, JSON.stringify({ ...jwk, kid: `embedded-${Date.now().toString(36)}` }), {
        flag: 'wx',
        mode: 0o600,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const stored = JSON.parse(readFileSync(file, 'utf8')) as JWK & { kid: string };
  const { d: _private, ...publicJwk } = stored;
  return {
    privateKey: await importJWK(stored, ALGORITHM),
    publicKey: await importJWK(publicJwk, ALGORITHM),
    kid: stored.kid,
  };
}

/**
 * Refuses a token valid for longer than `maxSeconds`, counted from its issue time, or from now
 * when it names none or names one still to come: neither leaving `iat` out nor dating it ahead
 * stretches the bound.
 */
export function refuseLongLived(payload: JWTPayload, nowMs: number, maxSeconds: number): void {
  const exp = payload.exp!;
  const now = Math.floor(nowMs / 1000);
  const from = typeof payload.iat === 'number' ? Math.min(payload.iat, now) : now;
  if (exp - from > maxSeconds) {
    throw new InvalidTokenError(
      `The token is valid for ${exp - from} s, longer than the ${maxSeconds} s allowed`,
      'lifetime',
    );
  }
}

/**
 * Whether verifying failed because the key set could not be fetched, rather than because of the
 * token: a timeout, a non-200 answer or a body that is no key set, or a socket error (which is not
 * a JOSE error at all).
 */
function keySetUnreachable(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  if (error instanceof errors.JOSEError) return error.code === 'ERR_JOSE_GENERIC';
  return true;
}

function toInvalidToken(error: unknown): InvalidTokenError {
  if (error instanceof errors.JWTExpired) return new InvalidTokenError('The token has expired', 'expired');
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new InvalidTokenError('The token signature is not valid', 'signature');
  }
  if (
    error instanceof errors.JWTClaimValidationFailed &&
    error.claim === 'exp' &&
    error.reason === 'missing'
  ) {
    return new InvalidTokenError(
      'The token has no expiry (exp claim); only expiring tokens are accepted',
      'claims',
    );
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new InvalidTokenError(`The token claim "${error.claim}" is not valid: ${error.reason}`, 'claims');
  }
  return new InvalidTokenError('The token is malformed or not signed by a trusted key', 'malformed');
}

function toPrincipal(payload: JWTPayload): Principal {
  const agency = payload.agency;
  const role = payload.role;
  if (
    typeof payload.sub !== 'string' ||
    typeof agency !== 'string' ||
    !AGENCY.test(agency) ||
    typeof role !== 'string'
  ) {
    throw new InvalidTokenError('The token must carry sub, agency and role claims', 'claims');
  }
  const kind = payload.kind === 'system' ? 'system' : 'person';
  const rawSources = payload.sources;
  const sources = Array.isArray(rawSources)
    ? rawSources.filter((s): s is string => typeof s === 'string')
    : [];
  return { kind, id: payload.sub, agency, role, sources };
}

import { resolve } from 'node:path';
import { KAFKA_SECURITY_ENV_VARS, type KafkaSecurity, loadKafkaSecurity } from './kafka-security';
import type { Rate } from './rate-limit';

/** Everything the processes read from the environment, in one place (names match contract.md). */
export interface ThroughlineConfig {
  readonly port: number;
  /**
   * The address the API listens on: loopback unless told otherwise, so a developer's `npm start`
   * is not reachable from the network; the container image sets all interfaces.
   */
  readonly host: string;
  /**
   * How long a client may take over one request, in milliseconds: a slow sender otherwise holds a
   * connection (and a socket, and a parser) for as long as it likes.
   */
  readonly http: {
    /** To send the request line and headers. */
    readonly headersTimeoutMs: number;
    /** To send the whole request, body included. */
    readonly requestTimeoutMs: number;
    /** An idle kept-alive connection waits this long for its next request. */
    readonly keepAliveTimeoutMs: number;
  };
  readonly dataDir: string;
  /** PostgreSQL for events and read models (server mode). */
  readonly databaseUrl: string | undefined;
  /** EventStoreDB / KurrentDB for the event log. */
  readonly eventstoreUrl: string | undefined;
  /**
   * Subjects' event data sealed under per-subject keys (decision 0026). On unless EVENT_ENCRYPTION is
   * `off`, which exists for the bench's comparison: without it erasure cannot remove data.
   */
  readonly eventEncryption: boolean;
  readonly kafkaBrokers: readonly string[];
  /** The credential and TLS every Kafka client of the process uses (KAFKA_SASL_*, KAFKA_SSL*). */
  readonly kafkaSecurity: KafkaSecurity;
  readonly jwt: {
    /** Production: verify against this JWKS. Unset: embedded mode, a key kept under dataDir. */
    readonly jwksUrl: string | undefined;
    readonly issuer: string;
    readonly audience: string;
    /**
     * Production only: the longest a token may be valid for (exp - iat, or exp - now without iat).
     * A stolen token is a key for its whole lifetime, and an identity provider's tokens are short.
     */
    readonly maxLifetimeSeconds: number;
  };
  /** OpenID Connect sign-in for the pages; undefined when OIDC_ISSUER_URL is unset. */
  readonly oidc: OidcConfig | undefined;
  readonly logLevel: string;
  /** When set, `GET /metrics` answers only a request bearing it (`Authorization: Bearer ...`). */
  readonly metricsToken: string | undefined;
  /**
   * The worker serves `GET /metrics` on this port (on HOST) when set; 0 takes any free port. The API
   * serves them on its own port.
   */
  readonly metricsPort: number | undefined;
  /** Largest request body accepted, in bytes. */
  readonly bodyLimitBytes: number;
  readonly maxBatchSize: number;
  /**
   * The audit log's Ed25519 signing key (PEM), as set. Every process writing one audit log must
   * share it. Server mode requires it, outside dataDir; embedded mode defaults to a key under
   * dataDir (see auditSigningKeyFileOf in libs/audit).
   */
  readonly auditSigningKeyFile: string | undefined;
  /** A directory of the public keys (PEM) of earlier signing keys, so that checkpoints they signed still verify. */
  readonly auditPublicKeysDir: string | undefined;
  /** Append-only JSON lines file, meant to live on other storage, to which each signed checkpoint is published. */
  readonly auditWitnessFile: string | undefined;
  /** The Kafka topic each signed checkpoint is published to; set whenever KAFKA_BROKERS is. */
  readonly auditWitnessTopic: string | undefined;
  /**
   * The longest a durable audit record waits for a signed checkpoint when fewer than the checkpoint
   * interval's records follow it: removing records after the last checkpoint is undetectable, so
   * this bounds that window in time.
   */
  readonly auditCheckpointSeconds: number;
  /** Run projections in this process (embedded default); a deployment may leave them to the worker. */
  readonly runProjections: boolean;
  /**
   * How long a projection's lease lasts unrenewed: the longest a projection waits for another
   * process to take it over when the one advancing it dies.
   */
  readonly projectionLeaseSeconds: number;
  /**
   * How long a stopping process may take to finish what it accepted (requests, a Kafka batch, a
   * projection batch) before it exits anyway, naming what it abandoned.
   */
  readonly shutdownGraceSeconds: number;
  /** Fair use: what one credential, one agency topic and one subject may take (docs/deploy.md). */
  readonly limits: {
    /** Authenticated requests per credential (system id or user id, with its agency). */
    readonly requests: Rate;
    /** Events per credential over HTTP, and per agency topic from Kafka (where it slows, not refuses). */
    readonly events: Rate;
    /** The most events one subject's stream takes in any rolling day, from every publisher together. */
    readonly subjectEventsPerDay: number;
  };
}

/** How the pages sign people in at the partnership's OpenID provider (docs/deploy.md). */
export interface OidcConfig {
  /** Discovery starts here: `<issuerUrl>/.well-known/openid-configuration`. */
  readonly issuerUrl: string;
  readonly clientId: string;
  /** Unset: a public client (PKCE only, no client authentication). */
  readonly clientSecret: string | undefined;
  /** This deployment's `/app/oidc/callback`, as registered at the provider. */
  readonly redirectUri: string;
  /** Where the provider sends the browser after signing out; the sign-in page by default. */
  readonly postLogoutRedirectUri: string;
  readonly scopes: string;
  /** The ID token claim naming the agency, and the one naming the role. */
  readonly agencyClaim: string;
  readonly roleClaim: string;
  /** A session ends at the ID token's expiry or after this long, whichever is sooner. */
  readonly sessionMaxSeconds: number;
  /**
   * Seals the sign-in cookies (the session, and state/nonce/PKCE verifier in flight). Every API
   * process behind one address must share it, so a callback may land on any of them.
   */
  readonly cookieSecret: string;
}

export const CONFIG_ENV_VARS = [
  'PORT',
  'HOST',
  'HTTP_HEADERS_TIMEOUT_SECONDS',
  'HTTP_REQUEST_TIMEOUT_SECONDS',
  'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS',
  'DATA_DIR',
  'DATABASE_URL',
  'EVENTSTORE_URL',
  'KAFKA_BROKERS',
  ...KAFKA_SECURITY_ENV_VARS,
  'JWT_JWKS_URL',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'JWT_MAX_LIFETIME_SECONDS',
  'OIDC_ISSUER_URL',
  'OIDC_CLIENT_ID',
  'OIDC_CLIENT_SECRET',
  'OIDC_REDIRECT_URI',
  'OIDC_POST_LOGOUT_REDIRECT_URI',
  'OIDC_SCOPES',
  'OIDC_AGENCY_CLAIM',
  'OIDC_ROLE_CLAIM',
  'OIDC_SESSION_MAX_SECONDS',
  'OIDC_COOKIE_SECRET',
  'LOG_LEVEL',
  'METRICS_TOKEN',
  'METRICS_PORT',
  'BODY_LIMIT_BYTES',
  'RUN_PROJECTIONS',
  'PROJECTION_LEASE_SECONDS',
  'SHUTDOWN_GRACE_SECONDS',
  'AUDIT_SIGNING_KEY_FILE',
  'AUDIT_CHECKPOINT_SECONDS',
  'AUDIT_PUBLIC_KEYS_DIR',
  'AUDIT_WITNESS_FILE',
  'AUDIT_WITNESS_TOPIC',
  'RATE_LIMIT_REQUESTS_PER_SECOND',
  'RATE_LIMIT_REQUESTS_BURST',
  'RATE_LIMIT_EVENTS_PER_SECOND',
  'RATE_LIMIT_EVENTS_BURST',
  'SUBJECT_EVENTS_PER_DAY',
] as const;

const positiveInt = (raw: string | undefined, fallback: number, name: string): number => {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
};

const port = (raw: string | undefined, name: string): number | undefined => {
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535)
    throw new Error(`${name} must be a port number (0 for any free one), got "${raw}"`);
  return value;
};

const optional = (raw: string | undefined): string | undefined =>
  raw && raw.trim() !== '' ? raw.trim() : undefined;

function httpTimeouts(env: NodeJS.ProcessEnv): ThroughlineConfig['http'] {
  const headers = positiveInt(env.HTTP_HEADERS_TIMEOUT_SECONDS, 10, 'HTTP_HEADERS_TIMEOUT_SECONDS');
  const request = positiveInt(env.HTTP_REQUEST_TIMEOUT_SECONDS, 30, 'HTTP_REQUEST_TIMEOUT_SECONDS');
  const keepAlive = positiveInt(env.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS, 5, 'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS');
  // The headers are part of the request: a longer headers timeout would never be reached.
  if (headers > request) {
    throw new Error(
      `HTTP_HEADERS_TIMEOUT_SECONDS (${headers}) must not exceed HTTP_REQUEST_TIMEOUT_SECONDS (${request})`,
    );
  }
  return {
    headersTimeoutMs: headers * 1000,
    requestTimeoutMs: request * 1000,
    keepAliveTimeoutMs: keepAlive * 1000,
  };
}

const resolvedOrUndefined = (raw: string | undefined): string | undefined => {
  const value = optional(raw);
  return value === undefined ? undefined : resolve(value);
};

const absoluteUrl = (raw: string, name: string): URL => {
  try {
    const url = new URL(raw);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url;
  } catch {
    // Reported below.
  }
  throw new Error(`${name} must be an absolute http(s) URL, got "${raw}"`);
};

const CALLBACK_PATH = '/app/oidc/callback';
const CLAIM = /^[A-Za-z0-9_:./-]{1,128}$/;

function oidcConfig(env: NodeJS.ProcessEnv): OidcConfig | undefined {
  const issuerUrl = optional(env.OIDC_ISSUER_URL);
  if (!issuerUrl) return undefined;
  absoluteUrl(issuerUrl, 'OIDC_ISSUER_URL');
  const clientId = optional(env.OIDC_CLIENT_ID);
  if (!clientId) throw new Error('OIDC_CLIENT_ID is required with OIDC_ISSUER_URL');
  const rawRedirect = optional(env.OIDC_REDIRECT_URI);
  if (!rawRedirect) throw new Error(`OIDC_REDIRECT_URI is required with OIDC_ISSUER_URL (…${CALLBACK_PATH})`);
  const redirect = absoluteUrl(rawRedirect, 'OIDC_REDIRECT_URI');
  if (redirect.pathname !== CALLBACK_PATH || redirect.search !== '' || redirect.hash !== '')
    throw new Error(`OIDC_REDIRECT_URI must end in ${CALLBACK_PATH}, got "${rawRedirect}"`);
  const cookieSecret = optional(env.OIDC_COOKIE_SECRET);
  if (!cookieSecret || cookieSecret.length < 32)
    throw new Error('OIDC_COOKIE_SECRET must be at least 32 characters (shared by every API process)');
  const claim = (raw: string | undefined, fallback: string, name: string): string => {
    const value = optional(raw) ?? fallback;
    if (!CLAIM.test(value)) throw new Error(`${name} is not a claim name: "${value}"`);
    return value;
  };
  const logout = optional(env.OIDC_POST_LOGOUT_REDIRECT_URI);
  const scopes = optional(env.OIDC_SCOPES) ?? 'openid';
  if (!scopes.split(/\s+/).includes('openid')) throw new Error('OIDC_SCOPES must include openid');
  return {
    issuerUrl,
    clientId,
    clientSecret: optional(env.OIDC_CLIENT_SECRET),
    redirectUri: redirect.href,
    postLogoutRedirectUri: logout
      ? absoluteUrl(logout, 'OIDC_POST_LOGOUT_REDIRECT_URI').href
      : new URL('/app/sign-in', redirect).href,
    scopes,
    agencyClaim: claim(env.OIDC_AGENCY_CLAIM, 'agency', 'OIDC_AGENCY_CLAIM'),
    roleClaim: claim(env.OIDC_ROLE_CLAIM, 'role', 'OIDC_ROLE_CLAIM'),
    sessionMaxSeconds: positiveInt(env.OIDC_SESSION_MAX_SECONDS, 8 * 3600, 'OIDC_SESSION_MAX_SECONDS'),
    cookieSecret,
  };
}

function eventEncryption(value: string | undefined): boolean {
  const given = optional(value);
  if (given === undefined || given === 'on') return true;
  if (given === 'off') return false;
  throw new Error(`EVENT_ENCRYPTION must be on or off, not "${given}"`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ThroughlineConfig {
  const kafkaBrokers = (optional(env.KAFKA_BROKERS) ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  return {
    port: positiveInt(env.PORT, 3000, 'PORT'),
    host: optional(env.HOST) ?? '127.0.0.1',
    http: httpTimeouts(env),
    dataDir: resolve(optional(env.DATA_DIR) ?? './data'),
    databaseUrl: optional(env.DATABASE_URL),
    eventstoreUrl: optional(env.EVENTSTORE_URL),
    kafkaBrokers,
    kafkaSecurity: loadKafkaSecurity(env),
    eventEncryption: eventEncryption(env.EVENT_ENCRYPTION),
    jwt: {
      jwksUrl: optional(env.JWT_JWKS_URL),
      issuer: optional(env.JWT_ISSUER) ?? 'throughline',
      audience: optional(env.JWT_AUDIENCE) ?? 'throughline',
      maxLifetimeSeconds: positiveInt(env.JWT_MAX_LIFETIME_SECONDS, 12 * 3600, 'JWT_MAX_LIFETIME_SECONDS'),
    },
    oidc: oidcConfig(env),
    logLevel: optional(env.LOG_LEVEL) ?? 'info',
    metricsToken: optional(env.METRICS_TOKEN),
    metricsPort: port(env.METRICS_PORT, 'METRICS_PORT'),
    bodyLimitBytes: positiveInt(env.BODY_LIMIT_BYTES, 5 * 1024 * 1024, 'BODY_LIMIT_BYTES'),
    maxBatchSize: 1000,
    runProjections: env.RUN_PROJECTIONS !== 'false',
    projectionLeaseSeconds: positiveInt(env.PROJECTION_LEASE_SECONDS, 15, 'PROJECTION_LEASE_SECONDS'),
    shutdownGraceSeconds: positiveInt(env.SHUTDOWN_GRACE_SECONDS, 20, 'SHUTDOWN_GRACE_SECONDS'),
    auditSigningKeyFile: resolvedOrUndefined(env.AUDIT_SIGNING_KEY_FILE),
    auditPublicKeysDir: resolvedOrUndefined(env.AUDIT_PUBLIC_KEYS_DIR),
    auditWitnessFile: resolvedOrUndefined(env.AUDIT_WITNESS_FILE),
    // The prefix is KAFKA_TOPIC_PREFIX's (default `throughline`, as libs/kafka names its topics), so
    // two deployments on one cluster witness to topics of their own.
    auditWitnessTopic:
      kafkaBrokers.length === 0
        ? undefined
        : (optional(env.AUDIT_WITNESS_TOPIC) ??
          `${optional(env.KAFKA_TOPIC_PREFIX) ?? 'throughline'}.audit.checkpoints`),
    auditCheckpointSeconds: positiveInt(env.AUDIT_CHECKPOINT_SECONDS, 30, 'AUDIT_CHECKPOINT_SECONDS'),
    limits: {
      requests: {
        perSecond: positiveInt(env.RATE_LIMIT_REQUESTS_PER_SECOND, 50, 'RATE_LIMIT_REQUESTS_PER_SECOND'),
        burst: positiveInt(env.RATE_LIMIT_REQUESTS_BURST, 200, 'RATE_LIMIT_REQUESTS_BURST'),
      },
      events: {
        perSecond: positiveInt(env.RATE_LIMIT_EVENTS_PER_SECOND, 2_000, 'RATE_LIMIT_EVENTS_PER_SECOND'),
        burst: positiveInt(env.RATE_LIMIT_EVENTS_BURST, 50_000, 'RATE_LIMIT_EVENTS_BURST'),
      },
      subjectEventsPerDay: positiveInt(env.SUBJECT_EVENTS_PER_DAY, 10_000, 'SUBJECT_EVENTS_PER_DAY'),
    },
  };
}

export const THROUGHLINE_CONFIG = Symbol('THROUGHLINE_CONFIG');

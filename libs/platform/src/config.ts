import { join, resolve } from 'node:path';
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
  readonly logLevel: string;
  /** Largest request body accepted, in bytes. */
  readonly bodyLimitBytes: number;
  readonly maxBatchSize: number;
  /**
   * The audit log's Ed25519 signing key (PEM). Every process writing one audit log must share it;
   * by default it lives under dataDir.
   */
  readonly auditSigningKeyFile: string;
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
  'JWT_JWKS_URL',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'JWT_MAX_LIFETIME_SECONDS',
  'LOG_LEVEL',
  'BODY_LIMIT_BYTES',
  'RUN_PROJECTIONS',
  'PROJECTION_LEASE_SECONDS',
  'SHUTDOWN_GRACE_SECONDS',
  'AUDIT_SIGNING_KEY_FILE',
  'AUDIT_CHECKPOINT_SECONDS',
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

function eventEncryption(value: string | undefined): boolean {
  const given = optional(value);
  if (given === undefined || given === 'on') return true;
  if (given === 'off') return false;
  throw new Error(`EVENT_ENCRYPTION must be on or off, not "${given}"`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ThroughlineConfig {
  return {
    port: positiveInt(env.PORT, 3000, 'PORT'),
    host: optional(env.HOST) ?? '127.0.0.1',
    http: httpTimeouts(env),
    dataDir: resolve(optional(env.DATA_DIR) ?? './data'),
    databaseUrl: optional(env.DATABASE_URL),
    eventstoreUrl: optional(env.EVENTSTORE_URL),
    eventEncryption: eventEncryption(env.EVENT_ENCRYPTION),
    kafkaBrokers: (optional(env.KAFKA_BROKERS) ?? '')
      .split(',')
      .map((broker) => broker.trim())
      .filter((broker) => broker.length > 0),
    jwt: {
      jwksUrl: optional(env.JWT_JWKS_URL),
      issuer: optional(env.JWT_ISSUER) ?? 'throughline',
      audience: optional(env.JWT_AUDIENCE) ?? 'throughline',
      maxLifetimeSeconds: positiveInt(env.JWT_MAX_LIFETIME_SECONDS, 12 * 3600, 'JWT_MAX_LIFETIME_SECONDS'),
    },
    logLevel: optional(env.LOG_LEVEL) ?? 'info',
    bodyLimitBytes: positiveInt(env.BODY_LIMIT_BYTES, 5 * 1024 * 1024, 'BODY_LIMIT_BYTES'),
    maxBatchSize: 1000,
    runProjections: env.RUN_PROJECTIONS !== 'false',
    projectionLeaseSeconds: positiveInt(env.PROJECTION_LEASE_SECONDS, 15, 'PROJECTION_LEASE_SECONDS'),
    shutdownGraceSeconds: positiveInt(env.SHUTDOWN_GRACE_SECONDS, 20, 'SHUTDOWN_GRACE_SECONDS'),
    auditSigningKeyFile: resolve(
      optional(env.AUDIT_SIGNING_KEY_FILE) ??
        join(optional(env.DATA_DIR) ?? './data', 'keys', 'audit-signing-key.pem'),
    ),
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

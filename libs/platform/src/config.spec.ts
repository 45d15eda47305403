import { resolve } from 'node:path';
import { loadConfig } from './config';

describe('configuration', () => {
  it('reads an empty DATA_DIR as unset, never as the current directory', () => {
    const config = loadConfig({ DATA_DIR: '  ' });
    expect(config.dataDir).toBe(resolve('./data'));
    expect(config.auditSigningKeyFile).toBeUndefined();
  });

  it('witnesses audit checkpoints to a Kafka topic of the deployment whenever Kafka is configured', () => {
    expect(loadConfig({}).auditWitnessTopic).toBeUndefined();
    expect(loadConfig({ KAFKA_BROKERS: 'k:9092' }).auditWitnessTopic).toBe('throughline.audit.checkpoints');
    expect(loadConfig({ KAFKA_BROKERS: 'k:9092', KAFKA_TOPIC_PREFIX: 'north' }).auditWitnessTopic).toBe(
      'north.audit.checkpoints',
    );
    expect(loadConfig({ KAFKA_BROKERS: 'k:9092', AUDIT_WITNESS_TOPIC: 'w' }).auditWitnessTopic).toBe('w');
    expect(loadConfig({ AUDIT_WITNESS_FILE: 'w.jsonl' }).auditWitnessFile).toBe(resolve('w.jsonl'));
  });

  it('listens on loopback unless HOST says otherwise', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: ' ' }).host).toBe('127.0.0.1');
  });

  it('bounds how long a client may take over a request', () => {
    expect(loadConfig({}).http).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
    });
    expect(
      loadConfig({
        HTTP_HEADERS_TIMEOUT_SECONDS: '2',
        HTTP_REQUEST_TIMEOUT_SECONDS: '3',
        HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '65',
      }).http,
    ).toEqual({ headersTimeoutMs: 2_000, requestTimeoutMs: 3_000, keepAliveTimeoutMs: 65_000 });
  });

  it.each([
    [{ HTTP_HEADERS_TIMEOUT_SECONDS: '0' }, /HTTP_HEADERS_TIMEOUT_SECONDS must be a positive integer/],
    [{ HTTP_REQUEST_TIMEOUT_SECONDS: '1.5' }, /HTTP_REQUEST_TIMEOUT_SECONDS must be a positive integer/],
    [{ HTTP_HEADERS_TIMEOUT_SECONDS: '40' }, /must not exceed HTTP_REQUEST_TIMEOUT_SECONDS/],
    [{ JWT_MAX_LIFETIME_SECONDS: '-1' }, /JWT_MAX_LIFETIME_SECONDS must be a positive integer/],
  ])('refuses %j at start', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('allows production tokens twelve hours unless told otherwise', () => {
    expect(loadConfig({}).jwt.maxLifetimeSeconds).toBe(43_200);
    expect(loadConfig({ JWT_MAX_LIFETIME_SECONDS: '900' }).jwt.maxLifetimeSeconds).toBe(900);
  });

  describe('OpenID Connect sign-in for the pages', () => {
    const OIDC = {
      OIDC_ISSUER_URL: 'https://login.example/realms/iom',
      OIDC_CLIENT_ID: 'throughline-pages',
      OIDC_REDIRECT_URI: 'https://throughline.example/app/oidc/callback',
      OIDC_COOKIE_SECRET: 'x'.repeat(32),
    };

    it('is off without an issuer, and defaults what it can with one', () => {
      expect(loadConfig({}).oidc).toBeUndefined();
      expect(loadConfig(OIDC).oidc).toEqual({
        issuerUrl: 'https://login.example/realms/iom',
        clientId: 'throughline-pages',
        clientSecret: undefined,
        redirectUri: 'https://throughline.example/app/oidc/callback',
        postLogoutRedirectUri: 'https://throughline.example/app/sign-in',
        scopes: 'openid',
        agencyClaim: 'agency',
        roleClaim: 'role',
        sessionMaxSeconds: 8 * 3600,
        cookieSecret: 'x'.repeat(32),
      });
      expect(
        loadConfig({ ...OIDC, OIDC_ROLE_CLAIM: 'roles', OIDC_AGENCY_CLAIM: 'extension_agency' }).oidc,
      ).toMatchObject({ roleClaim: 'roles', agencyClaim: 'extension_agency' });
    });

    it.each([
      [{ OIDC_CLIENT_ID: '' }, /OIDC_CLIENT_ID is required/],
      [{ OIDC_REDIRECT_URI: '' }, /OIDC_REDIRECT_URI is required/],
      [{ OIDC_REDIRECT_URI: 'https://throughline.example/callback' }, /must end in \/app\/oidc\/callback/],
      [{ OIDC_REDIRECT_URI: 'throughline.example/app/oidc/callback' }, /absolute http\(s\) URL/],
      [{ OIDC_ISSUER_URL: 'ftp://login.example' }, /absolute http\(s\) URL/],
      [{ OIDC_COOKIE_SECRET: 'short' }, /at least 32 characters/],
      [{ OIDC_COOKIE_SECRET: '' }, /at least 32 characters/],
      [{ OIDC_SCOPES: 'profile email' }, /must include openid/],
      [{ OIDC_ROLE_CLAIM: 'role claim' }, /not a claim name/],
      [{ OIDC_SESSION_MAX_SECONDS: '0' }, /positive integer/],
    ])('refuses to start with %j', (change, message) => {
      expect(() => loadConfig({ ...OIDC, ...change })).toThrow(message);
    });
  });
});

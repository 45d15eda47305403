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
});

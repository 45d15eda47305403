import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config';
import { describeKafkaSecurity, loadKafkaSecurity } from './kafka-security';

describe('the Kafka credential of a process (KAFKA_SASL_*, KAFKA_SSL*)', () => {
  let dir: string;
  let passwordFile: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'throughline-kafka-secret-'));
    passwordFile = join(dir, 'worker');
    // A container secret or an `echo` leaves a line end; it is not part of the password.
    writeFileSync(passwordFile, 's3cret-Value\n', { mode: 0o600 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const scram = (extra: Record<string, string> = {}) => ({
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: 'worker',
    KAFKA_SASL_PASSWORD_FILE: passwordFile,
    ...extra,
  });

  it('is plaintext without a credential when nothing is set', () => {
    expect(loadKafkaSecurity({})).toEqual({ ssl: false, sasl: undefined });
    expect(loadConfig({}).kafkaSecurity).toEqual({ ssl: false, sasl: undefined });
  });

  it('reads the password from its file, and never shows it', () => {
    const security = loadKafkaSecurity(scram());
    expect(security.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'worker',
      password: 's3cret-Value',
    });
    expect(describeKafkaSecurity(security)).toBe('SASL SCRAM-SHA-512 as worker, plaintext');
    expect(loadConfig({ KAFKA_BROKERS: 'kafka:9092', ...scram() }).kafkaSecurity).toEqual(security);
  });

  it.each([
    [
      { KAFKA_SASL_PASSWORD_FILE: '/nonexistent/kafka-password' },
      /KAFKA_SASL_PASSWORD_FILE names \/nonexistent\/kafka-password, which cannot be read \(no such file\)/,
    ],
    [{ KAFKA_SASL_PASSWORD_FILE: '' }, /KAFKA_SASL_PASSWORD_FILE is required/],
    [{ KAFKA_SASL_USERNAME: ' ' }, /KAFKA_SASL_USERNAME is required/],
    [
      { KAFKA_SASL_MECHANISM: 'plain' },
      /KAFKA_SASL_MECHANISM must be scram-sha-512 or scram-sha-256, got "plain"/,
    ],
    [{ KAFKA_SSL: 'yes' }, /KAFKA_SSL must be true or false/],
    [
      { KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: '/etc/ca.pem' },
      /KAFKA_SSL_CA_FILE is set but KAFKA_SSL is false/,
    ],
  ])('refuses %j at start with a message naming the setting', (change, message) => {
    expect(() => loadKafkaSecurity(scram(change))).toThrow(message);
    expect(() => loadConfig({ KAFKA_BROKERS: 'kafka:9092', ...scram(change) })).toThrow(message);
  });

  it('refuses half a credential: a user and a password file without a mechanism', () => {
    expect(() =>
      loadKafkaSecurity({ KAFKA_SASL_USERNAME: 'worker', KAFKA_SASL_PASSWORD_FILE: passwordFile }),
    ).toThrow(/need KAFKA_SASL_MECHANISM/);
  });

  it('refuses an empty password file, and one it may not read', () => {
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    expect(() => loadKafkaSecurity(scram({ KAFKA_SASL_PASSWORD_FILE: empty }))).toThrow(/is empty/);
    const locked = join(dir, 'locked');
    writeFileSync(locked, 'x');
    chmodSync(locked, 0o000);
    // root reads any file, so the refusal shows only for another user.
    if (process.getuid?.() !== 0)
      expect(() => loadKafkaSecurity(scram({ KAFKA_SASL_PASSWORD_FILE: locked }))).toThrow(
        /permission denied/,
      );
    else expect(loadKafkaSecurity(scram({ KAFKA_SASL_PASSWORD_FILE: locked })).sasl?.password).toBe('x');
  });

  it('verifies the brokers against a CA file, and refuses a file that holds no certificate', () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(loadKafkaSecurity({ KAFKA_SSL_CA_FILE: ca }).ssl).toEqual({
      ca: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
      rejectUnauthorized: true,
    });
    expect(loadKafkaSecurity({ KAFKA_SSL: 'true' }).ssl).toBe(true);
    expect(() => loadKafkaSecurity({ KAFKA_SSL_CA_FILE: passwordFile })).toThrow(/holds no PEM certificate/);
  });
});

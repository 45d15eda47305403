import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The SASL mechanisms a credential may use: both SCRAM variants keep the password off the wire. */
export const KAFKA_SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/**
 * How every Kafka client of a process proves who it is and checks whom it talks to, in the shape
 * kafkajs takes (`new Kafka({ brokers, ...security })`). Every client of the process uses the one
 * credential: the broker's ACLs decide what it may read and write (docs/kafka.md, security).
 */
export interface KafkaSecurity {
  /** TLS to the brokers: false for plaintext, true for the system's trust store, or these CAs. */
  readonly ssl: boolean | { readonly ca: string[]; readonly rejectUnauthorized: true };
  readonly sasl: KafkaSasl | undefined;
}

/** One object type per mechanism, as kafkajs's own options are. */
export type KafkaSasl = {
  [M in KafkaSaslMechanism]: { readonly mechanism: M; readonly username: string; readonly password: string };
}[KafkaSaslMechanism];

export const KAFKA_SECURITY_ENV_VARS = [
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD_FILE',
  'KAFKA_SSL',
  'KAFKA_SSL_CA_FILE',
] as const;

const given = (raw: string | undefined): string | undefined =>
  raw && raw.trim() !== '' ? raw.trim() : undefined;

/** A secret file's content, without the line end an editor or `echo` leaves; a clear error otherwise. */
function readSecretFile(name: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? String(error));
    throw new Error(`${name} names ${path}, which cannot be read (${why})`);
  }
  return text.replace(/\r?\n$/, '');
}

/**
 * Reads KAFKA_SASL_* and KAFKA_SSL*: unset, clients connect in plaintext without a credential.
 * Half a credential is refused at start rather than discovered as an authentication failure later.
 */
export function loadKafkaSecurity(env: NodeJS.ProcessEnv): KafkaSecurity {
  const mechanism = given(env.KAFKA_SASL_MECHANISM)?.toLowerCase();
  const username = given(env.KAFKA_SASL_USERNAME);
  const passwordFile = given(env.KAFKA_SASL_PASSWORD_FILE);
  let sasl: KafkaSecurity['sasl'];
  if (mechanism === undefined) {
    if (username !== undefined || passwordFile !== undefined)
      throw new Error(
        `KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE need KAFKA_SASL_MECHANISM (${KAFKA_SASL_MECHANISMS.join(' or ')})`,
      );
  } else {
    if (!(KAFKA_SASL_MECHANISMS as readonly string[]).includes(mechanism))
      throw new Error(
        `KAFKA_SASL_MECHANISM must be ${KAFKA_SASL_MECHANISMS.join(' or ')}, got "${env.KAFKA_SASL_MECHANISM}"`,
      );
    if (username === undefined) throw new Error(`KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM`);
    if (passwordFile === undefined)
      throw new Error(
        'KAFKA_SASL_PASSWORD_FILE is required with KAFKA_SASL_MECHANISM (a file holding the password, never the password itself)',
      );
    const password = readSecretFile('KAFKA_SASL_PASSWORD_FILE', passwordFile);
    if (password.length === 0) throw new Error(`KAFKA_SASL_PASSWORD_FILE ${passwordFile} is empty`);
    sasl = { mechanism: mechanism as KafkaSaslMechanism, username, password };
  }

  const sslFlag = given(env.KAFKA_SSL)?.toLowerCase();
  if (sslFlag !== undefined && sslFlag !== 'true' && sslFlag !== 'false')
    throw new Error(`KAFKA_SSL must be true or false, got "${env.KAFKA_SSL}"`);
  const caFile = given(env.KAFKA_SSL_CA_FILE);
  if (caFile !== undefined && sslFlag === 'false')
    throw new Error('KAFKA_SSL_CA_FILE is set but KAFKA_SSL is false');
  let ssl: KafkaSecurity['ssl'] = sslFlag === 'true';
  if (caFile !== undefined) {
    const ca = readSecretFile('KAFKA_SSL_CA_FILE', caFile);
    if (!ca.includes('-----BEGIN CERTIFICATE-----'))
      throw new Error(`KAFKA_SSL_CA_FILE ${caFile} holds no PEM certificate`);
    ssl = { ca: [ca], rejectUnauthorized: true };
  }
  return { ssl, sasl };
}

/** What a log line may say of the security in use: never the password. */
export const describeKafkaSecurity = (security: KafkaSecurity): string =>
  `${security.sasl ? `SASL ${security.sasl.mechanism.toUpperCase()} as ${security.sasl.username}` : 'no credential'}, ${security.ssl ? 'TLS' : 'plaintext'}`;

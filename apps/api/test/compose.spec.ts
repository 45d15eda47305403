import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { auditKeySettings } from '@throughline/audit';
import { DEFAULT_AGENCIES } from '@throughline/domain';
import { CONFIG_ENV_VARS, loadConfig, type ThroughlineConfig } from '@throughline/platform';

interface Service {
  image?: string;
  build?: unknown;
  healthcheck?: { test: string[] };
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  entrypoint?: string[];
  secrets?: string[];
  volumes?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string; required?: boolean }>;
}

const root = join(__dirname, '..', '..', '..');
const composeFile = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
const compose = parse(composeFile) as {
  services: Record<string, Service>;
  secrets: Record<string, { file?: string; environment?: string }>;
};
const services = compose.services;
const published = (service: Service): number[] =>
  (service.ports ?? []).map((port) => Number(port.split(':').pop()));
/** What an operator's `.env` holds for the file to start (docs/deploy.md). */
const OPERATOR_ENV = { POSTGRES_PASSWORD: 'a1b2c3d4e5f6' };
/**
 * Resolves `${VAR:-default}` and `${VAR:?message}` the way compose does: from the operator's
 * environment (or `.env`) where it sets VAR to something not empty, else the default, or else
 * compose refuses to start with the message.
 */
const resolveEnv = (
  env: Record<string, string>,
  operator: Record<string, string> = OPERATOR_ENV,
): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).map(([key, value]) => [
      key,
      value.replace(/\$\{([A-Z_]+):([-?])([^}]*)\}/g, (_, name: string, kind: string, text: string) => {
        if (operator[name]) return operator[name];
        if (kind === '-') return text;
        throw new Error(`required variable ${name} is missing a value: ${text}`);
      }),
    ]),
  );
/** The switch to KurrentDB that the file's header and docs/deploy.md give. */
const KURRENTDB_PROFILE = 'kurrentdb';
/** Where compose mounts a service's secrets. */
const SECRETS = '/run/secrets/';

/**
 * Stands in for the secret files an operator makes (infra/kafka/compose/make-secrets.sh): each
 * secret the service mounts, at the path compose mounts it, holding a password of its own.
 */
const secretFiles = mkdtempSync(join(tmpdir(), 'throughline-compose-secrets-'));
afterAll(() => rmSync(secretFiles, { recursive: true, force: true }));
const passwordOf = (secret: string): string => `pw-${secret}-0123456789`;
function withSecrets(name: string, env: Record<string, string>): Record<string, string> {
  const mounted = services[name]!.secrets ?? [];
  for (const secret of mounted) writeFileSync(join(secretFiles, secret), `${passwordOf(secret)}\n`);
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => {
      if (!value.startsWith(SECRETS)) return [key, value];
      const secret = value.slice(SECRETS.length);
      // A path under /run/secrets names a secret the service mounts, or it would not be there.
      expect({ name, key, mounted: mounted.includes(secret) }).toEqual({ name, key, mounted: true });
      return [key, join(secretFiles, secret)];
    }),
  );
}
const configOf = (name: string, operator?: Record<string, string>): ThroughlineConfig =>
  loadConfig(withSecrets(name, resolveEnv(services[name]!.environment ?? {}, operator)));
const KURRENTDB_URL = 'esdb://kurrentdb:2113?tls=false';
const SWITCH = `COMPOSE_PROFILES=${KURRENTDB_PROFILE} EVENTSTORE_URL='${KURRENTDB_URL}' docker compose up --build`;

describe('docker-compose.yml matches the code', () => {
  it('runs the api and the worker from this repository beside PostgreSQL and Kafka, KurrentDB only on request', () => {
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'audit-key',
      'kafka',
      'kafka-acls',
      'kurrentdb',
      'postgres',
      'worker',
    ]);
    const always = Object.keys(services).filter((name) => !services[name]!.profiles);
    expect(always.sort()).toEqual(['api', 'audit-key', 'kafka', 'kafka-acls', 'postgres', 'worker']);
    expect(services.api!.build).toBe('.');
    expect(services.worker!.build).toBe('.');
    expect(services.api!.command).toEqual(['node', 'bin/throughline.js', 'serve']);
    expect(services.worker!.command).toEqual(['node', 'bin/throughline.js', 'worker']);
    expect(services.kafka!.image).toMatch(/kafka:3\.9\.1$/);
  });

  it.each(['api', 'worker'])('%s sets only variables the configuration reads, and they parse', (name) => {
    const env = resolveEnv(services[name]!.environment ?? {});
    for (const key of Object.keys(env)) expect(CONFIG_ENV_VARS).toContain(key);
    const config = configOf(name);
    expect(config.databaseUrl).toBeDefined();
    expect(config.kafkaBrokers.length).toBeGreaterThan(0);
  });

  it.each(['api', 'worker'])(
    '%s signs with the key the audit-key step makes outside DATA_DIR, and witnesses to a file and Kafka',
    (name) => {
      const config = configOf(name);
      expect(auditKeySettings(config)).toEqual({
        file: '/keys/audit-signing-key.pem',
        problem: undefined,
        mayCreate: false,
      });
      expect(services['audit-key']!.command).toEqual([
        'node',
        'bin/throughline.js',
        'audit',
        'key',
        config.auditSigningKeyFile,
      ]);
      expect(services[name]!.depends_on?.['audit-key']).toEqual({
        condition: 'service_completed_successfully',
      });
      expect(config.auditWitnessFile).toBe('/witness/audit-checkpoints.jsonl');
      expect(config.auditWitnessTopic).toBe('throughline.audit.checkpoints');
    },
  );

  it.each(['api', 'worker'])(
    '%s keeps the event log in PostgreSQL unless the operator switches to KurrentDB',
    (name) => {
      // openEventStore takes KurrentDB when EVENTSTORE_URL is set, else the DATABASE_URL database.
      expect(configOf(name).eventstoreUrl).toBeUndefined();
      expect(configOf(name, { ...OPERATOR_ENV, EVENTSTORE_URL: KURRENTDB_URL }).eventstoreUrl).toBe(
        KURRENTDB_URL,
      );
      // It waits for KurrentDB when the profile runs it, and does not need it otherwise.
      expect(services[name]!.depends_on?.kurrentdb).toEqual({
        condition: 'service_healthy',
        required: false,
      });
    },
  );

  it('offers KurrentDB as a profile of a pinned image, reached at the URL the switch gives', () => {
    const kurrentdb = services.kurrentdb!;
    expect(kurrentdb.profiles).toEqual([KURRENTDB_PROFILE]);
    expect(kurrentdb.image).toMatch(/:\d+\.\d+\.\d+$/);
    const url = new URL(KURRENTDB_URL.replace(/^esdb:/, 'http:'));
    expect(services[url.hostname]).toBe(kurrentdb);
    expect(published(kurrentdb)).toContain(Number(url.port));
    expect(composeFile).toContain(SWITCH);
    expect(readFileSync(join(root, 'docs', 'deploy.md'), 'utf8')).toContain(SWITCH);
  });

  it('points each connection at a service that listens on that port', () => {
    const config = configOf('api');
    const database = new URL(config.databaseUrl!);
    expect(services[database.hostname]).toBeDefined();
    expect(services[database.hostname]!.profiles).toBeUndefined();
    expect(published(services[database.hostname]!)).toContain(Number(database.port));
    for (const broker of config.kafkaBrokers) {
      const [host, port] = broker.split(':');
      expect(published(services[host!]!)).toContain(Number(port));
    }
    expect(published(services.api!)).toContain(config.port);
  });

  it('takes the PostgreSQL password from the operator, and starts without it nowhere', () => {
    expect(composeFile).not.toMatch(/postgres:\/\/[^:@\s]+:[^$@\s][^@\s]*@/);
    const password = 'Zq9-other-secret';
    const server = resolveEnv(services.postgres!.environment ?? {}, { POSTGRES_PASSWORD: password });
    expect(server.POSTGRES_PASSWORD).toBe(password);
    for (const name of ['api', 'worker']) {
      const environment = services[name]!.environment ?? {};
      const url = new URL(configOf(name, { POSTGRES_PASSWORD: password }).databaseUrl!);
      expect({ name, user: url.username, password: url.password }).toEqual({
        name,
        user: server.POSTGRES_USER,
        password,
      });
      expect(() => resolveEnv(environment, {})).toThrow(
        /POSTGRES_PASSWORD is missing a value: .*docs\/deploy\.md/,
      );
    }
    expect(() => resolveEnv(services.postgres!.environment ?? {}, {})).toThrow(/POSTGRES_PASSWORD/);
    expect(readFileSync(join(root, 'docs', 'deploy.md'), 'utf8')).toContain('POSTGRES_PASSWORD=');
  });

  describe('Kafka: every client authenticated, each allowed only its own topics', () => {
    const brokerProps = Object.fromEntries(
      readFileSync(join(root, 'infra', 'kafka', 'compose', 'server.properties'), 'utf8')
        .split('\n')
        .filter((line) => line.trim() && !line.startsWith('#'))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const kafka = services.kafka!;
    const scramUsers = (kafka.environment?.KAFKA_SCRAM_USERS ?? '').split(/\s+/);
    const secretOf = (user: string): string => `kafka-${user}-password`;

    it.each(['api', 'worker'])(
      '%s signs in with SCRAM-SHA-512 as a user of its own, its password a secret file',
      (name) => {
        const config = configOf(name);
        const sasl = config.kafkaSecurity.sasl!;
        expect(sasl.mechanism).toBe('scram-sha-512');
        expect(sasl.username).toBe(name);
        expect(services[name]!.environment?.KAFKA_SASL_PASSWORD_FILE).toBe(`${SECRETS}${secretOf(name)}`);
        expect(sasl.password).toBe(passwordOf(secretOf(name)));
        // Without the secret's file, the process refuses to start, naming the setting.
        expect(() => loadConfig(resolveEnv(services[name]!.environment ?? {}))).toThrow(
          /KAFKA_SASL_PASSWORD_FILE names \/run\/secrets\/kafka-.*-password, which cannot be read/,
        );
      },
    );

    it('keeps every password out of the file: secrets are files under secrets/, which git ignores', () => {
      for (const [name, secret] of Object.entries(compose.secrets)) {
        expect({ name, file: secret.file?.startsWith('./secrets/') }).toEqual({ name, file: true });
      }
      expect(readFileSync(join(root, '.gitignore'), 'utf8').split('\n')).toContain('secrets/');
      for (const [name, service] of Object.entries(services))
        for (const [key, value] of Object.entries(service.environment ?? {}))
          if (/PASSWORD|SECRET|TOKEN/.test(key) && !key.endsWith('_FILE'))
            expect({ name, key, value }).toEqual({
              name,
              key,
              value: expect.stringMatching(/^\$\{[A-Z_]+:[?-]/),
            });
      // No SCRAM or JAAS password written out anywhere in the file's settings.
      const settings = composeFile
        .split('\n')
        .filter((line) => !line.trim().startsWith('#'))
        .join('\n');
      expect(settings).not.toMatch(/password\s*=\s*"?[^"@$\s]/i);
      expect(settings).not.toMatch(/SCRAM-SHA-\d+=\[/);
    });

    it('runs the broker with a SASL listener, SCRAM-SHA-512 and the ACL authorizer, denying by default', () => {
      expect(kafka.image).toMatch(/kafka:3\.9\.1$/);
      expect(kafka.entrypoint).toEqual(['bash', '/throughline/start-broker.sh']);
      const listeners = brokerProps['listener.security.protocol.map']!.split(',').map((pair) =>
        pair.split(':'),
      );
      const advertised = brokerProps['advertised.listeners']!.split(',');
      // Every listener clients are told of requires SASL.
      for (const listener of advertised) {
        const [name] = listener.split(':');
        expect(listeners.find(([listenerName]) => listenerName === name)?.[1]).toMatch(
          /^SASL_(PLAINTEXT|SSL)$/,
        );
      }
      expect(advertised.map((listener) => listener.split('//')[1])).toEqual(configOf('worker').kafkaBrokers);
      expect(brokerProps['sasl.enabled.mechanisms']).toBe('SCRAM-SHA-512');
      expect(brokerProps['authorizer.class.name']).toBe(
        'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      );
      expect(brokerProps['allow.everyone.if.no.acl.found']).toBe('false');
      expect(brokerProps['auto.create.topics.enable']).toBe('false');
      for (const mount of kafka.volumes ?? []) {
        const [source] = mount.split(':');
        if (source!.startsWith('./')) expect(existsSync(join(root, source!))).toBe(true);
      }
    });

    it('creates a SCRAM user from a secret for the broker, the api, the worker and every agency', () => {
      expect(scramUsers[0]).toBe('admin');
      expect(brokerProps['super.users']).toContain('User:admin');
      expect(scramUsers.slice(1).sort()).toEqual(['api', 'worker', ...DEFAULT_AGENCIES].sort());
      expect((kafka.secrets ?? []).sort()).toEqual(scramUsers.map(secretOf).sort());
      expect(Object.keys(compose.secrets).sort()).toEqual(scramUsers.map(secretOf).sort());
    });

    it('grants the ACLs before the api and the worker start: worker, api, then each agency its own topic', () => {
      const acls = services['kafka-acls']!;
      expect(acls.entrypoint).toEqual(['bash', '/throughline/create-acls.sh']);
      expect(acls.command).toEqual(['worker', 'api', ...DEFAULT_AGENCIES]);
      expect(acls.secrets).toEqual([secretOf('admin')]);
      expect(acls.depends_on?.kafka).toEqual({ condition: 'service_healthy' });
      expect(acls.volumes).toContain('./infra/kafka/acls.sh:/throughline/acls.sh:ro');
      for (const name of ['api', 'worker'])
        expect(services[name]!.depends_on?.['kafka-acls']).toEqual({
          condition: 'service_completed_successfully',
        });
    });
  });

  it('checks the health of every service, and starts the api and the worker on healthy ones', () => {
    // A one-off step (the audit key) runs to completion: the services after it wait for that.
    const oneOff = new Set(
      Object.values(services).flatMap((service) =>
        Object.entries(service.depends_on ?? {})
          .filter(([, wait]) => wait.condition === 'service_completed_successfully')
          .map(([dependency]) => dependency),
      ),
    );
    expect([...oneOff].sort()).toEqual(['audit-key', 'kafka-acls']);
    for (const [name, service] of Object.entries(services)) {
      expect({ name, healthcheck: service.healthcheck !== undefined }).toEqual({
        name,
        healthcheck: !oneOff.has(name),
      });
      for (const [dependency, wait] of Object.entries(service.depends_on ?? {}))
        expect({ name, dependency, condition: wait.condition }).toEqual({
          name,
          dependency,
          condition: oneOff.has(dependency) ? 'service_completed_successfully' : 'service_healthy',
        });
    }
  });
});

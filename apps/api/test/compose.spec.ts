import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { auditKeySettings } from '@throughline/audit';
import { CONFIG_ENV_VARS, loadConfig } from '@throughline/platform';

interface Service {
  image?: string;
  build?: unknown;
  healthcheck?: { test: string[] };
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  profiles?: string[];
  depends_on?: Record<string, { condition: string; required?: boolean }>;
}

const root = join(__dirname, '..', '..', '..');
const composeFile = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
const compose = parse(composeFile) as { services: Record<string, Service> };
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
const KURRENTDB_URL = 'esdb://kurrentdb:2113?tls=false';
const SWITCH = `COMPOSE_PROFILES=${KURRENTDB_PROFILE} EVENTSTORE_URL='${KURRENTDB_URL}' docker compose up --build`;

describe('docker-compose.yml matches the code', () => {
  it('runs the api and the worker from this repository beside PostgreSQL and Kafka, KurrentDB only on request', () => {
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'audit-key',
      'kafka',
      'kurrentdb',
      'postgres',
      'worker',
    ]);
    const always = Object.keys(services).filter((name) => !services[name]!.profiles);
    expect(always.sort()).toEqual(['api', 'audit-key', 'kafka', 'postgres', 'worker']);
    expect(services.api!.build).toBe('.');
    expect(services.worker!.build).toBe('.');
    expect(services.api!.command).toEqual(['node', 'bin/throughline.js', 'serve']);
    expect(services.worker!.command).toEqual(['node', 'bin/throughline.js', 'worker']);
    expect(services.kafka!.image).toMatch(/kafka:3\.9\.1$/);
  });

  it.each(['api', 'worker'])('%s sets only variables the configuration reads, and they parse', (name) => {
    const env = resolveEnv(services[name]!.environment ?? {});
    for (const key of Object.keys(env)) expect(CONFIG_ENV_VARS).toContain(key);
    const config = loadConfig(env);
    expect(config.databaseUrl).toBeDefined();
    expect(config.kafkaBrokers.length).toBeGreaterThan(0);
  });

  it.each(['api', 'worker'])(
    '%s signs with the key the audit-key step makes outside DATA_DIR, and witnesses to a file and Kafka',
    (name) => {
      const config = loadConfig(resolveEnv(services[name]!.environment ?? {}));
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
      const environment = services[name]!.environment ?? {};
      // openEventStore takes KurrentDB when EVENTSTORE_URL is set, else the DATABASE_URL database.
      expect(loadConfig(resolveEnv(environment)).eventstoreUrl).toBeUndefined();
      expect(
        loadConfig(resolveEnv(environment, { ...OPERATOR_ENV, EVENTSTORE_URL: KURRENTDB_URL })).eventstoreUrl,
      ).toBe(KURRENTDB_URL);
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
    const config = loadConfig(resolveEnv(services.api!.environment ?? {}));
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
      const url = new URL(loadConfig(resolveEnv(environment, { POSTGRES_PASSWORD: password })).databaseUrl!);
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

  it('checks the health of every service, and starts the api and the worker on healthy ones', () => {
    // A one-off step (the audit key) runs to completion: the services after it wait for that.
    const oneOff = new Set(
      Object.values(services).flatMap((service) =>
        Object.entries(service.depends_on ?? {})
          .filter(([, wait]) => wait.condition === 'service_completed_successfully')
          .map(([dependency]) => dependency),
      ),
    );
    expect([...oneOff]).toEqual(['audit-key']);
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

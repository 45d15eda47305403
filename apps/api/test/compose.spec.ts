import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_ENV_VARS, loadConfig } from '@throughline/platform';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
}

const compose = parse(readFileSync(join(__dirname, '..', '..', '..', 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};
const services = compose.services;
const published = (service: Service): number[] =>
  (service.ports ?? []).map((port) => Number(port.split(':').pop()));
/** Resolves `${VAR:-default}` the way compose does when VAR is unset. */
const resolveEnv = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]),
  );

describe('docker-compose.yml matches the code', () => {
  it('runs the api and the worker from this repository beside PostgreSQL, KurrentDB and Kafka', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'kafka', 'kurrentdb', 'postgres', 'worker']);
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
    expect(config.eventstoreUrl).toBeDefined();
    expect(config.kafkaBrokers.length).toBeGreaterThan(0);
  });

  it('points each connection at a service that listens on that port', () => {
    const config = loadConfig(resolveEnv(services.api!.environment ?? {}));
    const database = new URL(config.databaseUrl!);
    expect(services[database.hostname]).toBeDefined();
    expect(published(services[database.hostname]!)).toContain(Number(database.port));
    const eventstore = new URL(config.eventstoreUrl!.replace(/^esdb:/, 'http:'));
    expect(published(services[eventstore.hostname]!)).toContain(Number(eventstore.port));
    for (const broker of config.kafkaBrokers) {
      const [host, port] = broker.split(':');
      expect(published(services[host!]!)).toContain(Number(port));
    }
    expect(published(services.api!)).toContain(config.port);
  });
});

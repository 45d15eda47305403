import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, freePort, ServerProcess } from '../../api/test/child-process';
import { buildProgram } from '../src/program';
import { cli, ROOT } from './run-cli';

const fresh = (name: string): string => mkdtempSync(join(tmpdir(), `throughline-cli-${name}-`));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The arguments of the README's `npx throughline token ...` line that assigns `variable`. */
function readmeTokenArgs(variable: string): string[] {
  const line = README.split('\n').find((text) => text.startsWith(`${variable}=$(npx throughline token `));
  if (!line) throw new Error(`README.md has no ${variable}=$(npx throughline token ...) line`);
  return line.slice(`${variable}=$(npx throughline `.length, line.lastIndexOf(')')).split(/\s+/);
}

/** Every command path the program declares, e.g. ['audit', 'export']. */
function commandPaths(): string[][] {
  const paths: string[][] = [];
  const walk = (command: ReturnType<typeof buildProgram>, path: string[]) => {
    for (const sub of command.commands) {
      paths.push([...path, sub.name()]);
      walk(sub, [...path, sub.name()]);
    }
  };
  walk(buildProgram(), []);
  return paths;
}

describe('the throughline command line', () => {
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  const dir = (name: string) => {
    const made = fresh(name);
    dirs.push(made);
    return made;
  };

  beforeAll(() => assertBuilt());

  afterAll(async () => {
    await Promise.all(servers.filter((server) => server.running).map((server) => server.signal('SIGKILL')));
    for (const made of dirs) rmSync(made, { recursive: true, force: true });
  });

  it('prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = cli([flag]);
      expect(run.status).toBe(0);
      expect(run.stdout.trim()).toBe(version);
    }
  });

  it('answers --help for every command, and runs none of them', () => {
    const dataDir = dir('help');
    const paths = commandPaths();
    expect(paths).toEqual(expect.arrayContaining([['token'], ['audit', 'export'], ['sar'], ['health']]));
    for (const path of paths) {
      const run = cli([...path, '--help'], { DATA_DIR: dataDir });
      expect({ path, status: run.status, stderr: run.stderr }).toEqual({ path, status: 0, stderr: '' });
      expect(run.stdout).toContain(`Usage: throughline ${path.join(' ')}`);
    }
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it.each([
    [['token', '--agency', 'police', '--bogus'], "unknown option '--bogus'"],
    [['rebuild', '--seed', '2'], "unknown option '--seed'"],
    [['audit', 'export', '--format', 'xml'], 'Allowed choices are csv, json'],
    [['audit', 'erase'], "unknown command 'erase'"],
    [['frob'], "unknown command 'frob'"],
    [['demo', '--seed', 'many'], '--seed must be a whole number'],
    [['token', '--agency', 'police', '--ttl', '1h'], '--ttl must be a whole number'],
    [['token', '--role', 'iom-officer'], "required option '--agency <agency>' not specified"],
    [
      ['token', '--agency', 'police', '--system', '--role', 'mentor'],
      "option '--role <role>' cannot be used with option '--system'",
    ],
    [['sar'], "missing required argument 'subject'"],
    [['sar', 'a', 'b'], 'too many arguments'],
  ])('refuses %j with a message and status 1, touching nothing', (args, message) => {
    const dataDir = dir('refused');
    const run = cli(args, { DATA_DIR: dataDir });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(message);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  describe('token', () => {
    it('refuses without a signing key, naming where it looked, and makes none', () => {
      const dataDir = dir('no-key');
      const run = cli(['token', '--agency', 'police'], { DATA_DIR: dataDir });
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(
        `No token signing key at ${join(dataDir, 'keys', 'jwt-signing-key.json')}`,
      );
      expect(run.stderr).toContain(`DATA_DIR ${dataDir}`);
      expect(run.stderr).toContain('--create-key');
      expect(readdirSync(dataDir)).toEqual([]);
    });

    it('says, when DATA_DIR is unset, that it looked in ./data under the current directory', () => {
      const cwd = dir('cwd');
      const run = cli(['token', '--agency', 'police'], {}, 60_000, cwd);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(
        `DATA_DIR unset, so ./data under the current directory: ${join(cwd, 'data')}`,
      );
      expect(existsSync(join(cwd, 'data'))).toBe(false);
    });

    it('makes a key only when told to, and says where', () => {
      const dataDir = dir('create-key');
      const run = cli(['token', '--create-key', '--agency', 'police'], { DATA_DIR: dataDir });
      expect(run.status).toBe(0);
      expect(run.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const keyFile = join(dataDir, 'keys', 'jwt-signing-key.json');
      expect(run.stderr).toContain(`Made the token signing key ${keyFile}`);
      expect(existsSync(keyFile)).toBe(true);
      // The next token signs with the same key and says nothing more.
      const again = cli(['token', '--agency', 'police'], { DATA_DIR: dataDir });
      expect(again.status).toBe(0);
      expect(again.stderr).toBe('');
    });

    it.each([
      [['--agency', 'mi6'], 'Unknown agency "mi6": agreement 2025.1 names partnership, police, probation'],
      [
        ['--agency', 'police', '--role', 'wizard'],
        'Unknown role "wizard": a person\'s token takes one of iom-officer',
      ],
      [['--agency', 'police', '--role', 'system'], 'Unknown role "system"'],
      [['--agency', 'police', '--source', 'urn:x:y'], '--source binds a system token: add --system'],
    ])('refuses %j, from the agreement in force and the platform roles', (args, message) => {
      const dataDir = dir('token-refused');
      const run = cli(['token', '--create-key', ...args], { DATA_DIR: dataDir });
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(message);
      expect(existsSync(join(dataDir, 'keys', 'jwt-signing-key.json'))).toBe(false);
    });
  });

  it("runs the README's quick start verbatim, then writes and counts a subject access and an audit export", async () => {
    const dataDir = dir('readme');
    const server = ServerProcess.start(dataDir, await freePort());
    servers.push(server);
    await server.ready();

    // An agency system publishes the README's example event with the README's system token.
    const system = cli(readmeTokenArgs('SYSTEM'), { DATA_DIR: dataDir });
    expect(system).toMatchObject({ status: 0, stderr: '' });
    const example = /-d @(\S+)/.exec(README)?.[1];
    expect(example).toBe('docs/examples/event.json');
    const posted = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${system.stdout.trim()}`,
        'Content-Type': 'application/cloudevents+json',
      },
      body: readFileSync(join(ROOT, example!), 'utf8'),
    });
    expect({ status: posted.status, body: await posted.text() }).toMatchObject({ status: 200 });

    const person = cli(readmeTokenArgs('TOKEN'), { DATA_DIR: dataDir });
    expect(person).toMatchObject({ status: 0, stderr: '' });
    const listed = await fetch(`${server.url}/v1/subjects?band=red`, {
      headers: { Authorization: `Bearer ${person.stdout.trim()}`, 'X-Purpose-Of-Use': 'case-management' },
    });
    expect(listed.status).toBe(200);

    // Beside the running server: the exports say what they wrote, where, and how much.
    const sarFile = join(dataDir, 'sar.json');
    const sar = cli(['sar', 'pnc:2009/0123456C', '--out', sarFile], { DATA_DIR: dataDir });
    expect(sar.status).toBe(0);
    expect(sar.stdout).toBe('');
    const exported = JSON.parse(readFileSync(sarFile, 'utf8')) as {
      subjectId: string;
      held: unknown[];
      disclosures: unknown[];
    };
    expect(exported.held).toHaveLength(1);
    expect(sar.stderr).toContain(
      `Wrote the subject access export for ${exported.subjectId} to ${sarFile}: 1 event(s) held, ${exported.disclosures.length} disclosure record(s)`,
    );

    const jsonFile = join(dataDir, 'register.json');
    const json = cli(['audit', 'export', '--out', jsonFile], { DATA_DIR: dataDir });
    expect(json.status).toBe(0);
    const register = JSON.parse(readFileSync(jsonFile, 'utf8')) as {
      records: unknown[];
      checkpoints: unknown[];
    };
    expect(register.records.length).toBeGreaterThan(0);
    expect(json.stderr).toContain(
      `Wrote ${register.records.length} audit record(s) and ${register.checkpoints.length} signed checkpoint(s) as json to ${jsonFile}`,
    );
    const csvFile = join(dataDir, 'register.csv');
    const csv = cli(['audit', 'export', '--format', 'csv', '--out', csvFile], { DATA_DIR: dataDir });
    expect(csv.status).toBe(0);
    const rows = readFileSync(csvFile, 'utf8').trimEnd().split('\n').length - 1;
    expect(csv.stderr).toContain(`Wrote ${rows} audit record(s) as csv to ${csvFile}`);

    expect((await server.signal('SIGTERM')).code).toBe(0);
  });

  it('shows the demo load progressing on standard error, apart from the log', () => {
    const dataDir = dir('demo');
    const run = cli(['demo'], { DATA_DIR: dataDir, LOG_LEVEL: 'info' }, 180_000);
    expect(run.status).toBe(0);
    const total = Number(/(\d+) events stored/.exec(run.stdout)?.[1]);
    expect(total).toBeGreaterThan(40_000);
    const progress = [...run.stderr.matchAll(/(\d+)% \| (\d+)\/(\d+) events \| ([\d-]+) events\/s/g)];
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)!.slice(1, 4)).toEqual(['100', String(total), String(total)]);
    expect(run.stdout).not.toMatch(/% \|/);
    for (const line of run.stderr.split('\n').filter((text) => text.includes('events/s')))
      expect(line.startsWith('{')).toBe(false);
  });

  it("checks the worker's heartbeat: healthy while it runs, not before or after", async () => {
    const dataDir = dir('health');
    const before = cli(['health'], { DATA_DIR: dataDir });
    expect(before.status).toBe(1);
    expect(before.stderr).toContain(`Unhealthy: No worker heartbeat at ${join(dataDir, 'worker.heartbeat')}`);

    const worker = ServerProcess.worker(dataDir, { LOG_LEVEL: 'info' });
    servers.push(worker);
    await worker.logged('Worker running');
    const during = cli(['health'], { DATA_DIR: dataDir });
    expect(during.stderr).toBe('');
    expect(during.status).toBe(0);
    expect(during.stdout).toMatch(/^Healthy: the worker \(pid \d+\) beat [\d.]+ s ago/);

    expect((await worker.signal('SIGTERM')).code).toBe(0);
    const after = cli(['health'], { DATA_DIR: dataDir });
    expect(after.status).toBe(1);
    expect(after.stderr).toContain('Unhealthy');
  });

  it('refuses to start the worker on a Kafka credential it cannot read, in one line naming the setting', () => {
    const dataDir = dir('kafka-credential');
    const missing = join(dataDir, 'no-such-password');
    const run = cli(['worker'], {
      DATA_DIR: dataDir,
      KAFKA_BROKERS: '127.0.0.1:9',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'worker',
      KAFKA_SASL_PASSWORD_FILE: missing,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `KAFKA_SASL_PASSWORD_FILE names ${missing}, which cannot be read (no such file)\n`,
    );
  });
});

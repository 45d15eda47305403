import { readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { parse } from 'yaml';
import { defaultAgreementFile } from '@throughline/sharing';
import { buildProgram } from '../src/program';
import { type Instruction, readDockerfile } from './dockerfile';
import { ROOT } from './run-cli';

/**
 * The image cannot be built here, so these read the Dockerfile as Docker does, instruction by
 * instruction, and check it against what the code needs at run time: the default agreement beside
 * the code, and the mount points the compose file uses writable by the user the image runs as.
 */
const finalStage = (): readonly Instruction[] =>
  readDockerfile(join(ROOT, 'Dockerfile')).at(-1)!.instructions;

interface Service {
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
}
const services = (
  parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> }
).services;
const built = ['api', 'worker'];

describe('the Dockerfile, read against the code and docker-compose.yml', () => {
  const stage = finalStage();
  const workdir = stage.find((instruction) => instruction.keyword === 'WORKDIR')!.args;
  const userAt = stage.findIndex((instruction) => instruction.keyword === 'USER');
  const user = stage[userAt]!.args;

  it('puts the default agreement where the compiled code looks for it', () => {
    const needed = relative(ROOT, defaultAgreementFile()).split('\\').join('/');
    const landed = stage
      .filter((instruction) => instruction.keyword === 'COPY' && instruction.flags.from === undefined)
      .map((instruction) => instruction.args.split(/\s+/) as [string, string])
      .filter(([source]) => needed === source || needed.startsWith(`${source.replace(/\/$/, '')}/`))
      .map(([source, target]) => posix.join(posix.resolve(workdir, target), needed.slice(source.length)));
    expect(landed).toContain(posix.join(workdir, needed));
  });

  it('makes every mount point the api and the worker write owned by the user the image runs as', () => {
    expect(user).toBe('node');
    const mounts = new Set([
      ...built.flatMap((name) => (services[name]!.volumes ?? []).map((volume) => volume.split(':')[1]!)),
      ...stage
        .filter((instruction) => instruction.keyword === 'VOLUME')
        .map((instruction) => instruction.args),
    ]);
    expect([...mounts].sort()).toEqual(['/data', '/keys', '/witness']);
    const before = stage
      .slice(0, userAt)
      .filter((instruction) => instruction.keyword === 'RUN')
      .map((instruction) => instruction.args.split('&&').map((command) => command.trim().split(/\s+/)));
    const commands = before.flat();
    for (const mount of mounts) {
      const made = commands.some(([program, ...args]) => program === 'mkdir' && args.includes(mount));
      const owned = commands.some(
        ([program, owner, ...paths]) =>
          program === 'chown' && [user, `${user}:${user}`].includes(owner!) && paths.includes(mount),
      );
      expect({ mount, made, owned }).toEqual({ mount, made: true, owned: true });
    }
    // DATA_DIR and the audit key live on those mounts.
    for (const name of built) {
      const env = services[name]!.environment ?? {};
      expect(mounts).toContain(env.DATA_DIR);
      expect(mounts).toContain(posix.dirname(env.AUDIT_SIGNING_KEY_FILE!));
    }
  });

  it("checks the worker's health with a command the CLI has, on the worker's DATA_DIR", () => {
    const [node, launcher, command, ...rest] = services.worker!.healthcheck!.test.slice(1);
    expect([node, launcher]).toEqual(['node', 'bin/throughline.js']);
    const declared = buildProgram().commands.find((candidate) => candidate.name() === command);
    expect(declared?.name()).toBe('health');
    expect(rest).toEqual([]);
    expect(services.worker!.environment?.DATA_DIR).toBe('/data');
  });
});

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import { CONFIG_ENV_VARS } from '@throughline/platform';
import { envOf, type Instruction, readDockerfile, type Stage } from './dockerfile';
import { ROOT } from './run-cli';

/**
 * Docker cannot run here, so this builds the image's file tree the way the Dockerfile says, stage
 * by stage, into a temporary directory, and runs the image's command from it, as the image's user
 * when the test can switch to it: the code, the default agreement, the mount points and the
 * settings the running container would have, nothing from the checkout around it.
 *
 * A stage's RUN steps are reproduced from the worktree where they build something (`npm ci`: the
 * installed packages; its `prepare` script: the compiled tree, which `npm run build` made), and
 * carried out where they shape the file system (mkdir, chown, chmod). A RUN step this test does not
 * know fails it, so a changed Dockerfile cannot pass unexamined.
 */

/** The official node images' users. */
const USERS: Record<string, number> = { root: 0, node: 1000 };
const uidOf = (user: string): number => {
  const uid = USERS[user.split(':')[0]!];
  if (uid === undefined) throw new Error(`unknown image user ${user}`);
  return uid;
};
const isRoot = process.getuid?.() === 0;

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  engines: { node: string };
};

interface Image {
  readonly root: string;
  readonly workdir: string;
  readonly env: Record<string, string>;
  readonly user: string;
  readonly volumes: string[];
  readonly cmd: readonly string[];
  readonly healthcheck: Instruction | undefined;
}

/** A path inside the image, in the tree being assembled. */
const inImage = (root: string, path: string): string => join(root, posix.resolve('/', path));

function copyFromContext(source: string, target: string): void {
  const from = join(ROOT, source);
  if (!existsSync(from)) throw new Error(`COPY ${source}: not in the build context`);
  cpSync(from, target, { recursive: true, verbatimSymlinks: true });
}

function runStep(command: string, root: string, workdir: string): void {
  const [program = '', ...args] = command.trim().split(/\s+/);
  const paths = (list: string[]) =>
    list.filter((arg) => !arg.startsWith('-')).map((path) => inImage(root, path));
  switch (program) {
    case 'mkdir':
      for (const path of paths(args)) mkdirSync(path, { recursive: true });
      return;
    case 'chown': {
      const [owner = '', ...rest] = args;
      if (isRoot)
        for (const path of paths(rest)) chownSync(path, uidOf(owner), uidOf(owner.split(':')[1] ?? owner));
      return;
    }
    case 'chmod': {
      const [mode = '', ...rest] = args;
      for (const path of paths(rest)) chmodSync(path, parseInt(mode, 8));
      return;
    }
    case 'npm': {
      const [verb] = args;
      if (verb === 'ci') {
        // The packages the lock file pins (the worktree's own install of it), then the package's
        // prepare script, which npm runs after `ci`: the compiled tree.
        symlinkSync(join(ROOT, 'node_modules'), join(root, workdir, 'node_modules'));
        expect(pkg.scripts.prepare).toBe('npm run build');
        const dist = join(ROOT, 'dist');
        if (!existsSync(join(dist, 'apps', 'cli', 'src', 'main.js')))
          throw new Error(
            'dist/ is not built: run `npm run build` first (the image builds it in its build stage)',
          );
        cpSync(dist, join(root, workdir, 'dist'), { recursive: true });
        return;
      }
      // Leaves the development packages in place here: the run proves the production ones suffice
      // only as far as nothing imports a development package, which the lint rules hold.
      if (verb === 'prune') return;
      break;
    }
    case 'apt-get':
    case 'rm':
      // The base image's package cache: nothing the application reads.
      return;
  }
  throw new Error(
    `this test does not know what RUN \`${command}\` produces: teach it, or change the Dockerfile`,
  );
}

/** Builds every stage in order; answers the last one, the image. */
function assemble(stages: readonly Stage[], into: string): Image {
  const built = new Map<string, string>();
  let image: Image | undefined;
  stages.forEach((stage, index) => {
    const root = join(into, `stage-${index}`);
    mkdirSync(root);
    // What the node base images hold that the application relies on: the user's home.
    mkdirSync(join(root, 'home', 'node'), { recursive: true });
    if (isRoot) chownSync(join(root, 'home', 'node'), USERS.node!, USERS.node!);
    let workdir = '/';
    let user = 'root';
    const env: Record<string, string> = {};
    const volumes: string[] = [];
    let cmd: readonly string[] = [];
    let healthcheck: Instruction | undefined;
    for (const step of stage.instructions) {
      switch (step.keyword) {
        case 'WORKDIR':
          workdir = posix.resolve(workdir, step.args);
          mkdirSync(join(root, workdir), { recursive: true });
          break;
        case 'COPY': {
          const words = step.exec ?? step.args.split(/\s+/);
          const sources = words.slice(0, -1);
          const target = posix.resolve(workdir, words[words.length - 1]!);
          const into = target.endsWith('/') || words[words.length - 1]!.endsWith('/') || sources.length > 1;
          for (const source of sources) {
            const destination = inImage(root, into ? posix.join(target, basename(source)) : target);
            const from = step.flags.from;
            if (from === undefined) copyFromContext(source, destination);
            else {
              const stageRoot = built.get(from);
              if (!stageRoot) throw new Error(`COPY --from=${from}: not an earlier stage of this Dockerfile`);
              cpSync(inImage(stageRoot, posix.resolve('/', source)), destination, {
                recursive: true,
                verbatimSymlinks: true,
              });
            }
          }
          break;
        }
        case 'RUN':
          if (step.exec) throw new Error(`RUN in exec form is not reproduced: ${step.args}`);
          for (const command of step.args.split('&&')) runStep(command, root, workdir);
          break;
        case 'ENV':
          Object.assign(env, envOf(step.args));
          break;
        case 'USER':
          user = step.args;
          break;
        case 'VOLUME':
          volumes.push(...(step.exec ?? step.args.split(/\s+/)));
          break;
        case 'CMD':
          if (!step.exec) throw new Error('CMD in shell form: signals would reach a shell, not the process');
          cmd = step.exec;
          break;
        case 'HEALTHCHECK':
          healthcheck = step;
          break;
        case 'EXPOSE':
        case 'LABEL':
        case 'ARG':
          break;
        default:
          throw new Error(`this test does not reproduce ${step.keyword}`);
      }
    }
    built.set(stage.name ?? String(index), root);
    image = { root, workdir, env, user, volumes, cmd, healthcheck };
  });
  if (!image) throw new Error('the Dockerfile has no stage');
  return image;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', resolve));

describe('the Docker image, assembled from the Dockerfile and run', () => {
  const stages = readDockerfile(join(ROOT, 'Dockerfile'));
  const stageNames = new Set(stages.map((stage) => stage.name).filter(Boolean));
  let dir: string;
  let image: Image;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'throughline-image-'));
    // The image's user must be able to reach its own tree.
    if (isRoot) chmodSync(dir, 0o755);
    image = assemble(stages, dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds on base images pinned to a release that satisfies the engines field', () => {
    const [minimum = ''] = /\d+\.\d+/.exec(pkg.engines.node) ?? [];
    for (const { image: base } of stages.filter((stage) => !stageNames.has(stage.image))) {
      const tag = /^node:(\d+)\.(\d+)\.(\d+)-[a-z0-9-]+(@sha256:[0-9a-f]{64})?$/.exec(base);
      expect({ base, pinned: tag !== null }).toEqual({ base, pinned: true });
      const [major, minor] = minimum.split('.').map(Number);
      expect(Number(tag![1]) > major! || (Number(tag![1]) === major && Number(tag![2]) >= minor!)).toBe(true);
    }
  });

  it('compiles in the build stage from everything the build reads', () => {
    const build = stages.find(
      (stage) =>
        stage.name &&
        stages.some((other) => other.instructions.some((step) => step.flags.from === stage.name)),
    );
    const copied = build!.instructions
      .filter((step) => step.keyword === 'COPY' && step.flags.from === undefined)
      .flatMap((step) => step.args.split(/\s+/).slice(0, -1));
    const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
      extends: string;
      include: string[];
    };
    const needed = [
      'package.json',
      'package-lock.json',
      'tsconfig.build.json',
      posix.normalize(tsconfig.extends),
      ...tsconfig.include.map((pattern) => pattern.split('/')[0]!),
    ];
    for (const file of needed)
      expect({ file, copied: copied.includes(file) }).toEqual({ file, copied: true });
  });

  it('runs as a user who is not root, owning every volume and the mount points', () => {
    expect(image.user).not.toBe('root');
    expect(image.volumes.length).toBeGreaterThan(0);
    for (const volume of [...image.volumes, '/keys', '/witness']) {
      const stat = statSync(inImage(image.root, volume));
      expect({ volume, mode: (stat.mode & 0o777).toString(8) }).toEqual({ volume, mode: '700' });
      if (isRoot) expect({ volume, uid: stat.uid }).toEqual({ volume, uid: uidOf(image.user) });
    }
  });

  it('serves: ready on its health route, healthy by its own HEALTHCHECK, and stops cleanly on SIGTERM', async () => {
    expect(image.cmd[0]).toBe('node');
    expect(image.healthcheck?.exec?.[0]).toBe('node');
    const port = await freePort();
    // The image's settings, with its absolute paths inside the assembled tree; loopback rather than
    // all interfaces, and a free port, as every test server here.
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(image.env))
      env[name] =
        value.startsWith('/') && existsSync(inImage(image.root, value)) ? inImage(image.root, value) : value;
    const keyFile = inImage(image.root, '/keys/audit-signing-key.pem');
    const base: NodeJS.ProcessEnv = { ...process.env };
    for (const name of CONFIG_ENV_VARS) delete base[name];
    for (const name of ['NODE_OPTIONS', 'DATABASE_URL', 'NODE_ENV']) delete base[name];
    const processEnv = {
      ...base,
      ...env,
      HOME: inImage(image.root, '/home/node'),
      HOST: '127.0.0.1',
      PORT: String(port),
      AUDIT_SIGNING_KEY_FILE: keyFile,
      LOG_LEVEL: 'warn',
    };
    const as = isRoot ? { uid: uidOf(image.user), gid: uidOf(image.user) } : {};
    const cwd = join(image.root, image.workdir);
    const node = (args: readonly string[]) => [process.execPath, ...args.slice(1)] as const;

    // What the compose file's audit-key step does before the first start.
    const [keyProgram, ...keyArgs] = node(['node', 'bin/throughline.js', 'audit', 'key', keyFile]);
    const made = spawnSync(keyProgram, keyArgs, {
      cwd,
      env: processEnv,
      encoding: 'utf8',
      timeout: 60_000,
      ...as,
    });
    expect({ status: made.status, stderr: made.stderr }).toEqual({
      status: 0,
      stderr: expect.stringContaining('Created audit signing key'),
    });
    expect(existsSync(keyFile)).toBe(true);

    const [program, ...args] = node(image.cmd);
    const child = spawn(program, args, { cwd, env: processEnv, stdio: ['ignore', 'ignore', 'pipe'], ...as });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    try {
      const deadline = Date.now() + 60_000;
      let ready = false;
      while (!ready) {
        if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${stderr}`);
        if (Date.now() > deadline) throw new Error(`not ready within 60 s: ${stderr}`);
        ready = await fetch(`http://127.0.0.1:${port}/health/ready`)
          .then((response) => response.ok)
          .catch(() => false);
        if (!ready) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      // The data directory the image's user writes, created under the volume.
      expect(readdirSync(env.DATA_DIR!).length).toBeGreaterThan(0);
      if (isRoot) expect(statSync(env.DATA_DIR!).uid).toBe(uidOf(image.user));

      const [checkProgram, ...checkArgs] = node(image.healthcheck!.exec!);
      const check = spawnSync(checkProgram, checkArgs, { cwd, env: processEnv, timeout: 30_000, ...as });
      expect(check.status).toBe(0);

      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited(child);
      }
    }
    // Down, the same check says so.
    const [checkProgram, ...checkArgs] = node(image.healthcheck!.exec!);
    expect(
      spawnSync(checkProgram, checkArgs, { cwd, env: processEnv, timeout: 30_000, ...as }).status,
    ).not.toBe(0);
  });
});

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_ENV_VARS } from '@throughline/platform';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'bin', 'throughline.js');

/** The compiled CLI runs the real process; a stale or missing build would test something else. */
export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js')))
    throw new Error(
      'dist/ is missing: run `npm run build` before this suite (npm run test:e2e does not build).',
    );
}

/** Only DATA_DIR and LOG_LEVEL reach the child, so a developer's DATABASE_URL or KAFKA_BROKERS cannot leak in. */
function childEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONFIG_ENV_VARS) delete env[name];
  return { ...env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...extra };
}

/** Runs one CLI command to completion and returns its stdout; stderr ends up in the thrown error. */
export function runCli(
  dataDir: string,
  args: readonly string[],
  timeoutMs = 60_000,
  env: Record<string, string> = {},
): string {
  return execFileSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: childEnv(dataDir, env),
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Rejects if `promise` does not settle in time, so no wait in a test is unbounded. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** `throughline serve` as a separate OS process, so it can be killed the way production dies. */
export class ServerProcess {
  private readonly output: string[] = [];
  /** When each line of `output` arrived, by this process's clock. */
  private readonly arrivals: number[] = [];
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
    // Drain both pipes (a full pipe would stall the server) and keep the tail for failure messages.
    const keep = (chunk: Buffer) => {
      const lines = chunk.toString('utf8').split('\n').filter(Boolean);
      this.output.push(...lines);
      this.arrivals.push(...lines.map(() => Date.now()));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static start(
    dataDir: string,
    port: number,
    env: Record<string, string> = {},
    args: readonly string[] = [],
  ): ServerProcess {
    return ServerProcess.spawn(dataDir, ['serve', ...args], { ...env, PORT: String(port) }, port);
  }

  /** `throughline worker`, which listens on nothing: its `url` leads nowhere. */
  static worker(dataDir: string, env: Record<string, string> = {}): ServerProcess {
    return ServerProcess.spawn(dataDir, ['worker'], env, 0);
  }

  private static spawn(
    dataDir: string,
    args: readonly string[],
    env: Record<string, string>,
    port: number,
  ): ServerProcess {
    // Started away from the repository, as an operator may: nothing may resolve from the working directory.
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: tmpdir(),
      env: childEnv(dataDir, env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServerProcess(child, `http://127.0.0.1:${port}`);
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Every line the process has written so far, stdout and stderr. */
  get lines(): readonly string[] {
    return this.output;
  }

  /** The last lines the process wrote, for assertion messages. */
  get tail(): string {
    return this.output.slice(-30).join('\n');
  }

  /** When the last line containing `text` arrived (Date.now() in this process), if one has. */
  lastLogged(text: string): number | undefined {
    for (let index = this.output.length - 1; index >= 0; index--)
      if (this.output[index]!.includes(text)) return this.arrivals[index];
    return undefined;
  }

  /** Waits until the process has written a line containing `text` (a log line, at LOG_LEVEL info for most). */
  async logged(text: string, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.output.find((written) => written.includes(text));
      if (line !== undefined) return line;
      if (!this.running)
        throw new Error(
          `Process exited (${JSON.stringify(this.exit)}) before logging "${text}":\n${this.tail}`,
        );
      if (Date.now() > deadline)
        throw new Error(`"${text}" not logged within ${timeoutMs} ms:\n${this.tail}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Polls /health/ready until it answers 200: projections have caught up with the log. */
  async ready(timeoutMs = 60_000): Promise<{ head: number }> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running)
        throw new Error(`Server exited (${JSON.stringify(this.exit)}) before ready:\n${this.tail}`);
      const response = await fetch(`${this.url}/health/ready`).catch(() => undefined);
      if (response?.status === 200) return (await response.json()) as { head: number };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Server not ready within ${timeoutMs} ms:\n${this.tail}`);
  }

  async signal(signal: NodeJS.Signals, timeoutMs = 60_000): Promise<Exit> {
    if (this.running) this.child.kill(signal);
    return within(this.exited, timeoutMs, `the server to exit after ${signal}`);
  }
}

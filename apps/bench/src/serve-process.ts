import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CAPACITY_LIMITS } from './backends';

/** The CLI launcher beside the compiled tree (`dist/apps/bench/src` -> `bin/throughline.js`). */
const CLI = join(__dirname, '..', '..', '..', '..', 'bin', 'throughline.js');
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;
/** Kept of what the process wrote to stderr, to say why it failed. */
const STDERR_KEPT = 4_000;

export interface ServeProcess {
  readonly baseUrl: string;
  readonly pid: number;
  /** SIGTERM, as a supervisor stops it; SIGKILL if it has not exited within 30 s. */
  readonly stop: () => Promise<void>;
}

/** A port free on 127.0.0.1 at the moment of asking. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port was given');
  return address.port;
}

/**
 * `node bin/throughline.js serve` as a deployment starts it: a process of its own, configured only
 * by environment variables (the storage given, 127.0.0.1 on a free port, logging off, the fair use
 * limits raised out of the way as for the other throughput figures). Resolves once
 * `/health/ready` answers 200; rejects with the end of its stderr if it exits first.
 */
export async function startServe(env: Readonly<Record<string, string>>): Promise<ServeProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'silent',
      ...CAPACITY_LIMITS,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = (): Promise<void> => stopProcess(child, exited);
  try {
    await Promise.race([
      untilReady(baseUrl),
      exited.then(([code, signal]) => {
        throw new Error(`serve exited (${code ?? signal}) before it was ready: ${stderr.trim()}`);
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, pid: child.pid!, stop };
}

async function untilReady(baseUrl: string): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  for (;;) {
    const ready = await fetch(`${baseUrl}/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    if (performance.now() > deadline) throw new Error(`serve was not ready in ${READY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopProcess(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), STOP_TIMEOUT_MS);
  });
  if ((await Promise.race([exited, late])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

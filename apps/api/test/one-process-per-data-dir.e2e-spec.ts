import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, freePort, runCli, ServerProcess, within } from './child-process';

/** The command's stderr when it fails, or a marker when it unexpectedly succeeds. */
function refusal(dataDir: string, args: readonly string[]): string {
  try {
    runCli(dataDir, args);
    return `${args.join(' ')} succeeded`;
  } catch (error) {
    return String((error as { stderr?: string }).stderr);
  }
}

describe('one process per embedded DATA_DIR', () => {
  let root: string;
  let dataDir: string;
  const started: ServerProcess[] = [];

  beforeAll(() => {
    assertBuilt();
    root = mkdtempSync(join(tmpdir(), 'throughline-one-process-'));
    dataDir = join(root, 'data');
  });
  afterAll(async () => {
    for (const server of started) await server.signal('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  const serve = async (): Promise<ServerProcess> => {
    const server = ServerProcess.start(dataDir, await freePort());
    started.push(server);
    return server;
  };

  it('refuses a second server while the first runs, lets readers in, and frees the directory when the first is killed', async () => {
    const first = await serve();
    await first.ready();

    const second = await serve();
    const exit = await within(second.exited, 60_000, 'the second server to be refused');
    expect(exit.code).not.toBe(0);
    const refused = second.lines.join('\n');
    expect(refused).toContain(`DATA_DIR ${dataDir} is in use by serve (pid `);
    expect(refused).toContain('serve will not start');

    expect(runCli(dataDir, ['token', '--agency', 'police']).trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(JSON.parse(runCli(dataDir, ['audit', 'verify']))).toMatchObject({ ok: true });
    expect(refusal(dataDir, ['rebuild'])).toContain('rebuild will not start');
    expect(refusal(dataDir, ['demo'])).toContain('demo will not start');
    expect(first.running).toBe(true);

    // No clean shutdown: the OS alone lets the lock go, and nothing is left for an operator to remove.
    await first.signal('SIGKILL');
    const third = await serve();
    await third.ready();
    await third.signal('SIGKILL');
  }, 180_000);

  it('refuses a server and a second worker beside a worker, and frees the directory when the worker is killed', async () => {
    const worker = ServerProcess.worker(dataDir, { LOG_LEVEL: 'info' });
    started.push(worker);
    await worker.logged('Worker running');

    const server = await serve();
    expect((await within(server.exited, 60_000, 'the server to be refused')).code).not.toBe(0);
    expect(server.lines.join('\n')).toContain(`DATA_DIR ${dataDir} is in use by worker (pid `);
    expect(server.lines.join('\n')).toContain('serve will not start');

    const second = ServerProcess.worker(dataDir);
    started.push(second);
    expect((await within(second.exited, 60_000, 'the second worker to be refused')).code).not.toBe(0);
    expect(second.lines.join('\n')).toContain(`DATA_DIR ${dataDir} is in use by worker (pid `);
    expect(second.lines.join('\n')).toContain('worker will not start');
    expect(worker.running).toBe(true);

    await worker.signal('SIGKILL');
    const after = await serve();
    await after.ready();
    // And a worker is refused beside a server, as a server is.
    const beside = ServerProcess.worker(dataDir);
    started.push(beside);
    expect((await within(beside.exited, 60_000, 'the worker to be refused')).code).not.toBe(0);
    expect(beside.lines.join('\n')).toContain(`DATA_DIR ${dataDir} is in use by serve (pid `);
    expect(beside.lines.join('\n')).toContain('worker will not start');
    await after.signal('SIGKILL');
  }, 180_000);
});

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
});

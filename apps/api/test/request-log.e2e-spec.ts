import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, freePort, runCli, ServerProcess } from './child-process';

describe('request logs', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeAll(() => {
    assertBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'throughline-request-log-'));
  });

  afterAll(async () => {
    await server?.signal('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('follow each request by id, method, path and status, and never write its credentials', async () => {
    const token = runCli(dataDir, [
      'token',
      '--create-key',
      '--agency',
      'police',
      '--role',
      'iom-officer',
      '--user',
      'pc-1',
    ]).trim();
    server = ServerProcess.start(dataDir, await freePort(), { LOG_LEVEL: 'info' });
    await server.ready();
    const session = 'session-cookie-value-that-must-not-be-logged';
    const response = await fetch(`${server.url}/v1/subjects`, {
      headers: {
        authorization: `Bearer ${token}`,
        cookie: `throughline_session=${session}`,
        'x-purpose-of-use': 'case-management',
        'x-request-id': 'log-check-1',
      },
    });
    expect(response.status).toBe(200);

    // The log line is written when the response finishes, which may be just after the client has it.
    const deadline = Date.now() + 5_000;
    const line = (): Record<string, unknown> | undefined =>
      server!.lines
        .filter((text) => text.startsWith('{'))
        .map((text) => JSON.parse(text) as Record<string, unknown>)
        .find((entry) => (entry.req as { id?: string } | undefined)?.id === 'log-check-1');
    while (!line() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));

    expect(line()).toMatchObject({
      req: { id: 'log-check-1', method: 'GET', url: '/v1/subjects' },
      res: { statusCode: 200 },
    });
    const everything = server.lines.join('\n');
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(session);
    expect(everything.toLowerCase()).not.toMatch(/"(authorization|cookie|set-cookie)"/);
  });

  it('writes JSON lines only, from the API and its projections thread alike, without the framework start-up chatter', () => {
    const lines = server!.lines.filter((text) => text.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    const entries = lines.map((text) => {
      // No terminal colour codes (ESC [).
      expect(text.includes(`${String.fromCharCode(27)}[`)).toBe(false);
      return JSON.parse(text) as { level: number; context?: string; msg?: string };
    });
    // Some ninety module and route lines at start-up are debug, not info.
    expect(
      entries.filter(
        (entry) =>
          entry.level >= 30 && /^(RoutesResolver|RouterExplorer|InstanceLoader)$/.test(entry.context ?? ''),
      ),
    ).toEqual([]);
    expect(entries.some((entry) => /API listening/.test(entry.msg ?? ''))).toBe(true);
  });
});

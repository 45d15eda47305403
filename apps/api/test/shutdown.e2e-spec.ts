import { mkdtempSync, rmSync } from 'node:fs';
import { type IncomingMessage, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { assertBuilt, freePort, runCli, ServerProcess, within } from './child-process';
import { type CloudEventBody, POLICE, SubjectJourney } from './cloud-events';

const GRACE_SECONDS = 10;

interface Answer {
  readonly status: number;
  readonly body: string;
}

/**
 * A POST whose body is held back: it resolves `accepted` once the server has taken the request
 * (it answers `Expect: 100-continue` only from its request handler), and sends the body on `finish`.
 */
function heldPost(
  url: string,
  token: string,
  events: CloudEventBody[],
): { accepted: Promise<void>; finish: () => Promise<Answer> } {
  const body = Buffer.from(JSON.stringify(events));
  const sent = request(`${url}/v1/events`, {
    method: 'POST',
    agent: false,
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/cloudevents-batch+json',
      'Content-Length': body.length,
      Expect: '100-continue',
    },
  });
  const answered = new Promise<Answer>((resolve, reject) => {
    sent.once('error', reject);
    sent.once('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.once('error', reject);
    });
  });
  const accepted = new Promise<void>((resolve, reject) => {
    sent.once('continue', () => resolve());
    sent.once('error', reject);
  });
  sent.flushHeaders();
  const finish = async (): Promise<Answer> => {
    const half = Math.floor(body.length / 2);
    await new Promise<void>((resolve) => sent.write(body.subarray(0, half), () => resolve()));
    sent.end(body.subarray(half));
    return answered;
  };
  return { accepted, finish };
}

/** Resolves once a new connection to the server is refused. */
async function refused(url: string): Promise<void> {
  for (;;) {
    const answer = await fetch(`${url}/health/ready`).catch(() => undefined);
    if (!answer) return;
    await answer.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function storedEvents(dataDir: string): number {
  const log = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
  try {
    return log.prepare<[], number>('SELECT COUNT(*) FROM events').pluck().get() ?? 0;
  } finally {
    log.close();
  }
}

/** Each projection's lease as the read-model file holds it: a released lease has expired at 0. */
function leaseExpiries(dataDir: string): number[] {
  const readModels = new Database(join(dataDir, 'read-models.db'), { readonly: true, fileMustExist: true });
  try {
    return readModels.prepare<[], number>('SELECT expires_at FROM projection_leases').pluck().all();
  } finally {
    readModels.close();
  }
}

describe('graceful shutdown: SIGTERM with a request in flight', () => {
  let dataDir: string;
  let police: string;
  const servers: ServerProcess[] = [];

  beforeAll(() => {
    assertBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'throughline-shutdown-'));
    police = runCli(dataDir, [
      'token',
      '--create-key',
      '--agency',
      'police',
      '--system',
      '--source',
      POLICE,
    ]).trim();
  });

  afterAll(async () => {
    await Promise.all(servers.filter((server) => server.running).map((server) => server.signal('SIGKILL')));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const startServer = async (): Promise<ServerProcess> => {
    const server = ServerProcess.start(dataDir, await freePort(), {
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS),
    });
    servers.push(server);
    await server.ready();
    return server;
  };

  it('refuses new connections, answers the request it took, stores its events and exits 0', async () => {
    const batch = Array.from({ length: 100 }, () => new SubjectJourney()).flatMap((journey) => [
      journey.registered(),
      journey.arrested(),
    ]);
    const server = await startServer();
    // The agreement the server loads on first start is in the log too.
    const before = storedEvents(dataDir);
    const post = heldPost(server.url, police, batch);
    await within(post.accepted, 5_000, 'the server to take the request');

    const exited = server.signal('SIGTERM', GRACE_SECONDS * 1000);
    await within(refused(server.url), 5_000, 'new connections to be refused');
    const answer = await within(post.finish(), 5_000, 'the request in flight to be answered');
    expect({ status: answer.status, body: answer.body.slice(0, 300) }).toEqual({
      status: 200,
      body: expect.stringContaining('"results"') as string,
    });
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(storedEvents(dataDir)).toBe(before + batch.length);
    expect(leaseExpiries(dataDir)).not.toEqual([]);
    expect(leaseExpiries(dataDir).filter((expiry) => expiry !== 0)).toEqual([]);

    const log = server.lines.join('\n');
    for (const step of [
      'SIGTERM received',
      'Not accepting connections; 1 request(s) in flight to finish',
      'Requests in flight finished, connections closed',
      'Projections stopped: batches in hand committed, leases released',
      'Stores closed',
      '"msg":"Stopped"',
    ])
      expect(log).toContain(step);

    // After a restart the log holds the batch: sent again, every event is found, none stored twice.
    const again = await startServer();
    const resent = await fetch(`${again.url}/v1/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${police}`, 'Content-Type': 'application/cloudevents-batch+json' },
      body: JSON.stringify(batch),
    });
    const results = ((await resent.json()) as { results: { duplicate: boolean }[] }).results;
    expect(results.filter((result) => !result.duplicate)).toEqual([]);
    expect(await again.signal('SIGTERM', GRACE_SECONDS * 1000)).toEqual({ code: 0, signal: null });
    expect(storedEvents(dataDir)).toBe(before + batch.length);
  }, 60_000);
});

describe('graceful shutdown: SIGTERM while the demo loads', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeAll(() => {
    assertBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'throughline-shutdown-demo-'));
  });

  afterAll(async () => {
    if (server?.running) await server.signal('SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers readiness with 503 while loading, then stops the load between batches and exits 0', async () => {
    server = ServerProcess.start(dataDir, await freePort(), { LOG_LEVEL: 'info' }, ['--demo']);
    const url = server.url;
    const loading = async (): Promise<{ status: number; detail?: string }> => {
      for (;;) {
        const answer = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1_000) }).catch(
          () => undefined,
        );
        if (answer) return { status: answer.status, ...((await answer.json()) as { detail?: string }) };
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    expect(await within(loading(), 15_000, 'readiness to answer')).toEqual({
      status: 503,
      detail: 'The demo partnership is loading',
      type: expect.any(String) as string,
      title: 'Not ready',
      instance: '/health/ready',
    });

    expect(await server.signal('SIGTERM', 10_000)).toEqual({ code: 0, signal: null });
    const log = server.lines.join('\n');
    expect(log).toContain('Demo load stopped part way');
    expect(log).toContain('"msg":"Stopped"');
  }, 30_000);
});

describe('graceful shutdown: SIGTERM to the worker', () => {
  let dataDir: string;
  let worker: ServerProcess | undefined;

  beforeAll(() => {
    assertBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'throughline-shutdown-worker-'));
  });

  afterAll(async () => {
    if (worker?.running) await worker.signal('SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops its projections, releasing their leases, closes its stores and exits 0', async () => {
    const started = (worker = ServerProcess.worker(dataDir, { LOG_LEVEL: 'info' }));
    await started.logged('Worker running', 15_000);

    expect(await started.signal('SIGTERM', GRACE_SECONDS * 1000)).toEqual({ code: 0, signal: null });
    const log = started.lines.join('\n');
    for (const step of [
      'SIGTERM received',
      'Projections stopped: batches in hand committed, leases released',
      'Stores closed',
      // The worker logs through Nest's console logger, in colour: the word, not a JSON field.
      'Stopped',
    ])
      expect(log).toContain(step);
    expect(leaseExpiries(dataDir)).not.toEqual([]);
    expect(leaseExpiries(dataDir).filter((expiry) => expiry !== 0)).toEqual([]);
  }, 30_000);
});

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { startTestApp, type TestApp } from './test-app';

interface Ended {
  readonly afterMs: number;
  /** The status line the server sent before closing, if any. */
  readonly status: string | null;
}

/**
 * Opens a raw connection, sends `head`, then one byte of `trickle` every 100 ms until the server
 * answers or closes; resolves when the socket closes, however that happens.
 */
function trickle(port: number, head: string, body: string): Promise<Ended> {
  return new Promise((resolve) => {
    const started = Date.now();
    let status: string | null = null;
    let sent = 0;
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head);
    });
    const timer = setInterval(() => {
      if (sent < body.length && socket.writable) socket.write(body[sent++]!);
    }, 100);
    socket.on('data', (chunk: Buffer) => {
      status ??= chunk.toString('latin1').split('\r\n')[0] ?? null;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ afterMs: Date.now() - started, status });
    });
  });
}

describe('slow clients', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp({ HTTP_HEADERS_TIMEOUT_SECONDS: '1', HTTP_REQUEST_TIMEOUT_SECONDS: '2' });
    await t.app.listen(0, '127.0.0.1');
    port = ((t.app.getHttpServer() as Server).address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  it('closes a connection whose body trickles in, within the request timeout', async () => {
    const ended = await trickle(
      port,
      'POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/cloudevents-batch+json\r\n' +
        'Content-Length: 100000\r\n\r\n',
      '['.repeat(1000),
    );
    expect(ended.status === null || ended.status.startsWith('HTTP/1.1 408')).toBe(true);
    // Two seconds, plus at most one second until the server next checks its connections.
    expect(ended.afterMs).toBeGreaterThanOrEqual(1900);
    expect(ended.afterMs).toBeLessThan(4500);
  });

  it('closes a connection whose headers trickle in, within the headers timeout', async () => {
    const ended = await trickle(port, 'GET /health/live HTTP/1.1\r\n', 'X-Slow: ' + 'a'.repeat(1000));
    expect(ended.status === null || ended.status.startsWith('HTTP/1.1 408')).toBe(true);
    expect(ended.afterMs).toBeLessThan(3500);
  });

  it('still answers a client that sends at an ordinary pace', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/health/live`);
    expect(response.status).toBe(200);
  });
});

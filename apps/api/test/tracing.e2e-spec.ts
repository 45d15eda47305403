import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, freePort, runCli, ServerProcess } from './child-process';

interface OtlpSpan {
  readonly name: string;
  readonly kind: number;
  readonly attributes: readonly { key: string; value: { stringValue?: string; intValue?: string } }[];
}

/**
 * The built server traced to an OTLP/HTTP receiver on loopback, as a collector would take it: what
 * arrives, and that no query value (a searched name) is in it.
 */
describe('tracing over OTLP', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let receiver: Server;
  const spans: OtlpSpan[] = [];

  beforeAll(async () => {
    assertBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'throughline-tracing-'));
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url === '/v1/traces') {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
          };
          for (const resource of body.resourceSpans)
            for (const scope of resource.scopeSpans) spans.push(...scope.spans);
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    if (server?.running) await server.signal('SIGTERM');
    await new Promise((resolve) => receiver.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('exports the server spans of each request by route, with query names but never their values', async () => {
    const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const token = runCli(dataDir, [
      'token',
      '--create-key',
      '--agency',
      'partnership',
      '--role',
      'ig-lead',
    ]).trim();
    server = ServerProcess.start(dataDir, await freePort(), {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_SERVICE_NAME: 'throughline-test',
      LOG_LEVEL: 'warn',
    });
    await server.ready();
    const search = await fetch(`${server.url}/v1/audit/subjects?familyName=Marsh&dateOfBirth=1990-04-12`, {
      headers: { authorization: `Bearer ${token}`, 'x-purpose-of-use': 'subject-access' },
    });
    expect(search.status).toBe(200);
    // Stopping sends the spans still held.
    expect((await server.signal('SIGTERM')).code).toBe(0);

    const attribute = (span: OtlpSpan, key: string): string | undefined => {
      const value = span.attributes.find((entry) => entry.key === key)?.value;
      return value?.stringValue ?? value?.intValue;
    };
    const served = spans.find(
      (span) => span.kind === 2 && attribute(span, 'http.route') === '/v1/audit/subjects',
    );
    expect(served).toBeDefined();
    expect(served!.name).toMatch(/GET/);
    expect(attribute(served!, 'http.target') ?? attribute(served!, 'url.query') ?? '').toMatch(/familyName/);
    const everything = JSON.stringify(spans);
    expect(everything).not.toContain('Marsh');
    expect(everything).not.toContain('1990-04-12');
    // Probes are not traced.
    expect(
      spans.some((span) =>
        /\/health/.test(attribute(span, 'http.target') ?? attribute(span, 'url.path') ?? ''),
      ),
    ).toBe(false);
  });
});

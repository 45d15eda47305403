import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from './test-app';

const ROOT = join(__dirname, '..', '..', '..');
const COMMITTED = join(ROOT, 'docs', 'openapi.json');

type Operation = {
  security?: unknown[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
};

describe('the API contract (OpenAPI)', () => {
  let t: TestApp;
  let served: {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, unknown> };
  };

  beforeAll(async () => {
    t = await startTestApp();
    served = (await t.http.get('/docs-json').expect(200)).body;
    // Regenerating is opt-in, as for the event catalogue's docs.
    if (process.env.UPDATE_DOCS === '1') writeFileSync(COMMITTED, `${JSON.stringify(served, null, 2)}\n`);
  });
  afterAll(() => t.close());

  it('is the document committed in docs/openapi.json (regenerate with UPDATE_DOCS=1)', () => {
    expect(JSON.parse(readFileSync(COMMITTED, 'utf8'))).toEqual(served);
  });

  it('passes the OpenAPI linter with no errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'throughline-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(served));
      const run = (): string =>
        execFileSync(
          'npx',
          ['redocly', 'lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format', 'stylish'],
          {
            cwd: ROOT,
            encoding: 'utf8',
            env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
      expect(run()).not.toMatch(/\berror\b/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('types every request body and success answer by a schema, and every problem as problem details', () => {
    const untyped: string[] = [];
    for (const [path, operations] of Object.entries(served.paths))
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          const media = Object.keys(response.content ?? {});
          if (status.startsWith('2') && media.length === 0) untyped.push(`${method} ${path} ${status}`);
          if (/^[45]/.test(status) && !media.includes('application/problem+json'))
            untyped.push(`${method} ${path} ${status} not problem details`);
        }
        if (operation.security === undefined) untyped.push(`${method} ${path}: security unstated`);
      }
    expect(untyped).toEqual([]);
    const events = served.paths['/v1/events']!.post!;
    expect(events.requestBody!.content['application/cloudevents+json']!.schema.$ref).toBe(
      '#/components/schemas/CloudEvent',
    );
    expect(served.components.schemas['Event.iom.arrest.recorded.v1']).toMatchObject({
      properties: { data: expect.any(Object) },
    });
    expect(events.responses['422']!.content!['application/problem+json']).toBeDefined();
  });
});

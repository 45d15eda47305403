import { Writable } from 'node:stream';
import { fastify, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import request from 'supertest';
import { requestIdOf, requestLog } from './request-log';

/** An app with the request log and a few routes, writing its lines to memory. */
async function appLogging(
  level: string,
): Promise<{ app: FastifyInstance['server']; lines: () => Record<string, unknown>[] }> {
  const written: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString('utf8'));
      done();
    },
  });
  const app = fastify({ genReqId: requestIdOf });
  app.addHook('onRequest', requestLog(pino({ level }, sink)));
  app.get('/v1/echo', (req) => ({ id: req.id }));
  app.get('/v1/broken', (_req, reply) => reply.code(500).send({ title: 'Internal error' }));
  app.get('/health/live', () => ({ status: 'ok' }));
  await app.ready();
  servers.push(app);
  const lines = () =>
    written
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { app: app.server, lines };
}

const servers: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** The line is written as the answer closes, which can be just after the client has read it. */
async function eventually(lines: () => Record<string, unknown>[], count: number) {
  for (let tries = 0; lines().length < count && tries < 100; tries++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  return lines();
}

describe('requestLog', () => {
  it("keeps the caller's plain request id, answers with it, and writes one line without headers or query values", async () => {
    const { app, lines } = await appLogging('info');
    const response = await request(app)
      .get('/v1/echo?q=Jane%20Doe&since=2025-01-01&q=x')
      .set('X-Request-Id', 'caller-1.a:b')
      .set('Authorization', 'Bearer secret-token')
      .set('Cookie', 'throughline_session=secret-session')
      .expect(200);

    expect(response.headers['x-request-id']).toBe('caller-1.a:b');
    expect(response.body).toEqual({ id: 'caller-1.a:b' });
    const written = await eventually(lines, 1);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { id: 'caller-1.a:b', method: 'GET', url: '/v1/echo', query: ['q', 'since'] },
      res: { statusCode: 200 },
    });
    expect(typeof written[0]!.responseTime).toBe('number');
    expect(Object.keys(written[0]!.req as object).sort()).toEqual([
      'id',
      'method',
      'query',
      'remoteAddress',
      'url',
    ]);
    expect(JSON.stringify(written)).not.toMatch(/secret|authorization|cookie|jane|doe|2025/i);
  });

  it.each([
    ['with a space', 'not plain'],
    ['too long', 'x'.repeat(129)],
    ['with a slash', 'a/b'],
  ])('gives a fresh id in place of one %s', async (_why, given) => {
    const { app } = await appLogging('info');
    const response = await request(app).get('/v1/echo').set('X-Request-Id', given).expect(200);

    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body).toEqual({ id: response.headers['x-request-id'] });
  });

  it('writes a server error at error level', async () => {
    const { app, lines } = await appLogging('info');
    await request(app).get('/v1/broken').expect(500);

    const [line] = await eventually(lines, 1);
    expect(line).toMatchObject({ level: 50, msg: 'request errored', res: { statusCode: 500 } });
  });

  it('writes no line for a health check, nor below the level that keeps request lines', async () => {
    const quiet = await appLogging('info');
    await request(quiet.app).get('/health/live').expect(200);
    const warnOnly = await appLogging('warn');
    const answered = await request(warnOnly.app).get('/v1/echo').expect(200);
    // Something is written after both, so a line that was coming would be there first.
    await request(quiet.app).get('/v1/echo').expect(200);

    expect((await eventually(quiet.lines, 1)).map((line) => line.req)).toEqual([
      expect.objectContaining({ url: '/v1/echo' }),
    ]);
    expect(warnOnly.lines()).toEqual([]);
    expect(answered.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

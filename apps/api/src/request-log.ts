import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { onRequestHookHandler } from 'fastify';
import type { Logger } from 'pino';
import { pathOf, queryParameterNames } from '@throughline/platform';

/** A caller's own request id is kept when it is this plain; anything else gets a fresh one. */
const GIVEN_ID = /^[\w.:-]{1,128}$/;

/**
 * The request's id (the server's `genReqId`, so it is `request.id`): the caller's `X-Request-Id`
 * when plain, else a fresh UUID.
 */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && GIVEN_ID.test(given) ? given : randomUUID();
}

/**
 * Answers every request with its id in `X-Request-Id`, and writes one log line when the answer is
 * done: the id, method, path, the names of the query parameters, remote address, status and time
 * taken. Never a header (headers carry bearer tokens, the web session cookie and the session a
 * sign-in sets) nor a query value (a search of the board or the IG console carries a person's
 * name): none belongs in a log. Health checks are answered without a line.
 *
 * One line from the root logger, written only at a level that keeps it: no logger per request and
 * no request-scoped context, which would make every promise of the request pay for async context
 * tracking. Lines logged while a request is served do not name it; the request's own line does.
 */
export function requestLog(
  logger: Logger,
  metrics?: { observe(method: string, route: string | undefined, status: number, seconds: number): void },
): onRequestHookHandler {
  return (request, reply, done) => {
    const id = request.id;
    reply.header('X-Request-Id', id);
    const path = pathOf(request);
    const logs = logger.isLevelEnabled('info') && !path.startsWith('/health');
    if (logs || metrics) {
      const started = performance.now();
      const response = reply.raw;
      // 'close' follows 'finish' on every answer, and comes alone when the client went first.
      response.once('close', () => {
        const took = performance.now() - started;
        // The matched route's template (`/v1/subjects/:subjectId`), never the path as sent.
        metrics?.observe(request.method, request.routeOptions.url, response.statusCode, took / 1000);
        if (!logs) return;
        const line = {
          req: {
            id,
            method: request.method,
            url: path,
            ...queryOf(request.url),
            remoteAddress: request.socket.remoteAddress,
          },
          res: { statusCode: response.statusCode },
          responseTime: Math.round(took),
        };
        if (!response.writableFinished) logger.info(line, 'request aborted');
        else if (response.statusCode >= 500) logger.error(line, 'request errored');
        else logger.info(line, 'request completed');
      });
    }
    done();
  };
}

const queryOf = (url: string): { query?: string[] } => {
  const names = queryParameterNames(url);
  return names.length > 0 ? { query: names } : {};
};

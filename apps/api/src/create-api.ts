import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import { type INestApplication, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyServerOptions } from 'fastify';
import { pino } from 'pino';
import { AuditService } from '@throughline/audit';
import { startProjectionsThread } from '@throughline/background';
import { CredentialLimits } from '@throughline/auth';
import { EventStore } from '@throughline/event-store';
import {
  isFresh,
  JsonLogger,
  pathOf,
  problemOf,
  sendProblem,
  setRetryAfter,
  type ThroughlineConfig,
  traceRoute,
  weakEtag,
} from '@throughline/platform';
import { ProjectionRunner } from '@throughline/projections';
import { FORM_TYPE, parseFormBody } from '@throughline/web';
import { ApiModule } from './api.module';
import { parseJsonBody } from './json-body';
import { ApiMetrics } from './metrics';
import { openApiDocument } from './openapi';
import { requestIdOf, requestLog } from './request-log';

/**
 * Where the API's projections run: on a thread of their own (the default when the configuration
 * runs them), on the thread that answers requests (tests that step through them), or not at all
 * (a deployment that leaves them to the worker).
 */
export type ProjectionsMode = 'thread' | 'inline' | 'off';

/**
 * Builds the HTTP application: body parsing, problem details, OpenAPI. Signals are the process's
 * to handle (`serve`); `close()` lets the requests in flight finish before the stores close.
 */
export async function createApi(
  config: ThroughlineConfig,
  options: { projections?: ProjectionsMode } = {},
): Promise<INestApplication> {
  const logger = pino({ level: config.logLevel });
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(config),
    new BoundedFastifyAdapter(config.http, {
      bodyLimit: config.bodyLimitBytes,
      genReqId: requestIdOf,
      // A path that does not decode is refused before any route or hook, as any bad request is.
      frameworkErrors: (error, request, reply) => {
        reply.header('X-Request-Id', request.id);
        sendProblem(reply, problemOf(error), request.url);
      },
      trustProxy: false,
      // Flat name=value pairs; a repeated name parses to an array, which the query string rule
      // refuses (QueryStringGuard, or the guard that authenticates the route: see Admission).
      routerOptions: {
        querystringParser: (query) => parseQueryString(query),
        // Paths match as they always have: in any case, with or without a trailing slash.
        ignoreTrailingSlash: true,
        caseSensitive: false,
        // A parameter of any length reaches its route, which refuses what it cannot take (a subject
        // id too long is a 400 naming the rule, not a 404); Node's header limit bounds the URL.
        maxParamLength: 16 * 1024,
      },
    }),
    { bodyParser: false, bufferLogs: true },
  );
  app.useLogger(new JsonLogger(logger));
  const server = app.getHttpAdapter().getInstance();
  // First, so that every answer, refused early or not, carries its request id and its log line.
  server.addHook('onRequest', requestLog(logger, app.get(ApiMetrics)));
  server.addHook('onRequest', (request, _reply, done) => {
    traceRoute(request.routeOptions.url);
    done();
  });
  // A credential already past its limit is refused before its body is read (CredentialLimits).
  const limits = app.get(CredentialLimits);
  server.addHook('onRequest', (request, reply, done) => {
    const publishing = request.method === 'POST' && pathOf(request) === '/v1/events';
    const refused = limits.refuseEarly(request.headers.authorization, publishing);
    if (!refused) return done();
    setRetryAfter(reply, refused);
    sendProblem(reply, refused.problem, request.url);
  });
  // Every answer written whole carries its weak entity tag, and a read the client holds is a 304.
  server.addHook('onSend', (request, reply, payload, done) => {
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return done(null, payload);
    let etag = reply.getHeader('etag');
    if (typeof etag !== 'string') {
      etag = weakEtag(payload);
      reply.header('ETag', etag);
    }
    const status = reply.statusCode;
    const cacheable = (status >= 200 && status < 300) || status === 304;
    if (!cacheable || (request.method !== 'GET' && request.method !== 'HEAD') || !isFresh(request, etag))
      return done(null, payload);
    reply.code(304).removeHeader('content-type').removeHeader('content-length');
    done(null, null);
  });
  // JSON (application/json and application/*+json) for the API, forms for the pages; any other body
  // is left unread and the route sees none.
  server.removeAllContentTypeParsers();
  for (const type of ['application/json', /^application\/[^;]+\+json(;|$)/])
    server.addContentTypeParser(type, { parseAs: 'string' }, parseJsonBody);
  server.addContentTypeParser(FORM_TYPE, parseFormBody);
  server.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  SwaggerModule.setup('docs', app, () => openApiDocument(app), { jsonDocumentUrl: 'docs-json' });

  await app.init();
  await server.ready();
  // Refuses to start without the audit signing key (server mode), naming the setting; embedded
  // mode makes one on first start.
  await app.get(AuditService).signing();
  const projections = options.projections ?? (config.runProjections ? 'thread' : 'off');
  if (projections === 'inline') await app.get(ProjectionRunner).start();
  if (projections === 'thread') {
    await startProjectionsThread(config, app.get(EventStore), app.get(ProjectionRunner));
  }
  return app;
}

/**
 * Fastify on a Node server that bounds how long one client may hold a connection: a request that
 * trickles its headers or body gets a 408 and the socket closes. Node checks the bounds every
 * `connectionsCheckingInterval` (30 s unless given), which would let a sender hold on that much
 * longer, and takes that interval only when the server is created, hence creating it here.
 */
export class BoundedFastifyAdapter extends FastifyAdapter {
  private readonly inFlight: InFlight;

  constructor(limits: ThroughlineConfig['http'], options: FastifyServerOptions) {
    const inFlight = new InFlight();
    super({
      ...options,
      // Answered while draining, with the connection closed after (InFlight), never a 503.
      return503OnClosing: false,
      forceCloseConnections: 'idle',
      serverFactory: (handler: (request: IncomingMessage, response: ServerResponse) => void) =>
        inFlight.track(
          createServer(
            {
              headersTimeout: limits.headersTimeoutMs,
              requestTimeout: limits.requestTimeoutMs,
              keepAliveTimeout: limits.keepAliveTimeoutMs,
              connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
            },
            handler,
          ),
        ),
    });
    this.inFlight = inFlight;
  }

  /** The requests accepted and not yet answered, as method and path. */
  unfinishedRequests(): string[] {
    return this.inFlight.unfinished();
  }

  /**
   * Stops accepting connections and closes the idle ones, lets every accepted request finish, and
   * closes each connection after its answer, so no client loses a request the API took.
   */
  override async close(): Promise<undefined> {
    const logger = new NestLogger('Http');
    logger.log(`Not accepting connections; ${this.inFlight.drain()} request(s) in flight to finish`);
    await super.close();
    logger.log('Requests in flight finished, connections closed');
    return undefined;
  }
}

/** The requests a server has taken and not yet answered, and the closing of its connections. */
class InFlight {
  private readonly responses = new Map<ServerResponse, string>();
  private server: Server | undefined;
  private draining = false;

  track(server: Server): Server {
    this.server = server;
    // Ahead of Fastify, so a request answered at once is still counted while it is written.
    server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
      if (this.draining) closeAfter(response);
      this.responses.set(response, `${request.method} ${request.url?.split('?')[0]}`);
      response.once('close', () => this.responses.delete(response));
      // A kept-alive connection answered while draining would otherwise wait out its idle timeout.
      response.once('finish', () => {
        if (this.draining) setImmediate(() => server.closeIdleConnections());
      });
    });
    return server;
  }

  unfinished(): string[] {
    return [...this.responses.values()];
  }

  /** From now on every answer closes its connection; returns how many requests are in flight. */
  drain(): number {
    this.draining = true;
    for (const response of this.responses.keys()) closeAfter(response);
    return this.responses.size;
  }
}

function closeAfter(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('Connection', 'close');
}

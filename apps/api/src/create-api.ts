import { createServer, type Server, type ServerResponse } from 'node:http';
import { type INestApplication, Logger as NestLogger, type NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { pino } from 'pino';
import { AuditService } from '@throughline/audit';
import { CredentialLimits } from '@throughline/auth';
import { EventStore } from '@throughline/event-store';
import {
  JsonLogger,
  problemOf,
  sendProblem,
  setRetryAfter,
  type ThroughlineConfig,
} from '@throughline/platform';
import { ProjectionRunner } from '@throughline/projections';
import { startProjectionsThread } from '../../worker/src/projections-thread';
import { ApiModule } from './api.module';
import { ApiMetrics } from './metrics';
import { openApiDocument } from './openapi';
import { requestLog } from './request-log';

const JSON_TYPES = ['application/json', 'application/*+json'];

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
  const app = await NestFactory.create<NestExpressApplication>(
    ApiModule.forRoot(config),
    new BoundedExpressAdapter(config.http),
    {
      bodyParser: false,
      bufferLogs: true,
    },
  );
  app.useLogger(new JsonLogger(logger));
  app.set('trust proxy', false);
  // Flat name=value pairs only (Express 5's default, named so a change of default cannot bring
  // nested objects); a repeated name still parses to an array, which the query string rule refuses
  // (QueryStringGuard, or the guard that authenticates the route: see Admission).
  app.set('query parser', 'simple');
  app.disable('x-powered-by');
  // First, so that every answer, refused early or not, carries its request id and its log line.
  app.use(requestLog(logger, app.get(ApiMetrics)));
  // A credential already past its limit is refused before its body is read (CredentialLimits).
  const limits = app.get(CredentialLimits);
  app.use((request: Request, response: Response, next: NextFunction) => {
    const publishing = request.method === 'POST' && request.path === '/v1/events';
    const refused = limits.refuseEarly(request.headers.authorization, publishing);
    if (!refused) return next();
    setRetryAfter(response, refused);
    sendProblem(response, refused.problem, request.originalUrl);
  });
  const json = express.json({ type: JSON_TYPES, limit: config.bodyLimitBytes, strict: true });
  // Body-parser errors happen before Nest's filters see the request, so render them here.
  app.use((request: Request, response: Response, next: NextFunction) =>
    json(request, response, (error?: unknown) =>
      error ? sendProblem(response, problemOf(error), request.originalUrl) : next(),
    ),
  );

  SwaggerModule.setup('docs', app, () => openApiDocument(app), { jsonDocumentUrl: 'docs-json' });

  await app.init();
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
 * Express behind a Node server that bounds how long one client may hold a connection: a request
 * that trickles its headers or body gets a 408 and the socket closes. Node checks the bounds every
 * `connectionsCheckingInterval` (30 s unless given), which would let a sender hold on that much
 * longer, and takes that interval only when the server is created, hence creating it here.
 */
export class BoundedExpressAdapter extends ExpressAdapter {
  private readonly inFlight = new Map<ServerResponse, string>();
  private draining = false;

  constructor(private readonly limits: ThroughlineConfig['http']) {
    super();
  }

  /** The requests accepted and not yet answered, as method and path. */
  unfinishedRequests(): string[] {
    return [...this.inFlight.values()];
  }

  /**
   * Stops accepting connections and closes the idle ones, lets every accepted request finish, and
   * closes each connection after its answer, so no client loses a request the API took.
   */
  override async close(): Promise<void> {
    const server = this.httpServer as Server | undefined;
    if (!server) return;
    this.draining = true;
    for (const response of this.inFlight.keys()) closeAfter(response);
    const logger = new NestLogger('Http');
    logger.log(`Not accepting connections; ${this.inFlight.size} request(s) in flight to finish`);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
    logger.log('Requests in flight finished, connections closed');
  }

  override initHttpServer(options: NestApplicationOptions): void {
    if (options.httpsOptions) throw new Error('TLS is terminated in front of the API, not by it');
    const server = createServer(
      {
        headersTimeout: this.limits.headersTimeoutMs,
        requestTimeout: this.limits.requestTimeoutMs,
        keepAliveTimeout: this.limits.keepAliveTimeoutMs,
        connectionsCheckingInterval: Math.min(1000, this.limits.headersTimeoutMs),
      },
      this.getInstance<Express>(),
    );
    this.httpServer = server;
    // Ahead of Express, so a request answered at once is still counted while it is written.
    server.prependListener(
      'request',
      (request: { method?: string; url?: string }, response: ServerResponse) => {
        if (this.draining) closeAfter(response);
        this.inFlight.set(response, `${request.method} ${request.url?.split('?')[0]}`);
        response.once('close', () => this.inFlight.delete(response));
        // A kept-alive connection answered while draining would otherwise wait out its idle timeout.
        response.once('finish', () => {
          if (this.draining) setImmediate(() => server.closeIdleConnections());
        });
      },
    );
  }
}

function closeAfter(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('Connection', 'close');
}

import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Logger } from 'nestjs-pino';
import { problemOf, sendProblem, type ThroughlineConfig } from '@throughline/platform';
import { ProjectionRunner } from '@throughline/projections';
import { ApiModule } from './api.module';

const JSON_TYPES = ['application/json', 'application/*+json'];

/** Builds the HTTP application: body parsing, problem details, OpenAPI, shutdown hooks. */
export async function createApi(
  config: ThroughlineConfig,
  options: { runProjections?: boolean } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.set('trust proxy', false);
  app.disable('x-powered-by');
  const json = express.json({ type: JSON_TYPES, limit: config.bodyLimitBytes, strict: true });
  // Body-parser errors happen before Nest's filters see the request, so render them here.
  app.use((request: Request, response: Response, next: NextFunction) =>
    json(request, response, (error?: unknown) =>
      error ? sendProblem(response, problemOf(error), request.originalUrl) : next(),
    ),
  );
  app.enableShutdownHooks();

  const openApi = new DocumentBuilder()
    .setTitle('Throughline')
    .setDescription('Event-sourced information sharing for Integrated Offender Management partnerships')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi), {
    jsonDocumentUrl: 'docs-json',
  });

  await app.init();
  if (options.runProjections ?? config.runProjections) await app.get(ProjectionRunner).start();
  return app;
}

import { context } from '@opentelemetry/api';
import { type ExportResult, getRPCMetadata, RPCType } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { queryParameterNames } from './query-names';

/** Attributes that carry a request's query string, which can hold a person's name. */
const WITH_QUERY = ['url.full', 'url.query', 'http.url', 'http.target'];

/** A URL or target with its query values taken out, the names kept: `/app/board?q=…` → `/app/board?q`. */
export function withoutQueryValues(value: string): string {
  const start = value.indexOf('?');
  if (start < 0) return value;
  const names = queryParameterNames(value);
  return `${value.slice(0, start)}${names.length > 0 ? `?${names.join('&')}` : ''}`;
}

/** A span as exported, its query values gone; everything else read through to the span. */
export function scrubbed(span: ReadableSpan): ReadableSpan {
  const attributes = { ...span.attributes };
  for (const name of WITH_QUERY) {
    const value = attributes[name];
    if (typeof value !== 'string') continue;
    if (name === 'url.query') attributes[name] = withoutQueryValues(`?${value}`).slice(1);
    else attributes[name] = withoutQueryValues(value);
  }
  return Object.create(span, { attributes: { value: attributes, enumerable: true } }) as ReadableSpan;
}

/** The exporter behind it, handed every span scrubbed (see `scrubbed`), never a query value. */
class ScrubbingExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans.map(scrubbed), done);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

let provider: NodeTracerProvider | undefined;

/**
 * Starts tracing when the environment names an OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, the standard OpenTelemetry settings, as are its protocol and
 * headers): incoming and outgoing HTTP, named by route (`traceRoute`), and PostgreSQL queries, exported over
 * OTLP/HTTP with every query value removed. Must run before those modules are loaded, so the
 * launcher calls it first. Without an endpoint nothing is loaded or patched.
 */
export function startTracing(version: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (provider) return true;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return false;
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? 'throughline',
      [ATTR_SERVICE_VERSION]: version,
    }),
    spanProcessors: [
      new BatchSpanProcessor(new ScrubbingExporter(new OTLPTraceExporter()), { scheduledDelayMillis: 1_000 }),
    ],
  });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes every few seconds would drown the requests people make.
        ignoreIncomingRequestHook: (request) => /^\/(health|metrics)(\/|\?|$)/.test(request.url ?? ''),
      }),
      // Statements are recorded with their text and never their values.
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
  return true;
}

/**
 * Names the server span of the request being served by its route's template (`http.route`, and
 * `GET /v1/subjects/:subjectId` as its name), never the path as sent. The HTTP server calls it as a
 * request is routed; without tracing it does nothing.
 */
export function traceRoute(route: string | undefined): void {
  if (!provider || route === undefined) return;
  const metadata = getRPCMetadata(context.active());
  if (metadata?.type === RPCType.HTTP) metadata.route = route;
}

/** Sends the spans still held, then stops; a process calls it as it stops. */
export async function stopTracing(): Promise<void> {
  const stopping = provider;
  provider = undefined;
  await stopping?.shutdown();
}

import { Controller, Get, Header, Headers, Inject, Injectable } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { timingSafeEqual } from 'node:crypto';
import { Gauge, type Histogram, type Registry } from 'prom-client';
import { AuditService } from '@throughline/audit';
import { EventStore } from '@throughline/event-store';
import { Metrics, ProblemException, THROUGHLINE_CONFIG, type ThroughlineConfig } from '@throughline/platform';
import { ProjectionRunner } from '@throughline/projections';

/**
 * What the API process adds to the metrics the libs declare (see `Metrics`): each request's duration
 * by method, route template (never the path as sent, which holds ids) and status; the log's head;
 * the projections' lag; the audit witnesses' deliveries. No label holds a person's data.
 */
@Injectable()
export class ApiMetrics {
  readonly registry: Registry;
  private readonly requests: Histogram<'method' | 'route' | 'status'>;

  constructor(metrics: Metrics, runner: ProjectionRunner, audit: AuditService, store: EventStore) {
    this.registry = metrics.registry;
    this.requests = metrics.histogram(
      'throughline_http_request_duration_seconds',
      'Time to answer a request, by method, route template and status',
      ['method', 'route', 'status'],
    );
    new Gauge({
      name: 'throughline_event_log_head',
      help: 'The position of the last event in the log',
      registers: [this.registry],
      async collect() {
        this.set(await store.headPosition());
      },
    });
    new Gauge({
      name: 'throughline_projection_lag_events',
      help: 'Events in the log each projection has not applied yet',
      labelNames: ['projection'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const status of await runner.status()) this.set({ projection: status.name }, status.lag);
      },
    });
    new Gauge({
      name: 'throughline_projection_quarantined',
      help: 'Documents each projection holds back pending repair',
      labelNames: ['projection'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const status of await runner.status())
          this.set({ projection: status.name }, status.quarantine.total);
      },
    });
    const witnesses = (field: 'published' | 'failures' | 'pending' | 'dropped') => ({
      labelNames: ['witness'] as const,
      registers: [this.registry],
      collect(this: Gauge<'witness'>) {
        this.reset();
        for (const delivery of audit.witnessDeliveries())
          this.set({ witness: delivery.witness }, delivery[field]);
      },
    });
    new Gauge({
      name: 'throughline_audit_witness_published',
      help: 'Checkpoints published to each witness',
      ...witnesses('published'),
    });
    new Gauge({
      name: 'throughline_audit_witness_failures',
      help: 'Failed publications to each witness',
      ...witnesses('failures'),
    });
    new Gauge({
      name: 'throughline_audit_witness_pending',
      help: 'Checkpoints waiting for each witness',
      ...witnesses('pending'),
    });
    new Gauge({
      name: 'throughline_audit_witness_dropped',
      help: 'Checkpoints given up for each witness',
      ...witnesses('dropped'),
    });
  }

  /** Records one answered request; `route` is the matched route's template, or undefined. */
  observe(method: string, route: string | undefined, status: number, seconds: number): void {
    this.requests.observe({ method, route: route ?? 'unmatched', status: String(status) }, seconds);
  }
}

/** `GET /metrics`: Prometheus text, behind METRICS_TOKEN when one is set. */
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: ApiMetrics,
    @Inject(THROUGHLINE_CONFIG) private readonly config: ThroughlineConfig,
  ) {}

  @Get()
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(@Headers('authorization') authorization: string | undefined): Promise<string> {
    const token = this.config.metricsToken;
    if (token !== undefined && !sameSecret(authorization ?? '', `Bearer ${token}`))
      throw new ProblemException(
        401,
        'unauthenticated',
        'Unauthenticated',
        'The metrics need the METRICS_TOKEN bearer',
      );
    return this.metrics.registry.metrics();
  }
}

const sameSecret = (given: string, expected: string): boolean => {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
};

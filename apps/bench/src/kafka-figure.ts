import type { Producer } from 'kafkajs';
import type { DemoPublication } from '@throughline/demo';
import type { IngestConsumer } from '@throughline/kafka';
import { ALERT_EVENTS, type AlertLatency, measureAlertLatency } from './alert-latency';
import type { Backend } from './backends';
import { type HttpIngestRun, INGEST_TARGET } from './ingest-figure';
import { type BrokerInUse, provideBroker } from './kafka-broker';
import {
  benchKafka,
  connectProducer,
  createTopics,
  demoWaves,
  kafkaNames,
  PARTITIONS,
  publish,
} from './kafka-publish';
import { type RunningWorker, startWorker, until, untilStored } from './kafka-worker';
import { type Throughput, throughput } from './raw-store';
import { type Figure, fmt, type Outcome, rateTarget, type Report } from './report';
import type { Scratch } from './scratch';

const ISSUE = 5;
const WAVE_TIMEOUT_MS = 300_000;
const CATCH_UP_TIMEOUT_MS = 300_000;

/** One backend the Kafka figure is measured on, with the HTTP figure it is set against. */
export interface KafkaTarget {
  readonly key: string;
  readonly name: 'SQLite' | 'PostgreSQL';
  /** Fresh storage: the HTTP runs' logs already hold these events. */
  readonly open: () => Promise<Backend>;
  readonly httpKey: string;
  /** The HTTP batch ingestion of the same events in this run; undefined when it failed. */
  readonly http: HttpIngestRun | undefined;
}

interface WaveRun {
  readonly name: string;
  readonly events: number;
  readonly produceMs: number;
  /** From the consumer's start until it had joined the group and held its partitions. */
  readonly joinMs: number;
  /** From the consumer's start until the wave's last event was in the log. */
  readonly storedMs: number;
}

interface KafkaIngestRun {
  readonly waves: readonly WaveRun[];
  /** Every wave, from each consumer's start until its last event was stored. */
  readonly total: Throughput;
  /** The same, leaving out the consumer starts (connecting and joining the group). */
  readonly consuming: Throughput;
  /** From the activity wave's consumer start until the projections, then the relay, caught up. */
  readonly projectedMs: number;
  readonly relayedMs: number;
  readonly alerts: AlertLatency;
}

const titleOf = (name: string): string => `Kafka topic ingestion, ${name}`;

/**
 * Issue 5: the demo published to the agencies' ingest topics on a real broker and consumed by the
 * production worker into fresh storage of each backend, set against HTTP batch ingestion of the
 * same events in the same run; then alert latency on that worker. A broker that cannot be started,
 * or a backend that fails, is reported as a failed figure and the run goes on.
 */
export async function kafkaFigures(
  report: Report,
  scratch: Scratch,
  script: string,
  publications: readonly DemoPublication[],
  targets: readonly KafkaTarget[],
): Promise<void> {
  let broker: BrokerInUse;
  try {
    report.step('Kafka: starting a broker with infra/kafka/kafka.sh, unless KAFKA_BROKERS is set');
    broker = await provideBroker(scratch, script);
  } catch (error) {
    for (const target of targets) report.add(failure(target, error));
    return;
  }
  for (const target of targets) {
    try {
      const backend = await target.open();
      const run = await measureKafka(report, scratch, broker, backend, publications);
      report.add(kafkaFigure(target, run, broker));
    } catch (error) {
      report.add(failure(target, error));
    }
  }
}

const failure = (target: KafkaTarget, error: unknown): Outcome => ({
  kind: 'failed',
  key: target.key,
  title: titleOf(target.name),
  issue: ISSUE,
  error: error instanceof Error ? error.message : String(error),
});

async function measureKafka(
  report: Report,
  scratch: Scratch,
  broker: BrokerInUse,
  backend: Backend,
  publications: readonly DemoPublication[],
): Promise<KafkaIngestRun> {
  const kafka = benchKafka(broker.brokers);
  const names = kafkaNames();
  await createTopics(scratch, kafka, names);
  const producer = await connectProducer(kafka);
  return scratch.using(
    'Kafka producer',
    producer,
    (p) => p.disconnect(),
    async () => {
      const worker = await startWorker(backend.env, broker.brokers, names);
      return scratch.using(
        'Kafka worker',
        worker,
        (w) => w.close(),
        async () => {
          // The worker joins the ingest group as it starts; each wave gets a consumer of its own instead,
          // started once the wave is on the topics, so that its time is the worker's and not the producer's.
          await worker.ingestion.stop();
          const { registrations, links, activity } = demoWaves(publications);
          const waves: WaveRun[] = [];
          for (const [name, events] of [
            ['registrations', registrations],
            ['identifier links', links],
          ] as const) {
            report.step(`${backend.name}: Kafka wave of ${events.length} ${name}`);
            const wave = await consumeWave(worker, producer, names.prefix, name, events);
            await worker.ingestion.stop(wave.consumer);
            waves.push(wave.run);
          }
          report.step(`${backend.name}: Kafka wave of ${activity.length} other events`);
          const last = await consumeWave(worker, producer, names.prefix, 'the rest', activity);
          waves.push(last.run);

          const head = await worker.store.headPosition();
          await worker.projections.waitFor(head, CATCH_UP_TIMEOUT_MS);
          const projectedMs = performance.now() - last.startedAt;
          await until(
            () => worker.relay()?.role === 'leader' && (worker.relay()?.position ?? 0) >= head,
            CATCH_UP_TIMEOUT_MS,
            'the alerts relay to reach the head of the log',
          );
          const relayedMs = performance.now() - last.startedAt;

          report.step(`${backend.name}: alert latency over ${ALERT_EVENTS} arrests`);
          const alerts = await measureAlertLatency(
            scratch,
            kafka,
            names,
            worker,
            last.consumer,
            producer,
            publications,
          );
          const events = waves.reduce((sum, wave) => sum + wave.events, 0);
          const sumOf = (ms: (wave: WaveRun) => number): number => waves.reduce((sum, w) => sum + ms(w), 0);
          return {
            waves,
            total: throughput(
              events,
              sumOf((w) => w.storedMs),
            ),
            consuming: throughput(
              events,
              sumOf((w) => w.storedMs - w.joinMs),
            ),
            projectedMs,
            relayedMs,
            alerts,
          };
        },
      );
    },
  );
}

/**
 * Publishes a wave while no ingest consumer runs, then starts one and times it until the log holds
 * every event of the wave; the consumer is left running for the caller to stop or keep.
 */
async function consumeWave(
  worker: RunningWorker,
  producer: Producer,
  prefix: string,
  name: string,
  publications: readonly DemoPublication[],
): Promise<{ readonly run: WaveRun; readonly consumer: IngestConsumer; readonly startedAt: number }> {
  const base = await worker.store.headPosition();
  const producing = performance.now();
  await publish(producer, prefix, publications);
  const startedAt = performance.now();
  const consumer = await worker.ingestion.start();
  const joinedAt = performance.now();
  await untilStored(worker, consumer, base + publications.length, publications.length, WAVE_TIMEOUT_MS);
  const storedAt = performance.now();
  return {
    consumer,
    startedAt,
    run: {
      name,
      events: publications.length,
      produceMs: startedAt - producing,
      joinMs: joinedAt - startedAt,
      storedMs: storedAt - startedAt,
    },
  };
}

function kafkaFigure(target: KafkaTarget, run: KafkaIngestRun, broker: BrokerInUse): Figure {
  const { total, alerts } = run;
  const http = target.http?.acknowledged;
  const produced = throughput(
    total.events,
    run.waves.reduce((sum, wave) => sum + wave.produceMs, 0),
  );
  return {
    kind: 'figure',
    key: target.key,
    title: titleOf(target.name),
    issue: ISSUE,
    result: `${fmt(total.perSecond)} events/s; alerts p50 ${fmt(alerts.p50Ms, 1)} ms, p99 ${fmt(alerts.p99Ms, 1)} ms`,
    baseline: http
      ? `${fmt(http.perSecond)} events/s (HTTP batch ingestion of the same events, figure ${target.httpKey})`
      : `HTTP batch ingestion (figure ${target.httpKey}) failed in this run`,
    ratio: http ? total.perSecond / http.perSecond : Number.NaN,
    target: rateTarget(INGEST_TARGET, target.name),
    met: total.perSecond >= INGEST_TARGET,
    details: [
      `${fmt(total.events)} demo events as structured CloudEvents keyed by subject reference on six ingest topics of ${PARTITIONS} partitions, consumed by one production worker (\`createWorker\`: projections, Kafka ingestion and the alerts relay in one process, as deployed) into fresh ${target.name} storage`,
      `${fmt(total.events)} events durable in ${fmt(total.ms)} ms, timed from each wave's consumer start until the log's head held the wave's last event: ${run.waves.map((w) => `${w.name} ${fmt(w.events)} in ${fmt(w.storedMs)} ms`).join(', ')}`,
      `leaving out the consumer starts (connecting and joining the group: ${run.waves.map((w) => `${fmt(w.joinMs)} ms`).join(', ')}): ${fmt(run.consuming.perSecond)} events/s`,
      `the projections had applied the whole log ${fmt(run.projectedMs)} ms after the last wave's consumer start, the alerts relay had sent the demo's alerts after ${fmt(run.relayedMs)} ms; the timed ingestion did not wait for either`,
      `producing the waves (before each was consumed, not timed in the figure) ran at ${fmt(produced.perSecond)} events/s`,
      `alert latency: ${fmt(alerts.measured)} of the ${fmt(alerts.sent)} alerts sent for ${fmt(alerts.events)} arrests published one every 40 ms on the live worker; p50 ${fmt(alerts.p50Ms, 1)} ms, p99 ${fmt(alerts.p99Ms, 1)} ms, max ${fmt(alerts.maxMs, 1)} ms from the event's \`recordedAt\` (taken by the store as the append's transaction begins, and carried as the alert's \`time\`) to the alert's arrival at a consumer of the alert topics in the bench process`,
      `broker: ${broker.origin}`,
    ],
  };
}

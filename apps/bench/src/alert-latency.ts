import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import type { DemoPublication } from '@throughline/demo';
import { DEFAULT_AGENCIES } from '@throughline/domain';
import { storedEventId } from '@throughline/ingestion';
import { type Alert, alertsTopic, type IngestConsumer, ingestTopic } from '@throughline/kafka';
import { percentile } from './http-load';
import { type KafkaNames, structuredRecord } from './kafka-publish';
import { type RunningWorker, until, untilStored } from './kafka-worker';
import type { Scratch } from './scratch';

/** Arrests published, one at a time: bounded so the measurement takes seconds, not minutes. */
export const ALERT_EVENTS = 200;
/** Between two arrests: sporadic arrivals, as alerts happen, rather than one backlog. */
const SPACING_MS = 40;
const RELAY_READY_TIMEOUT_MS = 30_000;
const ARRIVAL_TIMEOUT_MS = 60_000;

export interface AlertLatency {
  readonly events: number;
  /** Alerts the relay sent for those events, and how many of them arrived before the timeout. */
  readonly sent: number;
  readonly measured: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * Alert latency on a live worker: fresh arrests (copies of the demo's, about subjects other
 * agencies hold views of) are published to the police topic one every 40 ms, and each alert the
 * relay sends for them is timed from the event's `recordedAt` (taken by the store as the append's
 * transaction begins, and carried as the alert's `time`) to its arrival at a consumer of the alert
 * topics in this process. The caller lets the relay catch up with the demo's own alerts first, so
 * that those do not queue ahead of the measured ones.
 */
export async function measureAlertLatency(
  scratch: Scratch,
  kafka: Kafka,
  names: KafkaNames,
  worker: RunningWorker,
  consumer: IngestConsumer,
  producer: Producer,
  publications: readonly DemoPublication[],
): Promise<AlertLatency> {
  await until(() => worker.relay()?.role === 'leader', RELAY_READY_TIMEOUT_MS, 'the alerts relay to run');
  const arrests = freshArrests(publications);
  const wanted = new Set(arrests.map(({ event }) => storedEventId(event.source, event.id)));
  const latencies: number[] = [];
  const collector = await startCollector(kafka, names, (alert, arrivedAt) => {
    if (wanted.has(alert.data.eventId)) latencies.push(arrivedAt - Date.parse(alert.time));
  });
  return scratch.using(
    'alert consumer',
    collector,
    (c) => c.disconnect(),
    async () => {
      const sentBefore = worker.relay()?.sent ?? 0;
      const base = await worker.store.headPosition();
      const began = performance.now();
      for (const [index, { agency, event }] of arrests.entries()) {
        await producer.send({
          topic: ingestTopic(names.prefix, agency),
          messages: [structuredRecord(event)],
          acks: -1,
        });
        const next = began + (index + 1) * SPACING_MS;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
      }
      await untilStored(worker, consumer, base + arrests.length, arrests.length, ARRIVAL_TIMEOUT_MS);
      const last = await worker.store.headPosition();
      await until(
        () => (worker.relay()?.position ?? 0) >= last,
        ARRIVAL_TIMEOUT_MS,
        'the relay to send the alerts',
      );
      const sent = (worker.relay()?.sent ?? 0) - sentBefore;
      // Reported with what arrived rather than failed: a late alert shows as fewer measured.
      await until(() => latencies.length >= sent, ARRIVAL_TIMEOUT_MS, 'the alerts to arrive').catch(
        () => undefined,
      );
      return {
        events: arrests.length,
        sent,
        measured: latencies.length,
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        maxMs: percentile(latencies, 1),
      };
    },
  );
}

/** New arrests about the subjects of the demo's own, with new ids and the current time. */
function freshArrests(publications: readonly DemoPublication[]): DemoPublication[] {
  const bySubject = new Map<string, DemoPublication>();
  for (const publication of publications) {
    if (publication.event.type === 'iom.arrest.recorded.v1')
      bySubject.set(publication.event.subject, publication);
  }
  const templates = [...bySubject.values()];
  if (templates.length === 0) throw new Error('the demo has no arrests to copy');
  const now = new Date().toISOString();
  return Array.from({ length: ALERT_EVENTS }, (_, index) => {
    const template = templates[index % templates.length]!;
    return { ...template, event: { ...template.event, id: randomUUID(), time: now } };
  });
}

/**
 * A consumer of every agency's alert topic that reads only what arrives from now on: its group's
 * offsets are set to the topics' ends before it joins, so nothing is missed while it joins.
 */
async function startCollector(
  kafka: Kafka,
  names: KafkaNames,
  onAlert: (alert: Alert, arrivedAt: number) => void,
): Promise<{ disconnect(): Promise<void> }> {
  const topics = DEFAULT_AGENCIES.map((agency) => alertsTopic(names.prefix, agency));
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics)
      await admin.resetOffsets({ groupId: names.collectorGroup, topic, earliest: false });
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId: names.collectorGroup, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const arrivedAt = Date.now();
        if (message.value) onAlert(JSON.parse(message.value.toString('utf8')) as Alert, arrivedAt);
      },
    });
  } catch (error) {
    await consumer.disconnect();
    throw error;
  }
  return consumer;
}

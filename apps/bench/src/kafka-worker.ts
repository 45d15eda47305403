import { ShutdownSignal } from '@nestjs/common';
import type { RelayProgress } from '@throughline/background';
import { EventStore } from '@throughline/event-store';
import { type IngestConsumer, KafkaIngestion } from '@throughline/kafka';
import { loadConfig } from '@throughline/platform';
import { ProjectionRunner } from '@throughline/projections';
import { createWorker } from '../../worker/src/create-worker';
import { type ApiEnv, CAPACITY_LIMITS } from './backends';
import type { KafkaNames } from './kafka-publish';

/** The signals Nest's shutdown hooks listen to. */
const SIGNALS = Object.values(ShutdownSignal) as NodeJS.Signals[];
const POLL_MS = 10;

export interface RunningWorker {
  readonly store: EventStore;
  readonly ingestion: KafkaIngestion;
  /** The alerts relay's progress, as the worker's projections thread reports it. */
  readonly relay: () => RelayProgress | undefined;
  readonly projections: ProjectionRunner;
  /** Set when an ingest consumer died for good: the worker would exit, the bench fails the figure. */
  readonly fatal: () => Error | undefined;
  readonly close: () => Promise<void>;
}

/**
 * The production worker (`createWorker`, what `throughline worker` runs) in this process, configured
 * from the environment a deployment would set: the backend's storage, KAFKA_BROKERS, and the run's
 * own topic prefix and group names. It runs Kafka ingestion, and projections and the alerts relay on
 * their own thread.
 */
export async function startWorker(
  env: ApiEnv,
  brokers: readonly string[],
  names: KafkaNames,
): Promise<RunningWorker> {
  const config = loadConfig({
    ...env,
    ...CAPACITY_LIMITS,
    LOG_LEVEL: 'silent',
    KAFKA_BROKERS: brokers.join(','),
    // The run's own prefix: its audit witness topic is its own too.
    KAFKA_TOPIC_PREFIX: names.prefix,
  });
  const before = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const worker = await createWorker(config, {
    KAFKA_CLIENT_ID: names.prefix,
    KAFKA_TOPIC_PREFIX: names.prefix,
    KAFKA_GROUP_ID: names.ingestGroup,
    KAFKA_RELAY_GROUP_ID: names.relayGroup,
  });
  // As for the API: the worker's shutdown hooks would close it and re-raise the signal, killing the
  // bench before its clean-up; the bench closes the worker itself when interrupted.
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.includes(listener)) process.removeListener(signal, listener);
    }
  }
  const ingestion = worker.app.get(KafkaIngestion);
  let fatal: Error | undefined;
  // The worker's own handler exits the process, which would take the whole bench with it.
  ingestion.onFatal((error) => (fatal ??= error));
  return {
    store: worker.app.get(EventStore),
    ingestion,
    relay: () => worker.relay(),
    projections: worker.app.get(ProjectionRunner),
    fatal: () => fatal,
    close: () => worker.close(),
  };
}

/**
 * Resolves once the log's head has reached `position`, checked every 10 ms. Fails at once when the
 * consumer has handled as many records as expected without the head getting there (something was
 * dead-lettered), when it died, or at the timeout, so that a refusal never looks like a slow run.
 */
export async function untilStored(
  worker: RunningWorker,
  consumer: IngestConsumer,
  position: number,
  records: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const head = await worker.store.headPosition();
    if (head >= position) return;
    const { stored, duplicates, deadLettered } = consumer.stats;
    const fatal = worker.fatal();
    if (fatal) throw new Error(`the ingest consumer died: ${fatal.message}`);
    if (deadLettered > 0 && stored + duplicates + deadLettered >= records)
      throw new Error(`${deadLettered} of ${records} records were dead-lettered`);
    if (performance.now() > deadline)
      throw new Error(`the log reached position ${head}, not ${position}, in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Resolves once `holds` does, checked every 10 ms; fails after the timeout, naming what it waited for. */
export async function until(holds: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!holds()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

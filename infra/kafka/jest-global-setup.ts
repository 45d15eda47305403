import { type KafkaBroker, startKafka } from './broker';

/** Shared with jest-global-teardown.ts, which Jest runs in this same parent process. */
export const KAFKA_HANDLE = Symbol.for('throughline.jest.kafka');

export interface KafkaGlobalState {
  broker: KafkaBroker;
  /** The value KAFKA_BROKERS had before setup, restored on teardown so watch-mode reruns start afresh. */
  previousEnv: string | undefined;
}

/**
 * One broker per Jest run rather than per test file: a broker takes seconds to start, and
 * every suite can isolate itself with unique topic and group names instead.
 */
export default async function globalSetup(): Promise<void> {
  const previousEnv = process.env.KAFKA_BROKERS;
  const broker = await startKafka();
  // Workers are forked after global setup and inherit this environment.
  process.env.KAFKA_BROKERS = broker.brokers.join(',');
  (globalThis as Record<symbol, unknown>)[KAFKA_HANDLE] = { broker, previousEnv } satisfies KafkaGlobalState;
}

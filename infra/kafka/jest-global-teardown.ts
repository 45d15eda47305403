import { KAFKA_HANDLE, type KafkaGlobalState } from './jest-global-setup';

export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as Record<symbol, unknown>;
  const state = globals[KAFKA_HANDLE] as KafkaGlobalState | undefined;
  if (!state) return;
  delete globals[KAFKA_HANDLE];
  if (state.previousEnv === undefined) delete process.env.KAFKA_BROKERS;
  else process.env.KAFKA_BROKERS = state.previousEnv;
  await state.broker.stop();
}

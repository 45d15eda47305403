/** Test helpers for a real broker, for tests outside this lib (`@throughline/kafka/testing`). */
export * from './kafka-test-kit';

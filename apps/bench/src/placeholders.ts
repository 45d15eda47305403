import type { Outcome } from './report';

/*
 * PLACEHOLDERS: figures the issues ask for that this bench has a place for but does not measure
 * yet. Replace a function's body with a measurement that returns a Figure (see reads-figure.ts for
 * the shape: absolute numbers, a ratio against a baseline from the same run, and the target).
 */

/**
 * Issue 5: ingestion from the agencies' Kafka topics (`throughline.ingest.<agency>`) against a real
 * broker, set against HTTP batch ingestion of the same events in the same run.
 */
export async function kafkaIngestionFigure(key: string): Promise<Outcome> {
  return {
    kind: 'pending',
    key,
    title: 'Kafka topic ingestion',
    issue: 5,
    what: 'events/s consumed from throughline.ingest.<agency> topics, as a ratio to HTTP batch ingestion',
  };
}

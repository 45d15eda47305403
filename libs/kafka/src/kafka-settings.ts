import type { KafkaSecurity, Rate, ThroughlineConfig } from '@throughline/platform';

/** Where relaying starts the first time the alerts relay runs against an existing log. */
export type AlertsStart = 'head' | 'beginning';

/** Everything the Kafka edge needs, read once at start-up (names and defaults in docs/kafka.md). */
export interface KafkaSettings {
  readonly brokers: readonly string[];
  /** The process's credential and TLS (KAFKA_SASL_*, KAFKA_SSL*); absent means plaintext, no credential. */
  readonly security?: KafkaSecurity;
  readonly clientId: string;
  /** Topic names are `<prefix>.ingest.<agency>`, `<prefix>.ingest.dlq` and `<prefix>.alerts.<agency>`. */
  readonly topicPrefix: string;
  readonly groupId: string;
  /**
   * The alerts relay's Kafka transactional id, the same in every worker of a deployment (a new
   * holder's producer fences the last one's by it), and the prefix of the short-lived groups that
   * read the relay's checkpoint topic back at a takeover.
   */
  readonly relayGroupId: string;
  /** The agencies whose ingest topics are consumed; unset means the agreement's list (or the defaults). */
  readonly agencies: readonly string[] | undefined;
  /** Sources each agency's Kafka publisher may use; an agency absent here may use `urn:throughline:<agency>:*`. */
  readonly sources: Readonly<Record<string, readonly string[]>>;
  /** Messages handed to one ingest call (the HTTP batch limit is higher). */
  readonly batchSize: number;
  /** Partitions one consumer works on at once; appends stay serialized by the ingestion use case. */
  readonly partitionsConsumedConcurrently: number;
  /**
   * Events a second from each agency's topic, shared by the consumers of one process: the same
   * rate an agency's HTTP credential has. Past it, consumption waits rather than refuses.
   */
  readonly eventsPerAgency: Rate;
  readonly alertsFrom: AlertsStart;
  /** How often the ingest consumer group's lag is measured for `/metrics`, in milliseconds. */
  readonly lagIntervalMs: number;
  /** `silent` turns kafkajs logging off; anything else keeps its warnings and errors. */
  readonly logLevel: string;
}

/** The Nest token for the settings. */
export const KAFKA_SETTINGS = Symbol('KAFKA_SETTINGS');

export const DEFAULT_TOPIC_PREFIX = 'throughline';
export const DEFAULT_GROUP_ID = 'throughline-ingest';
export const DEFAULT_RELAY_GROUP_ID = 'throughline-alerts-relay';
/**
 * The HTTP batch limit: each ingest call is one store transaction and one fsync, so a partition
 * drains in fewer of them. A refused batch is retried one record at a time, which a larger batch
 * makes longer, but refusals are the exception on a system's own topic.
 */
export const DEFAULT_BATCH_SIZE = 1000;

const trimmed = (raw: string | undefined): string | undefined =>
  raw && raw.trim() !== '' ? raw.trim() : undefined;

const list = (raw: string | undefined): string[] | undefined => {
  const items = (trimmed(raw) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  return items.length > 0 ? items : undefined;
};

/**
 * Parses `KAFKA_SOURCES`: `agency=source|source,agency=source`. Refuses malformed input rather than
 * guessing, because a wrong binding would either refuse a partner's events or accept a forgery.
 */
export function parseSourceBindings(raw: string | undefined): Record<string, readonly string[]> {
  const bindings: Record<string, string[]> = {};
  for (const entry of list(raw) ?? []) {
    const [agency, sources, ...rest] = entry.split('=');
    const names = (sources ?? '')
      .split('|')
      .map((source) => source.trim())
      .filter((source) => source.length > 0);
    if (!agency?.trim() || names.length === 0 || rest.length > 0) {
      throw new Error(`KAFKA_SOURCES entry "${entry}" must look like agency=source|source`);
    }
    bindings[agency.trim()] = [...(bindings[agency.trim()] ?? []), ...names];
  }
  return bindings;
}

const positiveInt = (raw: string | undefined, fallback: number, name: string): number => {
  const value = trimmed(raw);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new Error(`${name} must be a positive integer, got "${value}"`);
  return parsed;
};

/** Reads the Kafka settings; the brokers come from the platform configuration (KAFKA_BROKERS). */
export function loadKafkaSettings(
  config: ThroughlineConfig,
  env: NodeJS.ProcessEnv = process.env,
): KafkaSettings {
  const alertsFrom = trimmed(env.KAFKA_ALERTS_FROM) ?? 'head';
  if (alertsFrom !== 'head' && alertsFrom !== 'beginning') {
    throw new Error(`KAFKA_ALERTS_FROM must be "head" or "beginning", got "${alertsFrom}"`);
  }
  return {
    brokers: config.kafkaBrokers,
    security: config.kafkaSecurity,
    clientId: trimmed(env.KAFKA_CLIENT_ID) ?? 'throughline',
    topicPrefix: trimmed(env.KAFKA_TOPIC_PREFIX) ?? DEFAULT_TOPIC_PREFIX,
    groupId: trimmed(env.KAFKA_GROUP_ID) ?? DEFAULT_GROUP_ID,
    relayGroupId: trimmed(env.KAFKA_RELAY_GROUP_ID) ?? DEFAULT_RELAY_GROUP_ID,
    agencies: list(env.KAFKA_AGENCIES),
    sources: parseSourceBindings(env.KAFKA_SOURCES),
    batchSize: Math.min(
      positiveInt(env.KAFKA_BATCH_SIZE, DEFAULT_BATCH_SIZE, 'KAFKA_BATCH_SIZE'),
      config.maxBatchSize,
    ),
    partitionsConsumedConcurrently: positiveInt(
      env.KAFKA_PARTITIONS_CONCURRENTLY,
      3,
      'KAFKA_PARTITIONS_CONCURRENTLY',
    ),
    eventsPerAgency: config.limits.events,
    alertsFrom,
    lagIntervalMs: positiveInt(env.KAFKA_LAG_INTERVAL_SECONDS, 15, 'KAFKA_LAG_INTERVAL_SECONDS') * 1000,
    logLevel: config.logLevel,
  };
}

/** The one place that names topics. */
export const ingestTopic = (prefix: string, agency: string): string => `${prefix}.ingest.${agency}`;
export const deadLetterTopic = (prefix: string): string => `${prefix}.ingest.dlq`;
export const alertsTopic = (prefix: string, agency: string): string => `${prefix}.alerts.${agency}`;
/**
 * One partition, compacted: how far the alerts relay has delivered, written in the transaction that
 * carries the alerts (see RelayProducer).
 */
export const relayCheckpointTopic = (prefix: string): string => `${prefix}.internal.alerts-relay-checkpoint`;

/** The agency an ingest topic belongs to, or undefined for any other topic. */
export function agencyOfIngestTopic(prefix: string, topic: string): string | undefined {
  const head = `${prefix}.ingest.`;
  if (!topic.startsWith(head) || topic === deadLetterTopic(prefix)) return undefined;
  const agency = topic.slice(head.length);
  return agency.length > 0 && !agency.includes('.') ? agency : undefined;
}

/** Every topic the platform reads or writes for these agencies. */
export const kafkaTopics = (prefix: string, agencies: readonly string[]): string[] => [
  ...agencies.map((agency) => ingestTopic(prefix, agency)),
  deadLetterTopic(prefix),
  ...agencies.map((agency) => alertsTopic(prefix, agency)),
  relayCheckpointTopic(prefix),
];

/** The CloudEvents sources an agency's Kafka publisher is bound to, out of those seen in a batch. */
export function boundSources(
  settings: Pick<KafkaSettings, 'sources'>,
  agency: string,
  seen: Iterable<string>,
): string[] {
  const configured = settings.sources[agency];
  if (configured) return [...configured];
  const prefix = `urn:throughline:${agency}:`;
  return [...new Set(seen)].filter((source) => source.startsWith(prefix) && source.length > prefix.length);
}

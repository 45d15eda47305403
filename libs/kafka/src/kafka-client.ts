import { Logger } from '@nestjs/common';
import { Kafka, type LogEntry, logLevel } from 'kafkajs';
import type { KafkaSettings } from './kafka-settings';

/**
 * One kafkajs client per consumer or producer: each gets its own connections and group membership,
 * which is what lets two consumers in one process behave like two workers.
 */
export function createKafkaClient(
  settings: Pick<KafkaSettings, 'brokers' | 'clientId' | 'logLevel' | 'security'>,
  role: string,
): Kafka {
  const logger = new Logger(`kafkajs:${role}`);
  return new Kafka({
    clientId: `${settings.clientId}-${role}`,
    brokers: [...settings.brokers],
    // The process's credential, if any: the broker's ACLs decide what each client may do with it.
    ssl: settings.security?.ssl,
    sasl: settings.security?.sasl,
    // kafkajs INFO reports every join and commit; warnings and errors are what an operator acts on.
    logLevel: settings.logLevel === 'silent' ? logLevel.NOTHING : logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const {
          message,
          timestamp: _timestamp,
          logger: _logger,
          ...extra
        } = log as { message: string } & Record<string, unknown>;
        // Retries are bounded on purpose (a stop must not hang on an unreachable broker); the
        // callers retry and consumers dedupe, so kafkajs's caution about it is expected noise.
        if (message.startsWith('Limiting retries for the idempotent producer')) return;
        const line = Object.keys(extra).length > 0 ? `${message} ${JSON.stringify(extra)}` : message;
        if (level === logLevel.ERROR) logger.error(line);
        else if (level === logLevel.WARN) logger.warn(line);
        else logger.debug(line);
      },
    // A broker restart takes seconds; these retries ride it out before the consumer restarts itself.
    retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 10 },
  });
}

/**
 * Creates the topics that do not exist yet, with the broker's default partitions and replication.
 * A consumer cannot subscribe to a missing topic, and a cluster that forbids auto-creation would
 * otherwise leave a new agency's topics to be made by hand before anything flows.
 */
export async function ensureTopics(kafka: Kafka, topics: readonly string[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((topic) => !existing.has(topic));
    if (missing.length > 0)
      await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true });
    return missing;
  } finally {
    await admin.disconnect();
  }
}

import { randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import {
  type Consumer,
  type IHeaders,
  Kafka,
  type KafkaMessage,
  logLevel,
  type Message,
  Partitioners,
  type Producer,
} from 'kafkajs';
import { DEFAULT_AGENCIES, pncIdOf, subjectIdOfStream, subjectStream } from '@throughline/domain';
import { EventStore, EventStoreModule, type RecordedEvent } from '@throughline/event-store';
import { IngestEventsService, IngestionModule, storedEventId } from '@throughline/ingestion';
import { loadConfig, PlatformModule, type ThroughlineConfig } from '@throughline/platform';
import { ProjectionRunner, ProjectionsModule, ReadModelStore } from '@throughline/projections';
import { SubjectsModule } from '@throughline/subjects';
import { AlertsRelay } from '../alerts/alerts-relay';
import { KafkaIngestion } from '../ingest/kafka-ingestion';
import { KafkaModule } from '../kafka.module';
import { DEFAULT_BATCH_SIZE, type KafkaSettings, kafkaTopics, relayCheckpointTopic } from '../kafka-settings';

export const testBrokers = (): string[] => (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** Settings with topic and group names no other test uses, so suites share one broker safely. */
export function testSettings(overrides: Partial<KafkaSettings> = {}): KafkaSettings {
  const run = `t${randomUUID().slice(0, 8)}`;
  return {
    brokers: testBrokers(),
    clientId: `test-${run}`,
    topicPrefix: run,
    groupId: `${run}-ingest`,
    relayGroupId: `${run}-alerts-relay`,
    agencies: DEFAULT_AGENCIES,
    sources: {},
    batchSize: DEFAULT_BATCH_SIZE,
    partitionsConsumedConcurrently: 3,
    eventsPerAgency: { perSecond: 1_000_000, burst: 1_000_000 },
    alertsFrom: 'beginning',
    lagIntervalMs: 15_000,
    logLevel: 'silent',
    ...overrides,
  };
}

export const testKafka = (brokers: readonly string[] = testBrokers()): Kafka =>
  new Kafka({
    clientId: `test-${randomUUID().slice(0, 8)}`,
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  });

/**
 * Creates every agency topic up front with a known partition count, instead of relying on
 * auto-creation. The relay's checkpoint topic is left to the relay, which makes it as it must be.
 */
export async function createTopics(settings: KafkaSettings, numPartitions = 3): Promise<void> {
  const admin = testKafka(settings.brokers).admin();
  await admin.connect();
  try {
    const topics = kafkaTopics(settings.topicPrefix, settings.agencies ?? DEFAULT_AGENCIES).filter(
      (topic) => topic !== relayCheckpointTopic(settings.topicPrefix),
    );
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

export interface KafkaTestApp {
  readonly app: INestApplicationContext;
  readonly config: ThroughlineConfig;
  readonly settings: KafkaSettings;
  readonly dataDir: string;
  readonly store: EventStore;
  readonly readModels: ReadModelStore;
  readonly ingestion: KafkaIngestion;
  readonly relay: AlertsRelay;
  readonly service: IngestEventsService;
  close(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * The modules the worker runs, on a fresh SQLite data directory (or a kept one, for restarts or a
 * second process on the same stores); `env` adds configuration, such as a DATABASE_URL.
 */
export async function startKafkaTestApp(
  settings: KafkaSettings,
  keepDataDir?: string,
  env: Record<string, string> = {},
): Promise<KafkaTestApp> {
  const dataDir = keepDataDir ?? mkdtempSync(join(tmpdir(), 'throughline-kafka-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    KAFKA_BROKERS: settings.brokers.join(','),
    // The test's own topic prefix, so its audit witness topic is its own too.
    KAFKA_TOPIC_PREFIX: settings.topicPrefix,
    ...env,
  });
  const app = await NestFactory.createApplicationContext(
    {
      module: class KafkaTestModule {},
      imports: [
        PlatformModule.forRoot(config),
        CqrsModule.forRoot(),
        EventStoreModule,
        ProjectionsModule,
        IngestionModule,
        SubjectsModule,
        KafkaModule.forRoot(settings),
      ],
    },
    { logger: false },
  );
  await app.get(ProjectionRunner).start();
  return {
    app,
    config,
    settings,
    dataDir,
    store: app.get(EventStore),
    readModels: app.get(ReadModelStore),
    ingestion: app.get(KafkaIngestion),
    relay: app.get(AlertsRelay),
    service: app.get(IngestEventsService),
    close: async (options) => {
      await app.close();
      if (!options?.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls a condition until it holds, failing with a description after a bounded wait. */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  holds: (value: T) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!holds(last)) {
    if (Date.now() > deadline)
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 25));
    last = await probe();
  }
  return last;
}

export async function testProducer(brokers: readonly string[] = testBrokers()): Promise<Producer> {
  const producer = testKafka(brokers).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  return producer;
}

export interface Collected {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

/** Reads topics from the beginning into memory, for asserting what the platform produced. */
export class TopicCollector {
  readonly messages: Collected[] = [];
  private constructor(private readonly consumer: Consumer) {}

  /** Reads committed records only (kafkajs's default), unless `readUncommitted`. */
  static async start(
    topics: readonly string[],
    brokers: readonly string[] = testBrokers(),
    options: {
      readonly readUncommitted?: boolean;
      /** A client of the caller's, with its credential; and the group name its ACLs allow. */
      readonly kafka?: Kafka;
      readonly groupId?: string;
    } = {},
  ): Promise<TopicCollector> {
    const consumer = (options.kafka ?? testKafka(brokers)).consumer({
      groupId: options.groupId ?? `collector-${randomUUID()}`,
      maxWaitTimeInMs: 200,
      readUncommitted: options.readUncommitted ?? false,
    });
    const collector = new TopicCollector(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        collector.messages.push({ topic, partition, message });
      },
    });
    return collector;
  }

  on(topic: string): Collected[] {
    return this.messages.filter((entry) => entry.topic === topic);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/** The key of the records `readToSeal` writes; they are not alerts. */
export const SEAL_KEY = 'test-seal';

/**
 * Writes a seal to every partition of the topics and waits until the collector has read each one.
 * A reader gets a partition's records in order (read_committed: once no transaction on it is left
 * open), so by then it has read everything written before the seals.
 */
export async function readToSeal(
  collector: TopicCollector,
  topics: readonly string[],
  brokers: readonly string[] = testBrokers(),
): Promise<void> {
  const nonce = randomUUID();
  const admin = testKafka(brokers).admin();
  await admin.connect();
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
  await admin.disconnect();
  const producer = await testProducer(brokers);
  await producer.sendBatch({
    topicMessages: metadata.map(({ name, partitions }) => ({
      topic: name,
      messages: partitions.map(({ partitionId }) => ({
        partition: partitionId,
        key: SEAL_KEY,
        value: nonce,
      })),
    })),
  });
  await producer.disconnect();
  const expected = metadata.reduce((count, { partitions }) => count + partitions.length, 0);
  await eventually(
    () =>
      collector.messages.filter(
        ({ message }) => message.key?.toString() === SEAL_KEY && message.value?.toString() === nonce,
      ).length,
    (seen) => seen === expected,
    'the collector to read a seal on every partition',
    60_000,
  );
}

export const headerText = (headers: IHeaders | undefined, name: string): string | undefined => {
  const value = headers?.[name];
  return value === undefined ? undefined : Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
};

let clock = Date.parse('2025-02-03T09:00:00Z');
const nextTime = (): string => new Date((clock += 60_000)).toISOString();

export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype?: string;
  data: Record<string, unknown>;
}

export const cloudEvent = (
  source: string,
  type: string,
  subject: string,
  data: Record<string, unknown>,
  id: string = randomUUID(),
): CloudEvent => ({
  specversion: '1.0',
  id,
  source,
  type,
  subject,
  time: nextTime(),
  datacontenttype: 'application/json',
  data,
});

/** Structured mode: the whole event as the value; key = subject, as publishers are asked to. */
export const structured = (event: CloudEvent): Message => ({
  key: event.subject,
  value: JSON.stringify(event),
  headers: { 'content-type': 'application/cloudevents+json' },
});

/** Binary mode: attributes as ce_ headers, the data alone as the value. */
export const binary = (event: CloudEvent): Message => ({
  key: event.subject,
  value: JSON.stringify(event.data),
  headers: {
    ce_specversion: event.specversion,
    ce_id: event.id,
    ce_source: event.source,
    ce_type: event.type,
    ce_subject: event.subject,
    ce_time: event.time,
    'content-type': 'application/json',
  },
});

export const POLICE = 'urn:throughline:police:custody';
export const PROBATION = 'urn:throughline:probation:case-management';
export const PRISON = 'urn:throughline:prison:nomis';
export const VOLUNTARY = 'urn:throughline:voluntary:mentoring';

const letters = (count: number): string =>
  Array.from({ length: count }, () => String.fromCharCode(65 + randomInt(26))).join('');

/** One made-up person, with identifiers no other test uses (valid ones: each has its check). */
export class TestSubject {
  readonly pnc = pncIdOf(2000 + randomInt(25), randomInt(1, 10_000_000));
  readonly nomis = `${letters(1)}${String(randomInt(10_000)).padStart(4, '0')}${letters(2)}`;
  readonly ref = `pnc:${this.pnc}`;

  /** Registered by the police, under the PNC they issued. */
  registered(id?: string): CloudEvent {
    return cloudEvent(
      POLICE,
      'iom.subject.registered.v1',
      this.ref,
      {
        givenName: 'Alex',
        familyName: 'Marsh',
        dateOfBirth: '1990-04-12',
        identifiers: [{ scheme: 'pnc', value: this.pnc }],
      },
      id,
    );
  }

  /** The prison links the prison number it issued, naming the person by PNC. */
  nomisLinked(id?: string): CloudEvent {
    return cloudEvent(
      PRISON,
      'iom.subject.identifier-linked.v1',
      this.ref,
      { scheme: 'nomis', value: this.nomis },
      id,
    );
  }

  homeVisit(id?: string): CloudEvent {
    return cloudEvent(POLICE, 'iom.home-visit.recorded.v1', this.ref, { outcome: 'seen', by: 'PC 4471' }, id);
  }

  arrested(): CloudEvent {
    return cloudEvent(POLICE, 'iom.arrest.recorded.v1', this.ref, {
      offence: 'Burglary dwelling',
      offenceGroup: 'burglary',
      arrestedAt: '2025-02-03T01:40:00Z',
      custodySuite: 'Northern Area Custody',
    });
  }

  /** The stored partnership id, once the registration is in the log. */
  async subjectId(store: EventStore, registration: CloudEvent): Promise<string | undefined> {
    const [found] = await store.findByIds([storedEventId(registration.source, registration.id)]);
    return found ? subjectIdOfStream(found.streamId) : undefined;
  }
}

export const streamOf = (store: EventStore, subjectId: string): Promise<RecordedEvent[]> =>
  store.readStream(subjectStream(subjectId));

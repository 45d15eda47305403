import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { KafkaWitness } from '@throughline/audit';
import { storedEventId } from '@throughline/ingestion';
import { type KafkaSecurity, loadKafkaSecurity } from '@throughline/platform';
import type { Alert } from '../alerts/alert';
import { alertsTopic, ingestTopic, type KafkaSettings, relayCheckpointTopic } from '../kafka-settings';
import {
  eventually,
  type KafkaTestApp,
  startKafkaTestApp,
  structured,
  TestSubject,
  testSettings,
  TopicCollector,
} from '../testing/kafka-test-kit';
import {
  javaAvailable,
  type SecureBroker,
  START_TIMEOUT_MS,
  startSecureBroker,
} from '../testing/secure-broker';

/** What a partner's system or the worker sets: a user and the file holding its password. */
const credentialEnv = (broker: SecureBroker, user: string, passwordFile = join(broker.secretsDir, user)) => ({
  KAFKA_SASL_MECHANISM: 'scram-sha-512',
  KAFKA_SASL_USERNAME: user,
  KAFKA_SASL_PASSWORD_FILE: passwordFile,
});

const client = (broker: SecureBroker, security: KafkaSecurity, retries = 0): Kafka =>
  new Kafka({
    clientId: `test-${randomUUID().slice(0, 8)}`,
    brokers: broker.brokers,
    ssl: security.ssl,
    sasl: security.sasl,
    logLevel: logLevel.NOTHING,
    // A refusal is final: retrying an authorisation failure only slows the test down.
    retry: { retries },
  });

const publisher = async (kafka: Kafka) => {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  return producer;
};

/** The broker's error code, from the cause kafkajs wraps it in, or from the error itself. */
const refusal = (sending: Promise<unknown>): Promise<string | undefined> =>
  sending.then(
    () => 'accepted',
    (error: { type?: string; cause?: { type?: string } }) => error.cause?.type ?? error.type,
  );

const WITNESS_TOPIC = 'throughline.audit.checkpoints';

const run = javaAvailable() ? describe : describe.skip;
if (!javaAvailable())
  console.warn(
    'Skipping the authenticating broker suite: no Java runtime on the PATH (infra/kafka needs Java 17)',
  );

run('a broker that knows who publishes (SASL/SCRAM-SHA-512 and ACLs, kafka.sh start-secure)', () => {
  let broker: SecureBroker;
  let settings: KafkaSettings;
  let app: KafkaTestApp | undefined;

  beforeAll(async () => {
    broker = await startSecureBroker();
    // The worker's settings come from the environment, as `npm run worker` reads them. The ACLs
    // name the deployment's topic prefix and group prefix, so this suite uses them too, with a
    // consumer group of its own.
    const env = {
      ...credentialEnv(broker, 'worker'),
      KAFKA_TOPIC_PREFIX: 'throughline',
      // Signed checkpoints follow the relay's disclosures within a second, to the witness topic.
      AUDIT_CHECKPOINT_SECONDS: '1',
    };
    settings = testSettings({
      brokers: broker.brokers,
      security: loadKafkaSecurity(env),
      topicPrefix: 'throughline',
      groupId: `throughline-ingest-${randomUUID().slice(0, 8)}`,
      relayGroupId: 'throughline-alerts-relay',
      agencies: ['police', 'probation'],
    });
    // A broker left running by an earlier run holds that run's relay checkpoints and witnessed
    // checkpoints, which a fresh store would read as its own: the broker's admin clears them.
    const admin = client(broker, loadKafkaSecurity(credentialEnv(broker, 'admin')), 5).admin();
    await admin.connect();
    try {
      const stale = new Set([relayCheckpointTopic('throughline'), WITNESS_TOPIC]);
      const existing = (await admin.listTopics()).filter((topic) => stale.has(topic));
      if (existing.length > 0) await admin.deleteTopics({ topics: existing });
    } finally {
      await admin.disconnect();
    }
    app = await startKafkaTestApp(settings, undefined, env);
    // Creates the ingest topics with the worker's own right to, then joins its group.
    await app.ingestion.start();
  }, START_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await app?.close();
    await broker?.stop();
  }, 60_000);

  it("takes police's events from police's topic, published with police's credential", async () => {
    const police = await publisher(client(broker, loadKafkaSecurity(credentialEnv(broker, 'police'))));
    const subject = new TestSubject();
    const events = [subject.registered(), subject.homeVisit()];
    try {
      await police.send({ topic: ingestTopic('throughline', 'police'), messages: events.map(structured) });
    } finally {
      await police.disconnect();
    }
    const stored = await eventually(
      () => app!.store.findByIds(events.map((event) => storedEventId(event.source, event.id))),
      (found) => found.length === events.length,
      'both events stored by the worker',
    );
    expect(stored.map((event) => event.metadata.publishedBy)).toEqual([
      'kafka:throughline.ingest.police',
      'kafka:throughline.ingest.police',
    ]);
  });

  it("refuses police's credential on probation's topic: a topic cannot be used to speak as another agency", async () => {
    const police = await publisher(client(broker, loadKafkaSecurity(credentialEnv(broker, 'police'))));
    try {
      const sent = police.send({
        topic: ingestTopic('throughline', 'probation'),
        messages: [structured(new TestSubject().registered())],
      });
      expect(await refusal(sent)).toBe('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await police.disconnect();
    }
  });

  it('refuses a wrong password, and a client with no credential', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'throughline-secret-'));
    try {
      const wrong = join(dir, 'police');
      writeFileSync(wrong, 'not-the-password\n', { mode: 0o600 });
      const impostor = client(broker, loadKafkaSecurity(credentialEnv(broker, 'police', wrong))).producer();
      await expect(impostor.connect()).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
      await impostor.disconnect();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const anonymous = client(broker, { ssl: false, sasl: undefined }).admin();
    await expect(anonymous.connect().then(() => anonymous.listTopics())).rejects.toThrow();
    await anonymous.disconnect();
  });

  it("lets the worker's credential read the ingest topics, but not publish to them as an agency", async () => {
    const worker = await publisher(client(broker, settings.security!));
    try {
      const sent = worker.send({
        topic: ingestTopic('throughline', 'police'),
        messages: [structured(new TestSubject().registered())],
      });
      expect(await refusal(sent)).toBe('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await worker.disconnect();
    }
    // The group it consumes as holds the police topic's partitions, with police's records committed.
    const admin = client(broker, settings.security!, 5).admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({
        groupId: settings.groupId,
        topics: [ingestTopic('throughline', 'police')],
      });
      expect(offsets!.partitions.some((partition) => Number(partition.offset) > 0)).toBe(true);
    } finally {
      await admin.disconnect();
    }
  });

  it("relays alerts and witnesses the audit log with the worker's credential; police reads its alerts with its own", async () => {
    await app!.relay.start();
    await eventually(() => app!.relay.active, Boolean, 'the relay to take the lease');
    const police = client(broker, loadKafkaSecurity(credentialEnv(broker, 'police')), 5);
    // An agency's groups are named after it: the ACLs let police read with no other.
    const alerts = await TopicCollector.start([alertsTopic('throughline', 'police')], broker.brokers, {
      kafka: police,
      groupId: `police-alerts-${randomUUID().slice(0, 8)}`,
    });
    try {
      const subject = new TestSubject();
      const arrest = subject.arrested();
      const sender = await publisher(police);
      try {
        await sender.send({
          topic: ingestTopic('throughline', 'police'),
          messages: [subject.registered(), arrest].map(structured),
        });
      } finally {
        await sender.disconnect();
      }
      const arrived = await eventually(
        () =>
          alerts.messages
            .map(({ message }) => JSON.parse(message.value!.toString()) as Alert)
            .filter((alert) => alert.data.eventId === storedEventId(arrest.source, arrest.id)),
        (found) => found.length > 0,
        'the arrest alert on police alerts topic',
      );
      expect(arrived.map((alert) => alert.type)).toEqual(['iom.alert.arrest.v1']);
    } finally {
      await alerts.stop();
    }
    // The disclosure it recorded was signed into a checkpoint and sent to the witness topic, which
    // the worker's credential reads back.
    const witness = new KafkaWitness(broker.brokers, WITNESS_TOPIC, true, settings.security);
    await eventually(
      () => witness.read(),
      ({ checkpoints, unreadable }) => checkpoints.length > 0 && unreadable === 0,
      'a signed checkpoint on the witness topic',
    );
  });
});

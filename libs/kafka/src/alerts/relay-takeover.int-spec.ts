import { Partitioners } from 'kafkajs';
import { AuditService } from '@throughline/audit';
import { DEFAULT_AGENCIES } from '@throughline/domain';
import { storedEventId } from '@throughline/ingestion';
import { toPublishedEvent } from '@throughline/projections';
import { AgreementService } from '@throughline/sharing';
import { CASELOADS, SUBJECT_VIEWS } from '@throughline/subjects';
import { createKafkaClient } from '../kafka-client';
import { alertsTopic, type KafkaSettings, relayCheckpointTopic } from '../kafka-settings';
import {
  createTopics,
  eventually,
  type KafkaTestApp,
  POLICE,
  readToSeal,
  SEAL_KEY,
  startKafkaTestApp,
  TestSubject,
  testKafka,
  testSettings,
  TopicCollector,
} from '../testing/kafka-test-kit';
import { type Alert, alertDisclosure, planAlerts } from './alert';
import { alertSubjects } from './batch-planner';
import { ALERTS_RELAY, ALERTS_RELAY_DOCS } from './alerts-relay';
import type { RelayPlan } from './batch-planner';
import { RelayProducer } from './relay-producer';

const LEASE_MS = 2_000;

/**
 * A holder that died at the worst moments, set up exactly: its plan stored with the checkpoint and
 * its disclosures recorded, and then its Kafka transaction either left open (it died before the
 * commit) or committed (it died before going on). The process that takes the lease over must send
 * the plan's alerts once in the first case and not at all in the second, and record none again.
 */
describe('the alerts relay taking over from a holder that died mid-batch (real broker)', () => {
  let settings: KafkaSettings;
  let app: KafkaTestApp;
  let committed: TopicCollector;
  let everything: TopicCollector;
  let topics: string[];

  beforeEach(async () => {
    settings = testSettings();
    topics = DEFAULT_AGENCIES.map((agency) => alertsTopic(settings.topicPrefix, agency));
    await createTopics(settings);
    app = await startKafkaTestApp(settings, undefined, {
      PROJECTION_LEASE_SECONDS: String(LEASE_MS / 1000),
    });
    committed = await TopicCollector.start(topics);
    everything = await TopicCollector.start(topics, undefined, { readUncommitted: true });
  }, 60_000);

  afterEach(async () => {
    await committed?.stop();
    await everything?.stop();
    await app?.close();
  }, 60_000);

  /** An arrest of a registered subject, stored and projected: what a dead holder had planned. */
  const plannedArrest = async (): Promise<RelayPlan> => {
    const subject = new TestSubject();
    const publisher = { id: 'police-system', agency: 'police', sources: [POLICE] };
    await app.service.ingest([subject.registered()], publisher);
    const arrest = subject.arrested();
    const [stored] = await app.service.ingest([arrest], publisher);
    for (const projection of [SUBJECT_VIEWS, CASELOADS])
      await eventually(
        () => app.readModels.checkpoint(projection),
        (position) => position >= stored!.position,
        `${projection} to apply the arrest`,
      );
    const [recorded] = await app.store.findByIds([storedEventId(arrest.source, arrest.id)]);
    const event = toPublishedEvent(recorded!)!;
    const alerts = planAlerts({
      event,
      recordedAt: recorded!.recordedAt,
      subject: (await alertSubjects(app.readModels, [event.subjectId])).get(event.subjectId)!,
      agreement: await app.app.get(AgreementService).current(),
      now: new Date(),
    });
    // The police work with the person (they registered and arrested them): they hear of it.
    expect(alerts.map((alert) => alert.data.agency)).toEqual(['police']);
    return {
      from: 0,
      to: event.position,
      alerts: alerts.map((alert) => ({ alert, position: event.position })),
    };
  };

  /** Steps 1 to 3 of a batch, as the dead holder took them under its own lease. */
  const planAndRecord = async (plan: RelayPlan): Promise<void> => {
    const lease = await app.readModels.acquireLease(ALERTS_RELAY, 'dead-holder', Date.now(), LEASE_MS);
    await app.readModels.commit(
      ALERTS_RELAY,
      new Map<string, unknown>([
        [ALERTS_RELAY_DOCS.started, { from: 0, at: new Date().toISOString() }],
        [ALERTS_RELAY_DOCS.inFlight, plan],
      ]),
      plan.to,
      undefined,
      { from: 0, token: lease!.token },
    );
    await app.app
      .get(AuditService)
      .recordOnce(plan.alerts.map(({ alert, position }) => alertDisclosure(alert, position)));
  };

  const topicMessages = (plan: RelayPlan) =>
    plan.alerts.map(({ alert }) => ({
      topic: alertsTopic(settings.topicPrefix, alert.data.agency),
      messages: [{ key: alert.subject, value: JSON.stringify(alert) }],
    }));

  const alertIds = (collector: TopicCollector): string[] =>
    collector.messages
      .filter(({ message }) => message.key?.toString() !== SEAL_KEY)
      .map(({ message }) => (JSON.parse(message.value!.toString()) as Alert).id);

  const registered = async (): Promise<string[]> =>
    (await app.app.get(AuditService).store.query({ action: 'alert', limit: 1000 })).map(
      (record) => record.content.requestId!,
    );

  it('aborts the transaction the dead holder left open and sends its plan once', async () => {
    const plan = await plannedArrest();
    await planAndRecord(plan);
    // The dead holder's producer sent the alerts and died before its commit.
    const dead = testKafka(settings.brokers).producer({
      transactionalId: settings.relayGroupId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await dead.connect();
    const open = await dead.transaction();
    await open.sendBatch({ topicMessages: topicMessages(plan), acks: -1 });
    await dead.disconnect();
    await eventually(
      () => everything.messages.length,
      (count) => count >= plan.alerts.length,
      'the uncommitted alerts',
    );

    const startedAt = Date.now();
    await app.relay.start();
    await eventually(() => app.relay.active, Boolean, 'the relay to take the lapsed lease over', 30_000);
    expect(Date.now() - startedAt).toBeLessThan(LEASE_MS + LEASE_MS / 3 + 10_000);
    await eventually(
      () => app.relay.sent,
      (sent) => sent === plan.alerts.length,
      'the plan to be sent',
    );
    await readToSeal(committed, topics);
    await readToSeal(everything, topics);

    const planned = plan.alerts.map(({ alert }) => alert.id).sort();
    expect(alertIds(committed).sort()).toEqual(planned);
    // Both copies are on the topics; only the committed one reaches a read_committed consumer.
    expect(alertIds(everything).sort()).toEqual([...planned, ...planned].sort());
    expect((await registered()).sort()).toEqual(planned);
    expect(await app.app.get(AuditService).verify()).toMatchObject({ ok: true });
    expect(app.relay.position).toBe(plan.to);
  }, 90_000);

  it('sends nothing again for a plan whose transaction committed before its holder died', async () => {
    const plan = await plannedArrest();
    await planAndRecord(plan);
    const producer = await RelayProducer.connect(
      createKafkaClient(settings, 'dead-holder'),
      settings.relayGroupId,
      relayCheckpointTopic(settings.topicPrefix),
    );
    const holder = { owner: 'dead-holder', token: 1 };
    expect(await producer.takeOver(settings.relayGroupId, holder)).toBeUndefined();
    await producer.deliver(topicMessages(plan), plan.to, holder);
    await producer.close();

    await app.relay.start();
    await eventually(() => app.relay.active, Boolean, 'the relay to take the lapsed lease over', 30_000);
    // A later arrest goes out as usual, after the plan the dead holder delivered.
    const next = await plannedArrest();
    await eventually(
      () => app.relay.position,
      (position) => position >= next.to,
      'the relay to pass the next arrest',
    );
    await readToSeal(committed, topics);

    const expected = [...plan.alerts, ...next.alerts].map(({ alert }) => alert.id).sort();
    expect(app.relay.sent).toBe(next.alerts.length);
    expect(alertIds(committed).sort()).toEqual(expected);
    expect((await registered()).sort()).toEqual(expected);
    expect(await app.app.get(AuditService).verify()).toMatchObject({ ok: true });
  }, 90_000);
});

import type { Producer } from 'kafkajs';
import { AuditService } from '@throughline/audit';
import { CATALOGUE_EXAMPLES, DEFAULT_AGENCIES, subjectStream } from '@throughline/domain';
import { storedEventId } from '@throughline/ingestion';
import { SUBJECT_VIEWS, type SubjectDoc } from '@throughline/subjects';
import { alertsTopic, ingestTopic, type KafkaSettings } from '../kafka-settings';
import {
  type CloudEvent,
  cloudEvent,
  createTopics,
  eventually,
  headerText,
  type KafkaTestApp,
  PRISON,
  PROBATION,
  startKafkaTestApp,
  structured,
  TestSubject,
  testProducer,
  testSettings,
  TopicCollector,
  VOLUNTARY,
} from '../testing/kafka-test-kit';
import { type Alert, alertId } from './alert';
import { ALERTS_RELAY } from './alerts-relay';

const example = <T extends keyof typeof CATALOGUE_EXAMPLES>(type: T) =>
  ({ ...CATALOGUE_EXAMPLES[type] }) as unknown as Record<string, unknown>;

describe('alerts relayed from the log (real broker)', () => {
  let settings: KafkaSettings;
  let app: KafkaTestApp;
  let producer: Producer;
  let alerts: TopicCollector;

  beforeAll(async () => {
    settings = testSettings();
    await createTopics(settings);
    app = await startKafkaTestApp(settings);
    await app.ingestion.start();
    await app.relay.start();
    await eventually(() => app.relay.active, Boolean, 'the relay to take the lease');
    producer = await testProducer();
    alerts = await TopicCollector.start(
      DEFAULT_AGENCIES.map((agency) => alertsTopic(settings.topicPrefix, agency)),
    );
  }, 60_000);

  afterAll(async () => {
    await alerts?.stop();
    await producer?.disconnect();
    await app?.close();
  }, 60_000);

  const publish = async (agency: string, ...events: CloudEvent[]): Promise<void> => {
    await producer.send({
      topic: ingestTopic(settings.topicPrefix, agency),
      messages: events.map(structured),
    });
    await eventually(
      () => app.store.findByIds(events.map((e) => storedEventId(e.source, e.id))),
      (found) => found.length === events.length,
      `${events.map((e) => e.type).join(', ')} to be stored`,
    );
  };
  const storedId = (event: CloudEvent): string => storedEventId(event.source, event.id);
  const alertsFor = (event: CloudEvent): Map<string, Alert> =>
    new Map(
      alerts.messages
        .map(({ topic, message }) => ({ topic, alert: JSON.parse(message.value!.toString()) as Alert }))
        .filter(({ alert }) => alert.data.eventId === storedId(event))
        .map(({ topic, alert }) => [topic.slice(`${settings.topicPrefix}.alerts.`.length), alert]),
    );

  it('tells each agency working with the subject what its policy lets it see, and resumes from its checkpoint after a restart', async () => {
    const subject = new TestSubject();
    const registration = subject.registered();
    await publish('police', registration);
    await publish(
      'probation',
      cloudEvent(PROBATION, 'iom.sentence.imposed.v1', subject.ref, example('iom.sentence.imposed.v1')),
    );
    await publish(
      'voluntary',
      cloudEvent(
        VOLUNTARY,
        'iom.accommodation.changed.v1',
        subject.ref,
        example('iom.accommodation.changed.v1'),
      ),
    );
    const subjectId = (await subject.subjectId(app.store, registration))!;

    const arrest = subject.arrested();
    await publish('police', arrest);
    // Settled once the relay has passed the arrest: every alert it will send for it has been acknowledged.
    const arrestPosition = (await app.store.findByIds([storedId(arrest)]))[0]!.position;
    await eventually(
      () => app.relay.position,
      (p) => p >= arrestPosition,
      'the relay to pass the arrest',
    );
    const doc = (await app.readModels.get<SubjectDoc>(SUBJECT_VIEWS, subjectId))!;
    const arrestAlerts = await eventually(
      () => alertsFor(arrest),
      (found) => found.has('probation') && found.has('police'),
      'arrest alerts',
    );
    // A voluntary-sector partner is not told of an arrest; agencies with no view hear nothing.
    expect(arrestAlerts.has('voluntary')).toBe(false);
    for (const agency of arrestAlerts.keys()) expect(Object.keys(doc.views)).toContain(agency);
    const toProbation = arrestAlerts.get('probation')!;
    expect(toProbation).toMatchObject({
      specversion: '1.0',
      type: 'iom.alert.arrest.v1',
      id: alertId(storedId(arrest), 'probation'),
      source: 'urn:throughline:alerts',
      subject: subjectId,
      data: {
        eventType: 'iom.arrest.recorded.v1',
        agency: 'probation',
        publisher: 'police',
        category: 'offending',
        occurredAt: arrest.time,
        fields: arrest.data,
        disclosure: { rule: 'agreement', clause: 'cj-core' },
      },
    });
    expect(arrestAlerts.get('police')!.data.disclosure.rule).toBe('own-publication');
    // Each alert sent is a disclosure on the register, under the alert's id.
    const register = await app.app.get(AuditService).store.query({ subjectId, action: 'alert', limit: 100 });
    const recorded = register.find((record) => record.content.requestId === toProbation.id)!;
    expect(recorded.content).toMatchObject({
      principal: { kind: 'system', user: 'alerts-relay', agency: 'probation' },
      outcome: 'disclosed',
      purpose: 'case-management',
      subjects: [
        { subjectId, fields: { offending: Object.keys(arrest.data).sort() }, positions: [arrestPosition] },
      ],
    });
    const keyed = alerts.messages.find(
      ({ message }) => JSON.parse(message.value!.toString()).id === toProbation.id,
    )!;
    expect(keyed.message.key!.toString()).toBe(subjectId);
    expect(headerText(keyed.message.headers, 'content-type')).toBe('application/cloudevents+json');

    await publish('prison', subject.nomisLinked());
    await publish(
      'prison',
      cloudEvent(PRISON, 'iom.custody.received.v1', `nomis:${subject.nomis}`, {
        establishment: 'HMP Birmingham',
        status: 'remand',
        expectedRelease: '2025-06-01',
      }),
    );
    const release = cloudEvent(
      PRISON,
      'iom.custody.released.v1',
      `nomis:${subject.nomis}`,
      example('iom.custody.released.v1'),
    );
    await publish('prison', release);
    const releaseAlerts = await eventually(
      () => alertsFor(release),
      (found) => found.has('voluntary') && found.has('probation'),
      'release alerts',
    );
    // Dates only for the community partners: not where from, not where to.
    expect(releaseAlerts.get('voluntary')!.data.fields).toEqual({
      releasedAt: example('iom.custody.released.v1').releasedAt,
    });
    expect(releaseAlerts.get('probation')!.data.fields).toEqual(example('iom.custody.released.v1'));

    // The relay stops; events keep arriving; on restart it resumes from its checkpoint.
    await app.relay.stop();
    const checkpoint = await app.readModels.checkpoint(ALERTS_RELAY);
    const wanted = cloudEvent(
      'urn:throughline:police:custody',
      'iom.wanted.flagged.v1',
      subject.ref,
      example('iom.wanted.flagged.v1'),
    );
    const missed = cloudEvent(
      PROBATION,
      'iom.appointment.missed.v1',
      subject.ref,
      example('iom.appointment.missed.v1'),
    );
    await publish('police', wanted);
    await publish('probation', missed);
    expect(await app.readModels.checkpoint(ALERTS_RELAY)).toBe(checkpoint);
    expect(alertsFor(wanted).size + alertsFor(missed).size).toBe(0);

    await app.relay.start();
    // Each agency's alerts arrive on its own topic, so the two may be read in either order.
    const missedAlerts = await eventually(
      () => alertsFor(missed),
      (found) => found.has('probation'),
      'the missed appointment alert after the restart',
    );
    const wantedAlerts = await eventually(
      () => alertsFor(wanted),
      (found) => found.has('police'),
      'the wanted alert after the restart',
    );
    expect(wantedAlerts.has('voluntary')).toBe(false);
    expect(missedAlerts.get('probation')!.type).toBe('iom.alert.appointment-missed.v1');

    const head = (await app.store.readStream(subjectStream(subjectId))).at(-1)!.position;
    await eventually(
      () => app.readModels.checkpoint(ALERTS_RELAY),
      (p) => p >= head,
      'the checkpoint to reach the last event',
    );
    // A clean stop and start repeats nothing.
    const ids = alerts.messages.map(({ message }) => (JSON.parse(message.value!.toString()) as Alert).id);
    expect(new Set(ids).size).toBe(ids.length);
  }, 90_000);

  it('runs the relay in one process at a time, the holder of the lease in their store, and hands it over when that process stops', async () => {
    // Another process on the same stores: their lease decides which one relays.
    const other = await startKafkaTestApp(settings, app.dataDir);
    try {
      await other.relay.start();
      await eventually(
        () => [app.relay.role, other.relay.role].sort(),
        (roles) => roles.join() === 'leader,standby',
        'one leader and one standby',
      );
      const [holder, standby] = app.relay.active ? [app, other] : [other, app];
      await holder.relay.stop();
      await eventually(() => standby.relay.active, Boolean, 'the standby to take over', 60_000);
      expect(holder.relay.role).toBe('stopped');
      await holder.relay.start();
      expect(holder.relay.role).toBe('standby');
    } finally {
      await other.close({ keepData: true });
    }
  }, 90_000);
});

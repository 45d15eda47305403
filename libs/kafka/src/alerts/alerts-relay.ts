import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { type Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
import { AuditService } from '@throughline/audit';
import { DEFAULT_AGENCIES, isAlerting } from '@throughline/domain';
import { EventStore, type RecordedEvent, type Subscription } from '@throughline/event-store';
import { ReadModelStore, toPublishedEvent } from '@throughline/projections';
import { AgreementService } from '@throughline/sharing';
import { SUBJECT_VIEWS } from '@throughline/subjects';
import { delay, errorText } from '../delay';
import { createKafkaClient, ensureTopics } from '../kafka-client';
import { alertsTopic, KAFKA_SETTINGS, type KafkaSettings, relayLeaseTopic } from '../kafka-settings';
import { type Alert, alertDisclosure, planAlerts, type SubjectSharing } from './alert';
import { RelayLease } from './relay-lease';

/** The relay's checkpoint lives in the read-model store under this name. */
export const ALERTS_RELAY = 'alerts-relay';
const STARTED = 'started';
const BATCH_SIZE = 500;

class RelayStopped extends Error {}

/**
 * Alerts out, outbox style: a catch-up subscription to the log from a checkpoint, never a second
 * write beside the store. For each batch it waits until the subject-views projection has applied
 * it (the recipients are the agencies holding a view), sends the alerts, and only once the broker
 * has acknowledged them moves the checkpoint. A crash between the two repeats alerts on restart
 * (with the same ids); it never loses one. Only the worker holding the relay lease runs it.
 */
@Injectable()
export class AlertsRelay implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AlertsRelay.name);
  private lease?: RelayLease;
  private producer?: Producer;
  private subscription?: Subscription;
  private halting = new AbortController();
  /** Alert topics known to exist; a new recipient agency's topic is created on first use. */
  private readonly topics = new Set<string>();
  /** The last log position whose alerts are acknowledged. */
  position = 0;
  sent = 0;

  constructor(
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    private readonly events: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly agreements: AgreementService,
    private readonly audit: AuditService,
  ) {}

  get active(): boolean {
    return this.subscription !== undefined;
  }

  /** `leader` relays; `standby` is in the lease group, ready to take over. */
  get role(): 'leader' | 'standby' | 'stopped' {
    return this.active ? 'leader' : this.lease?.joined ? 'standby' : 'stopped';
  }

  /** Joins the lease group; the relay runs while this worker holds the lease. */
  async start(): Promise<void> {
    if (this.lease) return;
    this.lease = new RelayLease(
      createKafkaClient(this.settings, 'alerts-lease'),
      this.settings.relayGroupId,
      relayLeaseTopic(this.settings.topicPrefix),
      {
        acquired: () => this.activate(),
        released: () => this.deactivate(),
      },
    );
    await this.lease.start();
  }

  async stop(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    await lease?.stop();
    await this.deactivate();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private async activate(): Promise<void> {
    if (this.subscription) return;
    this.halting = new AbortController();
    const kafka = createKafkaClient(this.settings, 'alerts');
    const producer = kafka.producer({
      // Idempotent, one request in flight and acks from all replicas: a retried send is neither
      // duplicated nor reordered by the broker, and an acknowledged alert survives a broker loss.
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    try {
      await producer.connect();
      await this.ensureAlertTopics(kafka);
      this.position = await this.resume();
    } catch (error) {
      // The lease retries the acquisition; this attempt's connections must not linger.
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    this.producer = producer;
    this.subscription = this.events.subscribeToAll({
      after: this.position,
      batchSize: BATCH_SIZE,
      onEvents: (batch) => this.relay(kafka, producer, batch),
      onError: (error) => {
        // The subscription retries the same batch from the checkpoint on its next poll.
        if (!(error instanceof RelayStopped))
          this.logger.warn(`Alert relay batch failed, will retry: ${errorText(error)}`);
      },
    });
    this.logger.log(`Relaying alerts from log position ${this.position}`);
  }

  private async deactivate(): Promise<void> {
    this.halting.abort();
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect();
  }

  /** Partners can subscribe before the first alert; a later agency's topic is made on first use. */
  private async ensureAlertTopics(kafka: Kafka): Promise<void> {
    const agencies =
      this.settings.agencies ?? (await this.agreements.current())?.agencies ?? DEFAULT_AGENCIES;
    const topics = agencies.map((agency) => alertsTopic(this.settings.topicPrefix, agency));
    try {
      await ensureTopics(kafka, topics);
      for (const topic of topics) this.topics.add(topic);
    } catch (error) {
      this.logger.warn(`Could not check or create the alert topics: ${errorText(error)}`);
    }
  }

  /**
   * The checkpoint, or on the very first run the head of the log (KAFKA_ALERTS_FROM=head), so that
   * switching Kafka on for an existing partnership does not replay years of alerts. The marker
   * document tells "never ran" from "ran at position 0".
   */
  private async resume(): Promise<number> {
    if (await this.readModels.get(ALERTS_RELAY, STARTED)) return this.readModels.checkpoint(ALERTS_RELAY);
    const from = this.settings.alertsFrom === 'head' ? await this.events.headPosition() : 0;
    await this.readModels.commit(
      ALERTS_RELAY,
      new Map([[STARTED, { from, at: new Date().toISOString() }]]),
      from,
    );
    return from;
  }

  private async relay(kafka: Kafka, producer: Producer, batch: readonly RecordedEvent[]): Promise<void> {
    const alerting = batch.filter((recorded) => isAlerting(recorded.type));
    if (alerting.length > 0) {
      await this.viewsReached(alerting[alerting.length - 1]!.position);
      const alerts = await this.alertsOf(alerting);
      if (alerts.length > 0) {
        // On the register before the data leaves, as for every read; a retried batch records again.
        const positions = new Map(alerting.map((recorded) => [recorded.id, recorded.position]));
        await Promise.all(
          alerts.map((alert) =>
            this.audit.record(alertDisclosure(alert, positions.get(alert.data.eventId)!)),
          ),
        );
        const byTopic = new Map<string, Message[]>();
        for (const alert of alerts) {
          const topic = alertsTopic(this.settings.topicPrefix, alert.data.agency);
          byTopic.set(topic, [...(byTopic.get(topic) ?? []), alertMessage(alert)]);
        }
        const unknown = [...byTopic.keys()].filter((topic) => !this.topics.has(topic));
        if (unknown.length > 0) {
          await ensureTopics(kafka, unknown);
          for (const topic of unknown) this.topics.add(topic);
        }
        await producer.sendBatch({
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
          acks: -1,
        });
        this.sent += alerts.length;
      }
    }
    const last = batch[batch.length - 1]!.position;
    // An empty change set moves only the checkpoint.
    await this.readModels.commit(ALERTS_RELAY, new Map(), last);
    this.position = last;
  }

  private async alertsOf(recorded: readonly RecordedEvent[]): Promise<Alert[]> {
    const events = recorded.flatMap((entry) => {
      const event = toPublishedEvent(entry);
      return event ? [{ event, recordedAt: entry.recordedAt }] : [];
    });
    const subjects = await this.readModels.getMany<SubjectSharing>(SUBJECT_VIEWS, [
      ...new Set(events.map(({ event }) => event.subjectId)),
    ]);
    const agreement = await this.agreements.current();
    const now = new Date();
    return events.flatMap(({ event, recordedAt }) => {
      const subject = subjects.get(event.subjectId);
      if (!subject) return [];
      try {
        return planAlerts({ event, recordedAt, subject, agreement, now });
      } catch (error) {
        // Data no check foresaw would throw on every retry: this event goes without its alerts
        // rather than hold back every agency's.
        const reason = error instanceof Error ? error.message : String(error);
        this.logger.error(
          `No alerts for event ${event.id} (${event.type}, position ${event.position}): ${reason}`,
        );
        return [];
      }
    });
  }

  /** The recipients come from the subject-views documents, so they must include this event. */
  private async viewsReached(position: number): Promise<void> {
    let waitedMs = 0;
    while ((await this.readModels.checkpoint(SUBJECT_VIEWS)) < position) {
      if (!(await delay(25, this.halting.signal))) throw new RelayStopped('relay stopped');
      waitedMs += 25;
      if (waitedMs % 30_000 === 0)
        this.logger.warn(`Waiting ${waitedMs / 1000} s for ${SUBJECT_VIEWS} to reach position ${position}`);
    }
  }
}

/** Structured mode, keyed by subject so one subject's alerts stay in order on one partition. */
const alertMessage = (alert: Alert): Message => ({
  key: alert.subject,
  value: JSON.stringify(alert),
  headers: { 'content-type': 'application/cloudevents+json' },
});

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Kafka, Message } from 'kafkajs';
import { AuditService } from '@throughline/audit';
import { DEFAULT_AGENCIES } from '@throughline/domain';
import { EventStore, type RecordedEvent, type Subscription } from '@throughline/event-store';
import {
  PROJECTION_LEASE,
  type ProjectionLeaseOptions,
  ReadModelStore,
  StaleProjectionWriteError,
} from '@throughline/projections';
import { AgreementService } from '@throughline/sharing';
import { errorText } from '../delay';
import { createKafkaClient, ensureTopics } from '../kafka-client';
import { alertsTopic, KAFKA_SETTINGS, type KafkaSettings, relayCheckpointTopic } from '../kafka-settings';
import { type Alert, alertDisclosure } from './alert';
import { BatchPlanner, type RelayPlan, RelayStopped } from './batch-planner';
import { type RelayHolder, RelayProducer } from './relay-producer';

/**
 * The relay's name in the read-model store: its checkpoint, its documents and its lease (a row of
 * `projection_leases`, taken and fenced as every projection's is).
 */
export const ALERTS_RELAY = 'alerts-relay';
/** The relay's documents: the marker of its first run, and the plan of the last batch with alerts. */
export const ALERTS_RELAY_DOCS = { started: 'started', inFlight: 'in-flight' } as const;
const STARTED = ALERTS_RELAY_DOCS.started;
/** What a takeover delivers if its holder died before the broker committed it. */
const IN_FLIGHT = ALERTS_RELAY_DOCS.inFlight;
const BATCH_SIZE = 500;
const DEFAULT_LEASE_MS = 15_000;

interface Held {
  readonly token: number;
  /** When the lease was last taken or renewed, on this process's clock. */
  renewedAt: number;
  /** A commit found the lease or the checkpoint moved: another process holds it now. */
  lost: boolean;
}

/** One tenure of the relay: a producer that fenced every earlier one, and the subscription. */
interface Session {
  readonly held: Held;
  readonly producer: RelayProducer;
  readonly kafka: Kafka;
  readonly halting: AbortController;
  subscription?: Subscription;
  /** A batch failed: the session is ended and the relay resumes from the store and the broker. */
  broken: boolean;
}

/**
 * Alerts out, outbox style, exactly once: a catch-up subscription to the log from a checkpoint,
 * never a second write beside the store.
 *
 * One process relays at a time, the holder of the `alerts-relay` lease in the read-model store
 * (the projections' lease: renewed every third of PROJECTION_LEASE_SECONDS, taken over once it
 * lapses, a token that grows with each taking). For each batch the holder
 * 1. waits until subject-views has applied it (the recipients are the agencies holding a view) and
 *    plans the alerts;
 * 2. stores the plan with the checkpoint at the batch's end, in one commit fenced by the lease token
 *    and the checkpoint it started from, so each batch is planned once, by the holder;
 * 3. records each planned alert's disclosure under the alert's id, once (a record offered again is
 *    not written again);
 * 4. sends the alerts and a record of the position they reach in one Kafka transaction, under the
 *    transactional id every worker shares.
 * A new holder's first transaction fences every earlier producer (the broker aborts what one left
 * open, and refuses what it sends after), then it reads back, read_committed, how far committed
 * transactions delivered: if the stored plan is not covered, it delivers that plan, the same alerts,
 * before anything later. So every planned alert reaches read_committed consumers once, its record
 * is on the register once, and no record names an alert that will not be sent.
 */
@Injectable()
export class AlertsRelay implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AlertsRelay.name);
  /** Two relays in one process (a test) must never pass for one another. */
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly leaseMs: number;
  private readonly now: () => number;
  /** Set while started: every third of the lease, renew it or try to take it. */
  private timer?: NodeJS.Timeout;
  /** Lease steps run one after another. */
  private steps: Promise<void> = Promise.resolve();
  private held?: Held;
  private session?: Session;
  /** Alert topics known to exist; a new recipient agency's topic is created on first use. */
  private readonly topics = new Set<string>();
  private readonly planner: BatchPlanner;
  /** The last log position whose alerts are planned and delivered (while leading). */
  position = 0;
  /** Alerts delivered by this relay since it was made. */
  sent = 0;

  constructor(
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    private readonly events: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly agreements: AgreementService,
    private readonly audit: AuditService,
    @Optional() @Inject(PROJECTION_LEASE) lease?: ProjectionLeaseOptions,
  ) {
    this.leaseMs = lease?.leaseMs ?? DEFAULT_LEASE_MS;
    this.now = lease?.now ?? Date.now;
    this.planner = new BatchPlanner(readModels, agreements, this.logger);
  }

  get active(): boolean {
    return this.role === 'leader';
  }

  /**
   * `leader` relays: it holds the lease, and its lease has not run out on this process's clock, so
   * no other process can have taken it (clocks in step); `standby` tries to take it; `stopped` does
   * neither.
   */
  get role(): 'leader' | 'standby' | 'stopped' {
    const session = this.session;
    if (
      session &&
      !session.broken &&
      !session.held.lost &&
      this.now() < session.held.renewedAt + this.leaseMs
    )
      return 'leader';
    return this.timer ? 'standby' : 'stopped';
  }

  /** Stands by for the lease, and relays whenever this process holds it. */
  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => this.step(), Math.max(1, Math.floor(this.leaseMs / 3)));
    this.timer.unref();
    this.step();
    await this.steps;
  }

  /** Finishes the batch in hand (its transaction commits or aborts) and lets the lease go at once. */
  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    // A batch waiting for subject-views gives up; one being sent finishes.
    this.session?.halting.abort();
    await this.steps;
    const held = this.held;
    await this.standDown();
    if (held && !held.lost)
      await this.readModels
        .releaseLease(ALERTS_RELAY, this.owner, held.token)
        .catch((error: unknown) => this.logger.warn(`Releasing the relay lease failed: ${errorText(error)}`));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private step(): void {
    this.steps = this.steps
      .then(() => this.keepOrTakeLease())
      .catch((error: unknown) => this.logger.error(`Alerts relay: ${errorText(error)}; trying again`));
  }

  private async keepOrTakeLease(): Promise<void> {
    if (!this.timer) return;
    const held = this.held;
    if (held && !held.lost) {
      const at = this.now();
      if (await this.readModels.renewLease(ALERTS_RELAY, this.owner, held.token, at, this.leaseMs)) {
        held.renewedAt = at;
        if (this.session?.broken) await this.endSession();
        if (!this.session) await this.leadOrLetGo(held);
        return;
      }
      this.logger.warn('Alerts relay: the lease went to another process; standing by');
    }
    if (held) await this.standDown();
    const at = this.now();
    const lease = await this.readModels.acquireLease(ALERTS_RELAY, this.owner, at, this.leaseMs);
    if (!lease || !this.timer) return;
    this.held = { token: lease.token, renewedAt: at, lost: false };
    await this.leadOrLetGo(this.held);
  }

  /** A holder that cannot start (the broker out of its reach) lets another process try at once. */
  private async leadOrLetGo(held: Held): Promise<void> {
    try {
      await this.lead(held);
    } catch (error) {
      await this.standDown();
      await this.readModels.releaseLease(ALERTS_RELAY, this.owner, held.token).catch(() => undefined);
      throw error;
    }
  }

  private async standDown(): Promise<void> {
    this.held = undefined;
    await this.endSession();
  }

  private async endSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    session.halting.abort();
    await session.subscription?.stop();
    await session.producer.close();
  }

  /** Takes over from whoever held the lease before, finishes what it left, and follows the log. */
  private async lead(held: Held): Promise<void> {
    const kafka = createKafkaClient(this.settings, 'alerts');
    const producer = await RelayProducer.connect(
      kafka,
      this.settings.relayGroupId,
      relayCheckpointTopic(this.settings.topicPrefix),
    );
    const session: Session = { held, producer, kafka, halting: new AbortController(), broken: false };
    try {
      await this.ensureAlertTopics(kafka);
      const delivered = await producer.takeOver(this.settings.relayGroupId, this.holder(held));
      this.position = await this.resume(session, delivered);
    } catch (error) {
      await producer.close();
      throw error;
    }
    session.subscription = this.events.subscribeToAll({
      after: this.position,
      batchSize: BATCH_SIZE,
      onEvents: (batch) => this.relay(session, batch),
      // Reading the log failed: the subscription reads the same batch again on its next poll.
      onError: (error) =>
        this.logger.warn(`Alert relay could not read the log, will retry: ${errorText(error)}`),
    });
    this.session = session;
    this.logger.log(`Relaying alerts from log position ${this.position} (lease token ${held.token})`);
  }

  /**
   * Where this holder starts. On the very first run, the head of the log (KAFKA_ALERTS_FROM=head), so
   * that switching Kafka on for an existing partnership does not replay years of alerts; the marker
   * document tells "never ran" from "ran at position 0". Otherwise the checkpoint, once the plan
   * stored with it is delivered: by the last holder (the broker's delivered position has reached
   * it), or now.
   */
  private async resume(session: Session, delivered: number | undefined): Promise<number> {
    const fence = { token: session.held.token, from: await this.readModels.checkpoint(ALERTS_RELAY) };
    if (!(await this.readModels.get(ALERTS_RELAY, STARTED))) {
      const from = delivered ?? (this.settings.alertsFrom === 'head' ? await this.events.headPosition() : 0);
      await this.readModels.commit(
        ALERTS_RELAY,
        new Map<string, unknown>([
          [STARTED, { from, at: new Date().toISOString() }],
          [IN_FLIGHT, null],
        ]),
        from,
        undefined,
        fence,
      );
      return from;
    }
    const plan = await this.readModels.get<RelayPlan>(ALERTS_RELAY, IN_FLIGHT);
    if (plan && plan.to === fence.from && (delivered ?? -1) < plan.to) {
      this.logger.log(
        `Delivering the ${plan.alerts.length} alert(s) planned up to log position ${plan.to}, which the last holder did not`,
      );
      await this.deliver(session, plan);
    }
    if (delivered !== undefined && delivered > fence.from) {
      // The store is behind what the broker holds as delivered (restored from a backup, say):
      // those alerts went out, and must not go out again.
      this.logger.warn(
        `The alerts relay's checkpoint (${fence.from}) is behind what was delivered (${delivered}); resuming from ${delivered}`,
      );
      await this.readModels.commit(ALERTS_RELAY, new Map([[IN_FLIGHT, null]]), delivered, undefined, fence);
      return delivered;
    }
    return fence.from;
  }

  private async relay(session: Session, batch: readonly RecordedEvent[]): Promise<void> {
    if (session.broken) return;
    try {
      const plan: RelayPlan = {
        from: this.position,
        to: batch[batch.length - 1]!.position,
        alerts: await this.planner.plan(batch, session.halting.signal),
      };
      // Decided once: a holder that lost the lease (or a second attempt at this batch) finds the
      // token or the checkpoint moved, and writes nothing.
      await this.readModels.commit(
        ALERTS_RELAY,
        new Map([[IN_FLIGHT, plan.alerts.length > 0 ? plan : null]]),
        plan.to,
        undefined,
        { from: plan.from, token: session.held.token },
      );
      await this.deliver(session, plan);
      this.position = plan.to;
    } catch (error) {
      // Whether the transaction committed is known only by reading the broker back: this session
      // ends, and the relay starts again from the store and the broker (or stands by).
      session.broken = true;
      if (error instanceof StaleProjectionWriteError) {
        session.held.lost = true;
        this.logger.warn(`${error.message}; standing by`);
      } else if (!(error instanceof RelayStopped)) {
        this.logger.warn(`Alert relay batch failed, resuming from the checkpoint: ${errorText(error)}`);
      }
      // Stopping the subscription waits for this batch to end, so it is left to the next step.
      if (this.timer) this.step();
    }
  }

  /**
   * On the register first, then out: each alert's disclosure is recorded under the alert's id,
   * once, however often the plan is delivered; then the alerts and the position they reach go out
   * in one transaction.
   */
  private async deliver(session: Session, plan: RelayPlan): Promise<void> {
    if (plan.alerts.length === 0) return;
    await this.audit.recordOnce(plan.alerts.map(({ alert, position }) => alertDisclosure(alert, position)));
    const byTopic = new Map<string, Message[]>();
    for (const { alert } of plan.alerts) {
      const topic = alertsTopic(this.settings.topicPrefix, alert.data.agency);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), alertMessage(alert)]);
    }
    const unknown = [...byTopic.keys()].filter((topic) => !this.topics.has(topic));
    if (unknown.length > 0) {
      await ensureTopics(session.kafka, unknown);
      for (const topic of unknown) this.topics.add(topic);
    }
    await session.producer.deliver(
      [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      plan.to,
      this.holder(session.held),
    );
    this.sent += plan.alerts.length;
  }

  private holder(held: Held): RelayHolder {
    return { owner: this.owner, token: held.token };
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
}

/** Structured mode, keyed by subject so one subject's alerts stay in order on one partition. */
const alertMessage = (alert: Alert): Message => ({
  key: alert.subject,
  value: JSON.stringify(alert),
  headers: { 'content-type': 'application/cloudevents+json' },
});

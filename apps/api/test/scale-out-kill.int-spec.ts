import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Producer } from 'kafkajs';
import { Pool } from 'pg';
import { createAuditSigningKey } from '@throughline/audit';
import { Rng } from '@throughline/demo';
import { ALERT_KINDS, DEFAULT_AGENCIES } from '@throughline/domain';
import { openEventStore } from '@throughline/event-store';
import { storedEventId } from '@throughline/ingestion';
import {
  type Alert,
  alertsTopic,
  deadLetterTopic,
  ingestTopic,
  type KafkaSettings,
  alertSubjects,
  planAlerts,
} from '@throughline/kafka';
import {
  binary,
  createTopics,
  eventually,
  structured,
  testProducer,
  testSettings,
  TopicCollector,
} from '@throughline/kafka/testing';
import { freshDatabase, type TestDatabase } from '@throughline/platform/testing';
import { PostgresReadModelStore, toPublishedEvent } from '@throughline/projections';
import { AgreementService } from '@throughline/sharing';
import { assertBuilt, freePort, runCli, ServerProcess } from './child-process';
import { type CloudEventBody, POLICE, PRISON, SubjectJourney } from './cloud-events';
import { differences, postgresSnapshot, type Snapshot } from './read-model-snapshot';

/**
 * Scale-out under crashes: two `serve` and two `worker` processes on one PostgreSQL database and
 * the broker, fed over HTTP and Kafka at once, while one API and one worker are SIGKILLed at
 * moments drawn from a seed and started again on the same settings. Replay a run with
 * KILL_TEST_SEED=<the seed it printed>.
 */
const SUBJECTS = 400;
/** Subjects published together: their police events in one Kafka send or a few HTTP batches. */
const GROUP = 20;
/** Events of one subject: 5 from the police, then 3 from the prison. */
const POLICE_EVENTS = 5;
const PRISON_EVENTS = 3;
/** Events in one HTTP batch: whole subjects, in order. */
const HTTP_BATCH = POLICE_EVENTS * PRISON_EVENTS;
const PUBLISHERS = 4;
const LEASE_SECONDS = 3;
const PARTITIONS = 4;
const SEED = Number(process.env.KILL_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));

interface Slot {
  readonly name: string;
  readonly start: () => ServerProcess;
  /** Resolves once the process takes work: the API ready, the worker running. */
  readonly up: (process: ServerProcess) => Promise<unknown>;
  /** The process now in this place: a restart replaces it. */
  process?: ServerProcess;
}

interface Kill {
  /** The process to kill, chosen at the moment of the kill. */
  readonly victim: () => Slot;
  /** The share of all events acknowledged when the kill is sent. */
  readonly at: number;
  /** How long the process stays down before it is started again. */
  readonly downMs: number;
  /** Whether the process has work in hand, which the kill waits a few seconds for. */
  readonly busy: () => Promise<boolean>;
  /** How far into that work the kill lands. */
  readonly intoMs: number;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const first = <T>(items: readonly T[]): T[] => items.slice(0, 5);

describe('scale-out under SIGKILL: two APIs and two workers on PostgreSQL and Kafka', () => {
  const rng = new Rng(SEED);
  const started: ServerProcess[] = [];
  const summary: Record<string, unknown> = { seed: SEED };
  let root: string;
  let dataDir: string;
  /** What every process of the deployment is configured with, beside its DATA_DIR. */
  let common: Record<string, string>;
  let database: TestDatabase;
  let pool: Pool;
  let settings: KafkaSettings;
  let producer: Producer | undefined;
  let collector: TopicCollector | undefined;
  const published: CloudEventBody[] = [];
  let before: Snapshot;

  afterAll(async () => {
    await collector?.stop();
    await producer?.disconnect();
    for (const process of started) if (process.running) await process.signal('SIGKILL');
    await pool?.end();
    await database?.drop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  beforeAll(async () => {
    assertBuilt();
    const began = Date.now();
    console.log(`scale-out kill test: seed ${SEED} (replay with KILL_TEST_SEED=${SEED})`);
    root = mkdtempSync(join(tmpdir(), 'throughline-scale-kill-'));
    dataDir = join(root, 'data');
    database = await freshDatabase('kill');
    pool = new Pool({ connectionString: database.url, max: 2 });
    settings = testSettings();
    await createTopics(settings, PARTITIONS);

    // Every process shares DATA_DIR for the token key only; the audit signing key is supplied
    // from outside it, as server mode requires.
    const auditKey = join(root, 'keys', 'audit-signing-key.pem');
    createAuditSigningKey(auditKey);
    const police = runCli(dataDir, [
      'token',
      '--create-key',
      '--agency',
      'police',
      '--system',
      '--source',
      POLICE,
    ]).trim();
    const prison = runCli(dataDir, ['token', '--agency', 'prison', '--system', '--source', PRISON]).trim();
    common = {
      DATABASE_URL: database.url,
      AUDIT_SIGNING_KEY_FILE: auditKey,
      PROJECTION_LEASE_SECONDS: String(LEASE_SECONDS),
    };
    const kafka = {
      KAFKA_BROKERS: settings.brokers.join(','),
      KAFKA_TOPIC_PREFIX: settings.topicPrefix,
      KAFKA_GROUP_ID: settings.groupId,
      KAFKA_RELAY_GROUP_ID: settings.relayGroupId,
      KAFKA_ALERTS_FROM: 'beginning',
      LOG_LEVEL: 'info',
    };
    const portA = await freePort();
    let portB = await freePort();
    while (portB === portA) portB = await freePort();
    const api = (name: string, port: number, env: Record<string, string>): Slot => ({
      name,
      start: () => ServerProcess.start(dataDir, port, { ...common, ...env }),
      up: (process) => process.ready(90_000),
    });
    const worker = (name: string): Slot => ({
      name,
      start: () => ServerProcess.worker(dataDir, { ...common, ...kafka }),
      up: (process) => process.logged('Worker running', 90_000),
    });
    // One API advances projections too, so it competes with the workers for their leases.
    const apis = [
      api('api-a', portA, { RUN_PROJECTIONS: 'true' }),
      api('api-b', portB, { RUN_PROJECTIONS: 'false' }),
    ];
    const workers = [worker('worker-a'), worker('worker-b')];
    const launch = async (slot: Slot): Promise<void> => {
      slot.process = slot.start();
      started.push(slot.process);
      await slot.up(slot.process);
    };
    await Promise.all([...apis, ...workers].map(launch));
    summary.startedInSeconds = (Date.now() - began) / 1000;

    // The workload: each subject's police events (two arrests among them) from one channel, then,
    // once its registration is stored, the prison's from the other: it links its NOMIS number to
    // the person (named by PNC), then names the person by it (received into custody, released).
    const journeys = Array.from({ length: SUBJECTS }, () => new SubjectJourney());
    const groups = Array.from({ length: SUBJECTS / GROUP }, (_, index) => ({
      journeys: journeys.slice(index * GROUP, (index + 1) * GROUP),
      police: rng.chance(0.5) ? 'http' : 'kafka',
    }));
    const total = SUBJECTS * (POLICE_EVENTS + PRISON_EVENTS);
    let acknowledged = 0;
    const counts = {
      httpBatches: 0,
      httpEvents: 0,
      kafkaRecords: 0,
      retries: 0,
      unanswered: 0,
      status503or429: 0,
    };

    /** Requests sent to each API and not yet answered. */
    const inFlight = [0, 0];
    const postBatch = async (token: string, events: CloudEventBody[]): Promise<void> => {
      let target = rng.int(0, 1);
      for (let attempt = 1; ; attempt++) {
        const url = `http://127.0.0.1:${target === 0 ? portA : portB}/v1/events`;
        let status: number | undefined;
        let body = '';
        inFlight[target]!++;
        try {
          const response = await fetch(url, {
            method: 'POST',
            headers: {
              Authorization: `Bearer ${token}`,
              'Content-Type': 'application/cloudevents-batch+json',
            },
            body: JSON.stringify(events),
            signal: AbortSignal.timeout(30_000),
          });
          status = response.status;
          body = await response.text();
        } catch {
          // Refused or cut off by a kill: not acknowledged, so sent again, as a client would.
          counts.unanswered++;
        } finally {
          inFlight[target]!--;
        }
        if (status !== undefined && status >= 200 && status < 300) {
          const results = (JSON.parse(body) as { results: { id: string }[] }).results;
          expect(results.map((result) => result.id)).toEqual(events.map((event) => event.id));
          counts.httpBatches++;
          counts.httpEvents += events.length;
          acknowledged += events.length;
          return;
        }
        if (status === 503 || status === 429) counts.status503or429++;
        else if (status !== undefined)
          throw new Error(`POST ${url} answered ${status} (seed ${SEED}): ${body.slice(0, 500)}`);
        if (attempt > 100) throw new Error(`A batch was not acknowledged after ${attempt} attempts`);
        counts.retries++;
        target = 1 - target;
        await delay(Math.min(50 * attempt, 1_000));
      }
    };
    const post = async (token: string, events: CloudEventBody[]): Promise<void> => {
      for (let from = 0; from < events.length; from += HTTP_BATCH)
        await postBatch(token, events.slice(from, from + HTTP_BATCH));
    };
    /** Keyed by one reference per person, so the person's records keep their order on one partition. */
    const produce = async (
      agency: string,
      events: CloudEventBody[],
      keys: readonly string[],
    ): Promise<void> => {
      await producer!.send({
        topic: ingestTopic(settings.topicPrefix, agency),
        messages: events.map((event, index) => ({
          ...(rng.chance(0.5) ? structured(event) : binary(event)),
          key: keys[index]!,
        })),
      });
      counts.kafkaRecords += events.length;
      acknowledged += events.length;
    };
    const storedCount = async (events: readonly CloudEventBody[]): Promise<number> => {
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM events WHERE event_id = ANY($1::text[])',
        [events.map((event) => storedEventId(event.source, event.id))],
      );
      return rows[0]!.n;
    };

    producer = await testProducer(settings.brokers);
    let next = 0;
    const publisher = async (): Promise<void> => {
      for (let index = next++; index < groups.length; index = next++) {
        const group = groups[index]!;
        const policeEvents = group.journeys.flatMap((journey) => [
          journey.registered(),
          journey.arrested(),
          journey.scored(42, 'red'),
          journey.arrested('Theft from shop'),
          journey.scored(18, 'amber'),
        ]);
        published.push(...policeEvents);
        if (group.police === 'http') await post(police, policeEvents);
        else {
          await produce(
            'police',
            policeEvents,
            policeEvents.map((event) => event.subject),
          );
          // The prison names the person by the PNC the registration claims.
          const registrations = policeEvents.filter((event) => event.type === 'iom.subject.registered.v1');
          await eventually(
            () => storedCount(registrations),
            (count) => count === registrations.length,
            `registrations sent to Kafka to be stored (seed ${SEED})`,
            120_000,
          );
        }
        const custody = group.journeys.flatMap((journey) => [
          journey.linked('prison'),
          journey.receivedIntoCustody(),
          journey.released(),
        ]);
        published.push(...custody);
        if (group.police === 'http')
          await produce(
            'prison',
            custody,
            group.journeys.flatMap((journey) => Array<string>(PRISON_EVENTS).fill(`nomis:${journey.nomis}`)),
          );
        else await post(prison, custody);
      }
    };

    // Either API; the worker relaying alerts when there is one yet (the relay's crash is the case
    // that can repeat an alert), else either worker. The relay logs each time a worker takes it.
    const apiVictim = apis[rng.int(0, 1)]!;
    const spare = workers[rng.int(0, 1)]!;
    const RELAYING = 'Relaying alerts from';
    const relaying = (): Slot | undefined =>
      workers
        .filter((slot) => slot.process!.lastLogged(RELAYING) !== undefined)
        .sort((a, b) => b.process!.lastLogged(RELAYING)! - a.process!.lastLogged(RELAYING)!)[0];
    /**
     * The relay stores each batch's plan with its checkpoint, then records the batch's alerts and
     * sends them in one Kafka transaction: a checkpoint that has just moved is a batch in hand.
     */
    let relayCheckpoint: number | undefined;
    const relayInHand = async (): Promise<boolean> => {
      const { rows } = await pool.query<{ position: string }>(
        `SELECT position FROM projection_checkpoints WHERE projection = 'alerts-relay'`,
      );
      const position = Number(rows[0]?.position ?? 0);
      const moved = relayCheckpoint !== undefined && position !== relayCheckpoint;
      relayCheckpoint = position;
      return moved;
    };
    // Each kill waits (a little) for its process to have work in hand: a request being answered,
    // or a relay batch stored and not yet known to be sent.
    const kills: Kill[] = [
      {
        victim: () => apiVictim,
        busy: async () => inFlight[apis.indexOf(apiVictim)]! > 0,
        intoMs: 0,
        at: 0.15 + rng.next() * 0.45,
        downMs: rng.int(200, 2_000),
      },
      {
        victim: () => relaying() ?? spare,
        busy: relayInHand,
        // A batch is stored, then recorded, then sent: land anywhere in it.
        intoMs: rng.int(0, 300),
        at: 0.15 + rng.next() * 0.45,
        downMs: rng.int(200, 2_000),
      },
    ];
    const killed: Record<string, unknown>[] = (summary.kills = []);
    console.log(
      `scale-out kill test: seed ${SEED}, kills at ${kills.map((kill) => `${(kill.at * 100).toFixed(0)}% down ${kill.downMs} ms`).join(', ')}`,
    );
    const killAndRestart = async (kill: Kill): Promise<void> => {
      while (acknowledged / total < kill.at) await delay(10);
      const waitUntil = Date.now() + 5_000;
      let busy = await kill.busy();
      while (!busy && Date.now() < waitUntil) {
        await delay(5);
        busy = await kill.busy();
      }
      await delay(kill.intoMs);
      const slot = kill.victim();
      const relay = slot === relaying();
      const exit = await slot.process!.signal('SIGKILL');
      // It must die of the kill, not have exited before it.
      expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
      killed.push({
        process: slot.name,
        atShare: +kill.at.toFixed(2),
        intoMs: kill.intoMs,
        downMs: kill.downMs,
        busy,
        relay,
      });
      await delay(kill.downMs);
      await launch(slot);
    };

    const publishing = Date.now();
    await Promise.all([...Array.from({ length: PUBLISHERS }, publisher), ...kills.map(killAndRestart)]);
    summary.publishedInSeconds = (Date.now() - publishing) / 1000;
    summary.counts = counts;
    expect(published).toHaveLength(total);

    // Everything sent is stored (what went to Kafka may still be on its way), then every
    // projection and the alerts relay reach the head of the log.
    const caughtUp = Date.now();
    await eventually(
      () => storedCount(published),
      (count) => count === total,
      `every published event to be stored (seed ${SEED})`,
      120_000,
    );
    const admin = runCli(dataDir, ['token', '--agency', 'police', '--role', 'partnership-admin']).trim();
    interface Status {
      readonly name: string;
      readonly position: number;
      readonly head: number;
      readonly lag: number;
      readonly quarantine: { readonly count: number };
    }
    for (const port of [portA, portB]) {
      await eventually(
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/v1/projections`, {
            headers: { Authorization: `Bearer ${admin}` },
          });
          return ((await response.json()) as { projections: Status[] }).projections;
        },
        (projections) =>
          projections.length > 0 && projections.every((p) => p.lag === 0 && p.position === p.head),
        `every projection to reach the head (seed ${SEED})`,
        120_000,
      );
    }
    const checkpoint = async (name: string): Promise<number> => {
      const { rows } = await pool.query<{ position: string }>(
        'SELECT position FROM projection_checkpoints WHERE projection = $1',
        [name],
      );
      return Number(rows[0]?.position ?? 0);
    };
    const { rows: headRows } = await pool.query<{ head: string }>('SELECT MAX(position) AS head FROM events');
    const head = Number(headRows[0]!.head);
    await eventually(
      () => checkpoint('alerts-relay'),
      (position) => position >= head,
      `the alerts relay to reach the head (seed ${SEED})`,
      120_000,
    );
    summary.caughtUpInSeconds = (Date.now() - caughtUp) / 1000;

    // Every process, the restarted ones included, stops cleanly.
    const live = [...apis, ...workers];
    const exits = await Promise.all(live.map((slot) => slot.process!.signal('SIGTERM')));
    expect(exits.map((exit, index) => ({ process: live[index]!.name, ...exit }))).toEqual(
      live.map((slot) => ({ process: slot.name, code: 0, signal: null })),
    );
    before = await postgresSnapshot(database.url);
    summary.totalSeconds = (Date.now() - began) / 1000;
  }, 300_000);

  it('stores every acknowledged event exactly once', async () => {
    const { rows } = await pool.query<{ source: string; id: string; copies: number }>(
      `SELECT metadata->>'source' AS source, metadata->>'ceId' AS id, count(*)::int AS copies
       FROM events WHERE stream_id LIKE 'subject-%' GROUP BY 1, 2`,
    );
    const stored = new Map(rows.map((row) => [`${row.source} ${row.id}`, row.copies]));
    const sent = new Set(published.map((event) => `${event.source} ${event.id}`));
    expect(sent.size).toBe(published.length);
    expect({
      missing: first([...sent].filter((key) => !stored.has(key))),
      repeated: first(rows.filter((row) => row.copies !== 1)),
      unexpected: first([...stored.keys()].filter((key) => !sent.has(key))),
    }).toEqual({ missing: [], repeated: [], unexpected: [] });
  });

  it('ends with every document equal to what a full rebuild produces, none quarantined', async () => {
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM projection_quarantine');
    expect(rows[0]!.n).toBe(0);
    // At least a document per subject: the comparison is not over empty tables.
    expect(before.docs.size).toBeGreaterThanOrEqual(SUBJECTS);
    runCli(dataDir, ['rebuild'], 120_000, { DATABASE_URL: database.url });
    const rebuilt = await postgresSnapshot(database.url);
    expect(rebuilt.head).toBe(before.head);
    for (const [projection, position] of rebuilt.checkpoints)
      expect({ projection, position }).toEqual({ projection, position: before.checkpoints.get(projection) });
    expect(rebuilt.docs.size).toBe(before.docs.size);
    expect(differences(before, rebuilt)).toEqual([]);
  });

  it('keeps an audit log that verifies', () => {
    const verified = JSON.parse(runCli(dataDir, ['audit', 'verify'], 120_000, common));
    expect(verified).toMatchObject({ ok: true });
  });

  it('delivers every alert the relay plans for the stored events exactly once, and nothing else', async () => {
    // What the relay plans: each stored alerting event, for the agencies holding a view of its
    // subject. The workload changes no sharing state (no consent, concern or new agreement), so
    // the views as they end are the ones the relay saw.
    // Opened as the processes open it, with the keys that seal each event's data.
    const events = await openEventStore({ databaseUrl: database.url, dataDir });
    const readModels = await PostgresReadModelStore.open(database.url);
    let planned: Alert[];
    try {
      const alerting = (await events.readAll({ types: Object.keys(ALERT_KINDS) })).flatMap((recorded) => {
        const event = toPublishedEvent(recorded);
        return event ? [{ event, recordedAt: recorded.recordedAt }] : [];
      });
      const subjects = await alertSubjects(
        readModels,
        alerting.map(({ event }) => event.subjectId),
      );
      const agreement = await new AgreementService(events).current();
      const now = new Date();
      planned = alerting.flatMap(({ event, recordedAt }) =>
        planAlerts({ event, recordedAt, subject: subjects.get(event.subjectId)!, agreement, now }),
      );
      expect(alerting).toHaveLength(SUBJECTS * 4);
    } finally {
      await events.close();
      await readModels.close();
    }

    // Read committed (the kafkajs default), to the end of every partition: a marker sent now, with
    // every process stopped, lands after whatever the relay wrote.
    const topics = [
      ...DEFAULT_AGENCIES.map((agency) => alertsTopic(settings.topicPrefix, agency)),
      deadLetterTopic(settings.topicPrefix),
    ];
    collector = await TopicCollector.start(topics, settings.brokers);
    const marker = `end-of-run-${SEED}`;
    for (const topic of topics)
      await producer!.send({
        topic,
        messages: Array.from({ length: PARTITIONS }, (_, partition) => ({
          partition,
          key: marker,
          value: marker,
        })),
      });
    await eventually(
      () => collector!.messages.filter(({ message }) => message.value?.toString() === marker).length,
      (markers) => markers === topics.length * PARTITIONS,
      'the collector to read every partition to its end',
      60_000,
    );
    const received = collector.messages.filter(({ message }) => message.value?.toString() !== marker);
    const deadLetters = received.filter(({ topic }) => topic === deadLetterTopic(settings.topicPrefix));
    const delivered = received
      .filter(({ topic }) => topic !== deadLetterTopic(settings.topicPrefix))
      .map(({ topic, message }) => ({ topic, alert: JSON.parse(message.value!.toString()) as Alert }));

    const copies = new Map<string, number>();
    for (const { alert } of delivered) copies.set(alert.id, (copies.get(alert.id) ?? 0) + 1);
    const plannedById = new Map(planned.map((alert) => [alert.id, alert]));
    const { rows } = await pool.query<{ id: string; records: number }>(
      `SELECT content->>'requestId' AS id, count(*)::int AS records FROM audit_records WHERE action = 'alert' GROUP BY 1`,
    );
    const repeated = [...copies].filter(([, count]) => count > 1);
    summary.alerts = {
      planned: planned.length,
      delivered: delivered.length,
      distinctDelivered: copies.size,
      repeated: repeated.length,
      extraCopies: repeated.reduce((sum, [, count]) => sum + count - 1, 0),
      auditRecords: rows.reduce((sum, row) => sum + row.records, 0),
      auditDistinct: rows.length,
      deadLetters: deadLetters.length,
    };
    console.log(`scale-out kill test: ${JSON.stringify(summary)}`);

    // Nothing sent was refused, so everything produced to Kafka counts as acknowledged.
    expect(
      first(deadLetters.map(({ message }) => message.headers?.['throughline-error-reason']?.toString())),
    ).toEqual([]);
    // Each on its agency's topic, as planned, field for field.
    for (const { topic, alert } of delivered.filter(({ alert }) => plannedById.has(alert.id)).slice(0, 200))
      expect({ topic, alert }).toEqual({
        topic: alertsTopic(settings.topicPrefix, alert.data.agency),
        alert: plannedById.get(alert.id),
      });
    // The register names exactly the alerts planned, each once.
    expect(new Set(rows.map((row) => row.id))).toEqual(new Set(plannedById.keys()));
    expect(rows.filter((row) => row.records !== 1)).toEqual([]);
    const missing = planned.filter((alert) => !copies.has(alert.id)).map((alert) => alert.id);
    const unplanned = [...copies.keys()].filter((id) => !plannedById.has(id));
    // Every alerting event is at least told to its own publisher's agency.
    expect(planned.length).toBeGreaterThanOrEqual(SUBJECTS * 4);
    expect({
      missing: missing.length,
      unplanned: unplanned.length,
      repeated: repeated.length,
      examples: { missing: first(missing), unplanned: first(unplanned), repeated: first(repeated) },
    }).toEqual({
      missing: 0,
      unplanned: 0,
      repeated: 0,
      examples: { missing: [], unplanned: [], repeated: [] },
    });
  });
});

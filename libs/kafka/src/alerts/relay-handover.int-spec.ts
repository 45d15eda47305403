import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { AuditService, createAuditSigningKey } from '@throughline/audit';
import { DEFAULT_AGENCIES } from '@throughline/domain';
import { storedEventId } from '@throughline/ingestion';
import { toPublishedEvent } from '@throughline/projections';
import { AgreementService } from '@throughline/sharing';
import { alertsTopic, type KafkaSettings } from '../kafka-settings';
import {
  type CloudEvent,
  createTopics,
  eventually,
  type KafkaTestApp,
  POLICE,
  readToSeal,
  SEAL_KEY,
  startKafkaTestApp,
  TestSubject,
  testSettings,
  TopicCollector,
} from '../testing/kafka-test-kit';
import { RelayProcess } from '../testing/relay-process';
import { type Alert, planAlerts } from './alert';
import { alertSubjects } from './batch-planner';
import { AlertsRelay } from './alerts-relay';

const LEASE_SECONDS = 3;
const LEASE_MS = LEASE_SECONDS * 1000;
/**
 * From the holder's end to the standby relaying: its lease lapses at most LEASE_MS after its last
 * renewal, the standby tries again within a third of that, and then fences the broker and reads the
 * relay's checkpoint topic back (a consumer group join) before it sends anything.
 */
const TAKEOVER_WITHIN_MS = LEASE_MS + LEASE_MS / 3 + 10_000;
const POLICE_SYSTEM = { id: 'police-system', agency: 'police', sources: [POLICE] };

interface Backend {
  readonly name: string;
  /** Configuration every process of the deployment shares, beside its DATA_DIR. */
  open(): Promise<Record<string, string>>;
  cleanUp(): Promise<void>;
}

const sqlite = (): Backend => ({
  name: 'SQLite, one DATA_DIR',
  open: async () => ({}),
  cleanUp: async () => undefined,
});

const postgres = (): Backend => {
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const database = `relay_${randomBytes(6).toString('hex')}`;
  const keys = mkdtempSync(join(tmpdir(), 'throughline-relay-keys-'));
  const admin = async (sql: string): Promise<void> => {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    name: 'PostgreSQL, one database',
    open: async () => {
      await admin(`CREATE DATABASE ${database}`);
      const url = new URL(adminUrl);
      url.pathname = `/${database}`;
      // Server mode takes its audit signing key from outside DATA_DIR.
      const keyFile = join(keys, 'audit-signing-key.pem');
      createAuditSigningKey(keyFile);
      return { DATABASE_URL: url.toString(), AUDIT_SIGNING_KEY_FILE: keyFile };
    },
    // A killed process's connections are gone; any other left open is closed with the database.
    cleanUp: async () => {
      await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      rmSync(keys, { recursive: true, force: true });
    },
  };
};

/** Arrests of the subjects, a couple every 100 ms, until stopped: alerts keep coming throughout. */
class ArrestStream {
  readonly published: CloudEvent[] = [];
  private stopped = false;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly app: KafkaTestApp,
    private readonly subjects: readonly TestSubject[],
  ) {}

  start(): void {
    this.done = (async () => {
      for (let round = 0; !this.stopped; round += 1) {
        const arrests = [0, 1].map((offset) =>
          this.subjects[(round * 2 + offset) % this.subjects.length]!.arrested(),
        );
        await this.app.service.ingest(arrests, POLICE_SYSTEM);
        this.published.push(...arrests);
        await sleep(100);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

describe.each([sqlite, postgres])('alerts relays killed mid-stream (%#)', (backendOf) => {
  const backend = backendOf();
  const dataDir = mkdtempSync(join(tmpdir(), 'throughline-relay-handover-'));
  const processes: RelayProcess[] = [];
  const relays: AlertsRelay[] = [];
  let settings: KafkaSettings;
  let env: Record<string, string>;
  let app: KafkaTestApp;
  let collector: TopicCollector;
  let topics: string[];

  beforeAll(async () => {
    settings = testSettings();
    topics = DEFAULT_AGENCIES.map((agency) => alertsTopic(settings.topicPrefix, agency));
    await createTopics(settings);
    env = { ...(await backend.open()), PROJECTION_LEASE_SECONDS: String(LEASE_SECONDS) };
    // This process appends, runs the projections, and runs the second relay on its own connections.
    app = await startKafkaTestApp(settings, dataDir, env);
    collector = await TopicCollector.start(topics);
  }, 90_000);

  afterAll(async () => {
    for (const relay of processes) await relay.kill();
    for (const relay of relays) await relay.stop();
    await collector?.stop();
    await app?.close();
    await backend.cleanUp();
    rmSync(dataDir, { recursive: true, force: true });
  }, 90_000);

  const startProcess = (): RelayProcess => {
    const relay = RelayProcess.start(settings, {
      ...env,
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      KAFKA_BROKERS: settings.brokers.join(','),
    });
    processes.push(relay);
    return relay;
  };

  const roleOf = (relay: RelayProcess, role: string, what: string, timeoutMs = 90_000) =>
    eventually(
      () => relay.role,
      (now) => now === role,
      `${what}\n${relay.tail}`,
      timeoutMs,
    );

  /** How long after `end` this process's relay leads. */
  const takeover = async (end: () => Promise<unknown> | void): Promise<number> => {
    const at = Date.now();
    await end();
    await eventually(
      () => app.relay.role,
      (role) => role === 'leader',
      'this process to take over',
      TAKEOVER_WITHIN_MS,
    );
    return Date.now() - at;
  };

  /** The alerts a relay running once, undisturbed, would send for these arrests. */
  const expectedAlertIds = async (arrests: readonly CloudEvent[]): Promise<string[]> => {
    const agreement = await app.app.get(AgreementService).current();
    const recorded = await app.store.findByIds(
      arrests.map((arrest) => storedEventId(arrest.source, arrest.id)),
    );
    expect(recorded).toHaveLength(arrests.length);
    const ids: string[] = [];
    for (const entry of recorded) {
      const event = toPublishedEvent(entry)!;
      const subject = (await alertSubjects(app.readModels, [event.subjectId])).get(event.subjectId)!;
      const alerts = planAlerts({ event, recordedAt: entry.recordedAt, subject, agreement, now: new Date() });
      expect(alerts.length).toBeGreaterThan(0);
      ids.push(...alerts.map((alert) => alert.id));
    }
    return ids.sort();
  };

  const repeated = (ids: readonly string[]): string[] => ids.filter((id, index) => ids.indexOf(id) !== index);

  it('delivers each alert once to read_committed consumers and records it once, whoever is killed, stopped or fenced', async () => {
    const subjects = Array.from({ length: 8 }, () => new TestSubject());
    await app.service.ingest(
      subjects.map((subject) => subject.registered()),
      POLICE_SYSTEM,
    );

    // A worker process takes the lease; this process stands by.
    const first = startProcess();
    await roleOf(first, 'leader', 'the first worker to relay');
    await app.relay.start();
    expect(app.relay.role).toBe('standby');
    const stream = new ArrestStream(app, subjects);
    stream.start();
    const tookOver: number[] = [];
    // While the clocks agree, no two relays ever say they lead at once.
    const leadersSeen = new Set<number>();
    const sampler = setInterval(() => {
      const roles = [app.relay.role, ...processes.map((relay) => relay.role)];
      leadersSeen.add(roles.filter((role) => role === 'leader').length);
    }, 10);

    // 1. SIGKILL while it relays: this process takes over once the lease lapses.
    await eventually(
      () => first.sent,
      (sent) => sent >= 20,
      `the first worker to send alerts\n${first.tail}`,
      60_000,
    );
    tookOver.push(await takeover(() => first.kill()));
    expect(first.role).toBe('stopped');

    // 2. A clean stop here hands the lease to another worker at once.
    const second = startProcess();
    await roleOf(second, 'standby', 'the second worker to stand by');
    const sentHere = app.relay.sent;
    await eventually(
      () => app.relay.sent,
      (sent) => sent >= sentHere + 20,
      'this process to send alerts',
    );
    await app.relay.stop();
    await roleOf(second, 'leader', 'the second worker to take over a lease let go', LEASE_MS + 15_000);

    // 3. SIGKILL of that worker while it relays: this process, standing by again, takes over.
    await app.relay.start();
    await eventually(
      () => second.sent,
      (sent) => sent >= 20,
      `the second worker to send alerts\n${second.tail}`,
      60_000,
    );
    tookOver.push(await takeover(() => second.kill()));

    clearInterval(sampler);
    expect(Math.max(...leadersSeen)).toBe(1);

    // 4. A relay whose clock runs an hour ahead takes the lease from this live holder at once (the
    //    hosts' clocks out of step): this one, still sending, finds its next commit or transaction
    //    refused, and stands by.
    const sentBefore = app.relay.sent;
    await eventually(
      () => app.relay.sent,
      (sent) => sent >= sentBefore + 20,
      'this process to send alerts again',
    );
    const skewed = new AlertsRelay(
      settings,
      app.store,
      app.readModels,
      app.app.get(AgreementService),
      app.app.get(AuditService),
      { leaseMs: LEASE_MS, now: () => Date.now() + 3_600_000 },
    );
    relays.push(skewed);
    await skewed.start();
    await eventually(
      () => skewed.role,
      (role) => role === 'leader',
      'the relay with the fast clock to lead',
      TAKEOVER_WITHIN_MS,
    );
    await eventually(
      () => app.relay.role,
      (role) => role === 'standby',
      'the fenced holder to stand by',
      LEASE_MS + 15_000,
    );

    await stream.stop();
    const head = await app.store.headPosition();
    await eventually(
      () => skewed.position,
      (position) => position >= head,
      'the relay to reach the head',
      60_000,
    );
    await readToSeal(collector, topics);

    const expected = await expectedAlertIds(stream.published);
    const received = collector.messages
      .filter(({ message }) => message.key?.toString() !== SEAL_KEY)
      .map(({ message }) => (JSON.parse(message.value!.toString()) as Alert).id);
    expect(repeated(received)).toEqual([]);
    expect(received.sort()).toEqual(expected);

    const audit = app.app.get(AuditService);
    const register = (await audit.store.query({ action: 'alert', limit: 100_000 })).map(
      (record) => record.content.requestId!,
    );
    expect(repeated(register)).toEqual([]);
    expect(register.sort()).toEqual(expected);
    expect(await audit.verify()).toMatchObject({ ok: true, firstFault: null });

    for (const ms of tookOver) expect(ms).toBeLessThan(TAKEOVER_WITHIN_MS);
    if (process.env.TEST_LOG_LEVEL)
      process.stdout.write(
        `${backend.name}: ${stream.published.length} arrests, ${expected.length} alerts, each once; ` +
          `taken over ${tookOver.join(' ms and ')} ms after the holder was killed (lease ${LEASE_MS} ms)\n`,
      );
  }, 300_000);
});

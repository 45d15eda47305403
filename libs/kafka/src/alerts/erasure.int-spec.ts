import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { AuditService } from '@throughline/audit';
import { DEFAULT_AGENCIES } from '@throughline/domain';
import { storedEventId } from '@throughline/ingestion';
import { ProjectionRunner } from '@throughline/projections';
import { alertsTopic, type KafkaSettings } from '../kafka-settings';
import {
  cloudEvent,
  createTopics,
  eventually,
  type KafkaTestApp,
  POLICE,
  startKafkaTestApp,
  TestSubject,
  testSettings,
  TopicCollector,
} from '../testing/kafka-test-kit';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const POLICE_SYSTEM = { id: 'police-system', agency: 'police', sources: [POLICE] };

/** Every row of every table of the database's own schemas, as text. */
async function dumpDatabase(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    const dump: string[] = [];
    for (const { schema, name } of tables) {
      const { rows } = await client.query<{ row: string }>(
        `SELECT t::text AS row FROM "${schema}"."${name}" t`,
      );
      dump.push(`${schema}.${name}`, ...rows.map((row) => row.row));
    }
    return dump.join('\n');
  } finally {
    await client.end();
  }
}

/**
 * An erasure in server mode: after it, no table of the PostgreSQL database holds the erased text,
 * an alert not yet sent for the erased event is never sent, and the audit chain still verifies.
 */
describe('erasure on PostgreSQL, through ingestion, projections and the alerts relay', () => {
  const database = `erasure_${randomBytes(6).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  let settings: KafkaSettings;
  let app: KafkaTestApp;
  let alerts: TopicCollector;

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${database}`);
    settings = testSettings();
    await createTopics(settings);
    app = await startKafkaTestApp(settings, undefined, { DATABASE_URL: url.toString() });
    alerts = await TopicCollector.start(
      DEFAULT_AGENCIES.map((agency) => alertsTopic(settings.topicPrefix, agency)),
    );
  }, 60_000);

  afterAll(async () => {
    await alerts?.stop();
    await app?.close();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }, 60_000);

  it('leaves no erased text in any table, sends no alert for it, and the audit chain verifies', async () => {
    const subject = new TestSubject();
    const marker = `Theft of ${randomBytes(8).toString('hex')} from a shop`;
    const registration = subject.registered();
    const arrest = { ...subject.arrested(), data: { ...subject.arrested().data, offence: marker } };
    const kept = subject.homeVisit();
    await app.service.ingest([registration, arrest, kept], POLICE_SYSTEM);
    const runner = app.app.get(ProjectionRunner);
    await runner.waitFor(await app.store.headPosition());
    expect(await dumpDatabase(url.toString())).not.toContain(marker);

    // Erased before the relay ran: the arrest's alerts are still to be sent.
    await app.service.ingest(
      [
        cloudEvent(POLICE, 'iom.record.erased.v1', subject.ref, {
          categories: ['offending'],
          reason: 'Erasure request upheld',
          decisionRef: 'IG-2025-0099',
        }),
      ],
      POLICE_SYSTEM,
    );
    const head = await app.store.headPosition();
    await runner.waitFor(head);
    await app.relay.start();
    await eventually(
      () => app.relay.position,
      (position) => position >= head,
      'the relay to pass the erasure',
    );

    const [stored] = await app.store.findByIds([storedEventId(arrest.source, arrest.id)]);
    expect(stored).toMatchObject({ data: {}, metadata: { erased: true } });
    const [visit] = await app.store.findByIds([storedEventId(kept.source, kept.id)]);
    expect(visit!.data).toEqual(kept.data);

    const sent = alerts.messages.map(({ message }) => message.value?.toString() ?? '');
    expect(sent.filter((value) => value.includes(storedEventId(arrest.source, arrest.id)))).toEqual([]);
    expect(sent.join('\n')).not.toContain(marker);
    const dump = await dumpDatabase(url.toString());
    expect(dump).toContain('IG-2025-0099');
    expect(dump).not.toContain(marker);
    expect(await app.app.get(AuditService).verify()).toMatchObject({ ok: true, firstFault: null });
  }, 60_000);
});

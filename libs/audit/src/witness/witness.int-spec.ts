import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig, type ThroughlineConfig } from '@throughline/platform';
import { AuditService, type NewDisclosure } from '../audit.service';
import type { VerifyResult } from '../domain/chain';
import { SqliteAuditStore } from '../store/sqlite-audit-store';
import { KafkaWitness } from './kafka-witness';

const BROKERS = process.env.TEST_KAFKA_BROKERS ?? '127.0.0.1:9092';

const read = (i: number): NewDisclosure => ({
  requestId: `req-${i}`,
  principal: { kind: 'person', user: `user-${i % 3}`, agency: 'police', role: 'iom-officer' },
  action: 'subject.view',
  purpose: 'case-management',
  outcome: 'refused',
  agreementVersion: null,
  subjects: [],
  refusal: { status: 404, reason: 'Subject not found', subjectId: null },
});

/**
 * Checkpoints published to witnesses outside DATA_DIR, on real stores: a SQLite file, the Kafka
 * broker, and witnesses that cannot be reached, which must not hold up a read being recorded.
 */
describe('audit witnesses', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'throughline-audit-witness-'));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Records `count` reads through a service of `config` in waves, as a busy API would, and stops it. */
  async function recordLog(config: ThroughlineConfig, count: number): Promise<string> {
    const file = join(config.dataDir, 'audit.db');
    const service = new AuditService(new SqliteAuditStore(file), config);
    for (let from = 1; from <= count; from += 100)
      await Promise.all(
        Array.from({ length: Math.min(100, count - from + 1) }, (_, i) => service.record(read(from + i))),
      );
    await service.onApplicationShutdown();
    return file;
  }

  /** A copy of the log edited as someone holding DATA_DIR could, accident-proofing triggers dropped. */
  function tampered(file: string, edit: (db: Database.Database) => void): string {
    const copy = join(root, `${randomUUID()}.db`);
    copyFileSync(file, copy);
    const db = new Database(copy);
    for (const table of ['audit_records', 'audit_subjects', 'audit_checkpoints'])
      db.exec(`DROP TRIGGER IF EXISTS ${table}_no_update; DROP TRIGGER IF EXISTS ${table}_no_delete;`);
    edit(db);
    db.close();
    return copy;
  }

  async function verify(file: string, config: ThroughlineConfig): Promise<VerifyResult> {
    const service = new AuditService(new SqliteAuditStore(file), config);
    try {
      return await service.verify();
    } finally {
      await service.onApplicationShutdown();
    }
  }

  it('finds a tail cut, checkpoints and all, against the Kafka topic the checkpoints were sent to', async () => {
    const topic = `audit-witness-test-${randomUUID().slice(0, 8)}.audit.checkpoints`;
    const config = loadConfig({
      DATA_DIR: join(root, 'data'),
      LOG_LEVEL: 'silent',
      KAFKA_BROKERS: BROKERS,
      AUDIT_WITNESS_TOPIC: topic,
    });
    mkdirSync(config.dataDir);
    const file = await recordLog(config, 600);
    const checkpoints = (await new KafkaWitness([BROKERS], topic, true).read()).checkpoints.map(
      ({ seq }) => seq,
    );
    expect(checkpoints.at(-1)).toBe(600);
    expect(checkpoints.length).toBeGreaterThanOrEqual(2);

    expect(await verify(file, config)).toMatchObject({
      ok: true,
      witnesses: [{ witness: `kafka topic ${topic}`, status: 'consistent', latestSeq: 600 }],
    });
    const first = checkpoints[0]!;
    const cut = tampered(file, (db) => {
      db.prepare('DELETE FROM audit_checkpoints WHERE seq > ?').run(first);
      db.prepare('DELETE FROM audit_records WHERE seq > ?').run(first);
    });
    const result = await verify(cut, config);
    expect(result).toMatchObject({
      ok: false,
      firstFault: { kind: 'removed', seq: first + 1 },
      witnesses: [{ status: 'inconsistent', latestSeq: 600 }],
    });
    expect(result.firstFault?.detail).toContain(`kafka topic ${topic} holds a checkpoint signed`);
    expect(result.firstFault?.detail).toContain(`entries ${first + 1} to 600 are missing`);
  });

  it('records reads at once while no witness can be reached, and verify says the witnesses are behind or unreachable', async () => {
    const config = loadConfig({
      DATA_DIR: join(root, 'data'),
      LOG_LEVEL: 'silent',
      // A mount that is not there, and a broker nothing listens on.
      AUDIT_WITNESS_FILE: join(root, 'not-mounted', 'audit-witness.jsonl'),
      KAFKA_BROKERS: '127.0.0.1:9',
      AUDIT_WITNESS_TOPIC: 'unreachable.audit.checkpoints',
    });
    mkdirSync(config.dataDir);
    const service = new AuditService(new SqliteAuditStore(join(config.dataDir, 'audit.db')), config);
    for (let i = 1; i <= 5; i++) await service.record(read(i));
    const started = performance.now();
    // A checkpoint signed and stored; publishing it goes on in the background.
    expect(await service.checkpoint()).toMatchObject({ seq: 5 });
    await Promise.all(Array.from({ length: 50 }, (_, i) => service.record(read(10 + i))));
    const elapsed = performance.now() - started;
    // Far below the Kafka client's retries (seconds) and the publisher's first retry (1 s).
    expect(elapsed).toBeLessThan(900);
    const failing = async (): Promise<boolean> =>
      service.witnessDeliveries().every((delivery) => delivery.failures > 0);
    for (const deadline = Date.now() + 20_000; !(await failing());) {
      if (Date.now() > deadline) throw new Error(JSON.stringify(service.witnessDeliveries()));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(service.witnessDeliveries()).toEqual([
      expect.objectContaining({ witness: `file ${config.auditWitnessFile}`, published: 0, pending: 1 }),
      expect.objectContaining({
        witness: 'kafka topic unreachable.audit.checkpoints',
        published: 0,
        pending: 1,
      }),
    ]);
    expect(existsSync(join(root, 'not-mounted'))).toBe(false);

    const result = await service.verify();
    expect(result).toMatchObject({ ok: true, lastSeq: 55 });
    expect(result.witnesses).toEqual([
      expect.objectContaining({ status: 'behind', latestSeq: null }),
      expect.objectContaining({ status: 'unreachable', latestSeq: null }),
    ]);
    await service.onApplicationShutdown();
  }, 60_000);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@throughline/platform';
import { AuditService, type NewDisclosure } from './audit.service';
import { SqliteAuditStore } from './store/sqlite-audit-store';

const refusal = (i: number): NewDisclosure => ({
  requestId: `req-${i}`,
  principal: { kind: 'person', user: 'u1', agency: 'police', role: 'iom-officer' },
  action: 'subject.view',
  purpose: 'case-management',
  outcome: 'refused',
  agreementVersion: null,
  subjects: [],
  refusal: { status: 404, reason: 'Subject not found', subjectId: null },
});

const until = async (check: () => Promise<boolean>, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/**
 * Records after the last checkpoint could be removed without trace, so a quiet log's tail is signed
 * within AUDIT_CHECKPOINT_SECONDS of its first uncovered record, not only every 256 records.
 */
describe('AuditService checkpoints in time', () => {
  let root: string;
  let store: SqliteAuditStore;
  let service: AuditService;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'audit-checkpoints-'));
    store = new SqliteAuditStore(join(root, 'audit.db'));
    service = new AuditService(
      store,
      loadConfig({ DATA_DIR: root, LOG_LEVEL: 'silent', AUDIT_CHECKPOINT_SECONDS: '1' }),
    );
  });

  afterEach(async () => {
    await service.onApplicationShutdown();
    rmSync(root, { recursive: true, force: true });
  });

  const lastCheckpoint = async (): Promise<number | undefined> => (await store.checkpoints()).at(-1)?.seq;

  it('signs the tail of a quiet log within the configured seconds, and again after more records', async () => {
    const started = Date.now();
    for (let i = 1; i <= 3; i++) await service.record(refusal(i));
    expect(await lastCheckpoint()).toBeUndefined();
    await until(async () => (await lastCheckpoint()) === 3, 5_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    await service.record(refusal(4));
    expect(await lastCheckpoint()).toBe(3);
    await until(async () => (await lastCheckpoint()) === 4, 5_000);
    expect(await service.verify()).toMatchObject({ ok: true, records: 4, checkpoints: 2 });
  });

  it('does not sign again when nothing was added since the last checkpoint', async () => {
    await service.record(refusal(1));
    await until(async () => (await lastCheckpoint()) === 1, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await store.checkpoints()).toHaveLength(1);
  });
});

describe('AuditService shutdown', () => {
  it('signs the records still in flight and leaves no timer behind to sign again', async () => {
    const root = mkdtempSync(join(tmpdir(), 'audit-shutdown-'));
    const store = new SqliteAuditStore(join(root, 'audit.db'));
    const service = new AuditService(
      store,
      loadConfig({ DATA_DIR: root, LOG_LEVEL: 'silent', AUDIT_CHECKPOINT_SECONDS: '1' }),
    );
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const inFlight = [1, 2, 3].map((i) => service.record(refusal(i)));
      await service.onApplicationShutdown();
      await Promise.all(inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(errors).not.toHaveBeenCalled();
      const reopened = new SqliteAuditStore(join(root, 'audit.db'));
      expect((await reopened.checkpoints()).at(-1)?.seq).toBe(3);
      await reopened.close();
    } finally {
      errors.mockRestore();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

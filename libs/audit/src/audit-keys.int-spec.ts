import { createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ThroughlineConfig } from '@throughline/platform';
import { freshDatabase, type TestDatabase } from '@throughline/platform/testing';
import { MissingAuditKeyError } from './audit-keys';
import { AuditSigner, createAuditSigningKey } from './audit-signer';
import { AuditService, type NewDisclosure } from './audit.service';
import { verifyReceipt } from './receipts/verify-receipt';
import { PostgresAuditStore } from './store/postgres-audit-store';
import { SqliteAuditStore } from './store/sqlite-audit-store';

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

async function recordMany(service: AuditService, from: number, count: number): Promise<void> {
  await Promise.all(Array.from({ length: count }, (_, i) => service.record(read(from + i))));
}

const publicPem = (file: string): string => AuditSigner.fromFile(file).publicKeyPem;

describe('audit signing keys', () => {
  let root: string;
  /** DATA_DIR, and somewhere else the keys live (another volume, a secret store's mount). */
  let dataDir: string;
  let keys: string;
  const databases: TestDatabase[] = [];

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'throughline-audit-keys-'));
    dataDir = join(root, 'data');
    keys = join(root, 'keys');
    mkdirSync(dataDir);
    mkdirSync(keys);
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  afterAll(async () => {
    for (const database of databases) await database.drop();
  });

  async function serverMode(env: Record<string, string> = {}): Promise<{
    config: ThroughlineConfig;
    store: PostgresAuditStore;
  }> {
    const database = await freshDatabase('audit_keys');
    databases.push(database);
    const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: database.url, LOG_LEVEL: 'silent', ...env });
    return { config, store: await PostgresAuditStore.open(database.url) };
  }

  describe('in server mode (PostgreSQL)', () => {
    it('refuses to sign without AUDIT_SIGNING_KEY_FILE, and makes no key', async () => {
      const { config, store } = await serverMode();
      const service = new AuditService(store, config);
      await expect(service.signing()).rejects.toThrow(MissingAuditKeyError);
      await expect(service.signing()).rejects.toThrow(
        'AUDIT_SIGNING_KEY_FILE is not set: in server mode (DATABASE_URL) the audit signing key must be supplied',
      );
      // A read is still recorded; its checkpoint waits for the key.
      await service.record(read(1));
      await service.onApplicationShutdown();
      expect(existsSync(join(dataDir, 'keys'))).toBe(false);
    });

    it('names the setting and the path when the key file is missing, and never creates it', async () => {
      const file = join(keys, 'audit-signing-key.pem');
      const { config, store } = await serverMode({ AUDIT_SIGNING_KEY_FILE: file });
      const service = new AuditService(store, config);
      await expect(service.signing()).rejects.toThrow(
        `AUDIT_SIGNING_KEY_FILE: there is no audit signing key at ${file}`,
      );
      await expect(service.verify()).resolves.toMatchObject({ ok: true, records: 0 });
      await store.close();
      expect(existsSync(file)).toBe(false);
    });

    it('refuses a key kept inside DATA_DIR, where whoever holds DATA_DIR could sign a rewrite', async () => {
      const file = join(dataDir, 'keys', 'audit-signing-key.pem');
      createAuditSigningKey(file);
      const { config, store } = await serverMode({ AUDIT_SIGNING_KEY_FILE: file });
      await expect(new AuditService(store, config).signing()).rejects.toThrow(
        `AUDIT_SIGNING_KEY_FILE (${file}) is inside DATA_DIR (${dataDir})`,
      );
      await store.close();
    });

    it('rotates keys: checkpoints and receipts before and after verify, each under its own key', async () => {
      const first = join(keys, 'first.pem');
      const second = join(keys, 'second.pem');
      createAuditSigningKey(first);
      createAuditSigningKey(second);
      const published = join(root, 'public-keys');
      mkdirSync(published);

      const before = await serverMode({ AUDIT_SIGNING_KEY_FILE: first });
      const url = before.config.databaseUrl!;
      const firstService = new AuditService(before.store, before.config);
      await recordMany(firstService, 1, 300);
      await firstService.onApplicationShutdown();

      // The rotation: the old key's public half kept, a new key in its place, the processes restarted.
      writeFileSync(join(published, 'first.pem'), publicPem(first));
      const rotated = loadConfig({
        DATA_DIR: dataDir,
        DATABASE_URL: url,
        LOG_LEVEL: 'silent',
        AUDIT_SIGNING_KEY_FILE: second,
        AUDIT_PUBLIC_KEYS_DIR: published,
      });
      const secondStore = await PostgresAuditStore.open(url);
      const secondService = new AuditService(secondStore, rotated);
      await recordMany(secondService, 301, 300);
      const early = (await secondStore.range(10, 10))[0]!;
      const late = (await secondStore.range(400, 400))[0]!;
      const earlyReceipt = JSON.parse(
        JSON.stringify(await secondService.receipt(early.content.id)),
      ) as unknown;
      const lateReceipt = JSON.parse(JSON.stringify(await secondService.receipt(late.content.id))) as unknown;
      await secondService.onApplicationShutdown();
      const checkpointStore = await PostgresAuditStore.open(url);
      const checkpoints = await checkpointStore.checkpoints();
      await checkpointStore.close();

      const firstId = AuditSigner.fromFile(first).keyId;
      const secondId = AuditSigner.fromFile(second).keyId;
      expect(new Set(checkpoints.map((checkpoint) => checkpoint.keyId))).toEqual(
        new Set([firstId, secondId]),
      );

      const verifyWith = async (config: ThroughlineConfig) => {
        const store = await PostgresAuditStore.open(url);
        try {
          return await new AuditService(store, config).verify();
        } finally {
          await store.close();
        }
      };
      expect(await verifyWith(rotated)).toMatchObject({ ok: true, records: 600, firstFault: null });
      // Without the earlier key, its checkpoints cannot be checked, and the settings are named.
      const forgotten = await verifyWith({ ...rotated, auditPublicKeysDir: undefined });
      expect(forgotten).toMatchObject({ ok: false, firstFault: { kind: 'bad-checkpoint' } });
      expect(forgotten.firstFault?.detail).toContain(
        `signed by key ${firstId}, which is not a key of this log`,
      );
      expect(forgotten.firstFault?.detail).toContain('AUDIT_PUBLIC_KEYS_DIR is not set');

      // Each receipt carries, and verifies under, the key that signed its checkpoint.
      expect(earlyReceipt).toMatchObject({ checkpoint: { keyId: firstId }, publicKey: publicPem(first) });
      expect(verifyReceipt(earlyReceipt, publicPem(first))).toMatchObject({ ok: true, keyId: firstId });
      expect(verifyReceipt(earlyReceipt, publicPem(second))).toMatchObject({ ok: false });
      expect(verifyReceipt(lateReceipt, publicPem(second))).toMatchObject({ ok: true, keyId: secondId });
      expect(verifyReceipt(lateReceipt, createPublicKey(publicPem(first)))).toMatchObject({ ok: false });
    });
  });

  describe('in embedded mode (SQLite)', () => {
    const embedded = (): ThroughlineConfig => loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const keyFile = (): string => join(dataDir, 'keys', 'audit-signing-key.pem');

    it('creates the key on first start, when the log has no checkpoint yet', async () => {
      const store = new SqliteAuditStore(join(dataDir, 'audit.db'));
      const service = new AuditService(store, embedded());
      const signer = await service.signing();
      expect(existsSync(keyFile())).toBe(true);
      expect(service.currentKey?.keyId).toBe(signer.keyId);
      await service.onApplicationShutdown();
    });

    it('reports a deleted key as missing, naming the setting: verify mints none, and no process signs anew', async () => {
      const file = join(dataDir, 'audit.db');
      const writing = new AuditService(new SqliteAuditStore(file), embedded());
      await recordMany(writing, 1, 10);
      await writing.onApplicationShutdown();
      const store = new SqliteAuditStore(file);
      const keyId = (await store.checkpoints())[0]!.keyId;
      rmSync(keyFile());

      const verifying = new AuditService(store, embedded());
      const result = await verifying.verify();
      expect(result).toMatchObject({ ok: false, firstFault: { kind: 'bad-checkpoint', seq: 10 } });
      expect(result.firstFault?.detail).toBe(
        `the checkpoint is signed by key ${keyId}, which is not a key of this log: AUDIT_SIGNING_KEY_FILE: there is no audit signing key at ${keyFile()}, and AUDIT_PUBLIC_KEYS_DIR is not set`,
      );
      await expect(verifying.signing()).rejects.toThrow(
        `and the audit log has checkpoints signed by key ${keyId}. Restore that key`,
      );
      await verifying.onApplicationShutdown();
      expect(existsSync(keyFile())).toBe(false);
    });
  });
});

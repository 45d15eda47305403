import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuditService,
  AuditSigner,
  createAuditSigningKey,
  type DisclosureReceipt,
  type NewDisclosure,
  SqliteAuditStore,
} from '@throughline/audit';
import { loadConfig } from '@throughline/platform';
import { freshDatabase, type TestDatabase } from '@throughline/platform/testing';
import { assertBuilt, freePort, runCli } from './child-process';

const read = (i: number): NewDisclosure => ({
  requestId: `req-${i}`,
  principal: { kind: 'person', user: 'user-1', agency: 'police', role: 'iom-officer' },
  action: 'subject.view',
  purpose: 'case-management',
  outcome: 'refused',
  agreementVersion: null,
  subjects: [],
  refusal: { status: 404, reason: 'Subject not found', subjectId: null },
});

/** Runs the CLI expecting it to fail; answers what it printed to stderr. */
function failing(dataDir: string, args: readonly string[], env: Record<string, string> = {}): string {
  try {
    runCli(dataDir, args, 60_000, env);
  } catch (error) {
    const { status, stderr } = error as { status: number | null; stderr: string };
    expect(status).toBe(1);
    return stderr;
  }
  throw new Error(`throughline ${args.join(' ')} succeeded`);
}

describe('the audit CLI: a receipt checked by a third party, and keys never made by verification', () => {
  let root: string;
  let dataDir: string;
  let receipt: DisclosureReceipt;
  let keyFile: string;
  /** What a third party holds: the receipt and the partnership's public key, nothing else. */
  let receiptFile: string;
  let publicKeyFile: string;
  let elsewhere: string;

  beforeAll(async () => {
    assertBuilt();
    root = mkdtempSync(join(tmpdir(), 'throughline-audit-cli-'));
    dataDir = join(root, 'data');
    elsewhere = join(root, 'third-party');
    mkdirSync(elsewhere);
    const service = new AuditService(
      new SqliteAuditStore(join(dataDir, 'audit.db')),
      loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
    );
    await service.signing();
    const records = await Promise.all(Array.from({ length: 20 }, (_, i) => service.record(read(i))));
    receipt = (await service.receipt(records[4]!.content.id))!;
    await service.onApplicationShutdown();
    keyFile = join(dataDir, 'keys', 'audit-signing-key.pem');
    receiptFile = join(elsewhere, 'receipt.json');
    publicKeyFile = join(elsewhere, 'partnership-audit-key.pem');
    writeFileSync(receiptFile, JSON.stringify(receipt));
    writeFileSync(publicKeyFile, AuditSigner.fromFile(keyFile).publicKeyPem);
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('accepts a good receipt with only the receipt and the public key, from an empty directory', () => {
    const empty = join(root, 'empty');
    const verdict = JSON.parse(
      runCli(empty, ['audit', 'verify-receipt', receiptFile, '--public-key', publicKeyFile]),
    ) as unknown;
    expect(verdict).toEqual({
      ok: true,
      disclosureId: receipt.record.content.id,
      seq: receipt.record.seq,
      checkpointSeq: receipt.checkpoint.seq,
      checkpointAt: receipt.checkpoint.at,
      keyId: receipt.checkpoint.keyId,
    });
    // Nothing was made where it ran.
    expect(existsSync(empty)).toBe(false);
  });

  it('refuses a tampered receipt and one signed by another key, naming why', () => {
    const tampered = join(elsewhere, 'tampered.json');
    writeFileSync(
      tampered,
      JSON.stringify({
        ...receipt,
        record: { ...receipt.record, content: { ...receipt.record.content, purpose: 'enforcement' } },
      }),
    );
    expect(failing(root, ['audit', 'verify-receipt', tampered, '--public-key', publicKeyFile])).toContain(
      'The receipt does not verify: the record content does not hash to record.contentHash',
    );

    const otherKey = join(elsewhere, 'other.pem');
    createAuditSigningKey(otherKey);
    const other = AuditSigner.fromFile(otherKey);
    const resigned = join(elsewhere, 'resigned.json');
    writeFileSync(
      resigned,
      JSON.stringify({
        ...receipt,
        checkpoint: other.sign(receipt.checkpoint.seq, receipt.checkpoint.hash, receipt.checkpoint.at),
        publicKey: other.publicKeyPem,
      }),
    );
    expect(failing(root, ['audit', 'verify-receipt', resigned, '--public-key', publicKeyFile])).toContain(
      `the checkpoint is signed by key ${other.keyId}, and the key given is ${receipt.checkpoint.keyId}`,
    );
  });

  it('reports a deleted signing key as missing, naming the setting, and makes no new one', () => {
    rmSync(keyFile);
    const stderr = failing(dataDir, ['audit', 'verify']);
    expect(stderr).toContain(`AUDIT_SIGNING_KEY_FILE: there is no audit signing key at ${keyFile}`);
    expect(existsSync(keyFile)).toBe(false);
  });

  describe('in server mode', () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await freshDatabase('audit_cli');
    });

    afterAll(async () => {
      await database?.drop();
    });

    it('refuses to serve without AUDIT_SIGNING_KEY_FILE, naming it, and makes no key', async () => {
      const serverData = join(root, 'server-data');
      // It refuses before it listens, so the port is never taken.
      const port = String(await freePort());
      const stderr = failing(serverData, ['serve'], { DATABASE_URL: database.url, PORT: port });
      expect(stderr).toContain('AUDIT_SIGNING_KEY_FILE is not set');
      expect(existsSync(join(serverData, 'keys', 'audit-signing-key.pem'))).toBe(false);
    });
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig, type ThroughlineConfig } from '@throughline/platform';
import { canonicalJson } from '../domain/canonical-json';
import { AuditSigner, createAuditSigningKey } from '../audit-signer';
import { verifyReceipt } from '../receipts/verify-receipt';
import { AuditService, type DisclosureReceipt, type NewDisclosure } from '../audit.service';
import { chainHash, contentHashOf, GENESIS_HASH, type VerifyResult } from '../domain/chain';
import type { AuditRecord, DisclosureContent } from '../domain/disclosure';
import { AuditStore } from './audit-store';
import { CHECK_RANGE } from './sqlite-audit-checkers';
import type { IndexedRow } from './sqlite-audit-rows';
import { SqliteAuditStore } from './sqlite-audit-store';

/**
 * Tampering with the stored bytes of a real audit file. One log is recorded through AuditService
 * (concurrently, so group commit and the automatic checkpoints run), then each test edits its own
 * copy of the file with plain SQL or raw byte edits, as someone with access to DATA_DIR could, and
 * verifies it with a fresh store and service.
 */

const AGENCIES = ['police', 'probation', 'prison', 'health', 'housing', 'voluntary'] as const;
const RUN = randomBytes(4).toString('hex');
const SUBJECTS = Array.from({ length: 12 }, () => randomUUID());

/** The i-th read of the fixture: mostly disclosures, every 17th a refusal. */
function disclosure(i: number): NewDisclosure {
  const agency = AGENCIES[i % AGENCIES.length]!;
  const subjectId = SUBJECTS[i % SUBJECTS.length]!;
  const principal = { kind: 'person', user: `${agency}-user-${i % 7}`, agency, role: 'offender-manager' };
  const base = {
    // Unique per record and per run, so a raw byte edit can find exactly this record in the file.
    requestId: `req-${String(i).padStart(6, '0')}-${RUN}`,
    principal,
    action: i % 3 === 0 ? ('subject.timeline' as const) : ('subject.view' as const),
    purpose: i % 2 === 0 ? 'safeguarding' : 'case-management',
  };
  if (i % 17 === 0) {
    return {
      ...base,
      outcome: 'refused',
      agreementVersion: null,
      subjects: [],
      refusal: { status: 404, reason: 'Subject not found', subjectId },
    };
  }
  return {
    ...base,
    outcome: 'disclosed',
    agreementVersion: '2025.1',
    subjects: [
      {
        subjectId,
        grounds: [
          {
            rule: 'agreement',
            basis: 'always',
            clause: 'identity-all',
            legalBasis: 'DPA 2018 Part 3 s.31 (law enforcement) / UK GDPR Art 6(1)(e) public task',
            reliedOn: null,
            categories: ['identity'],
          },
        ],
        fields: { identity: ['dateOfBirth', 'familyName', 'givenName'] },
        positions: [7],
      },
    ],
    refusal: null,
  };
}

/** Counts appends, to show that each record is handed to the writer at once. */
class CountingStore extends SqliteAuditStore {
  appends = 0;

  override async append(contents: readonly DisclosureContent[]): Promise<AuditRecord[]> {
    this.appends++;
    return super.append(contents);
  }
}

/** A stored row of audit_records, as the tests read and forge it. */
type Row = Omit<IndexedRow, 'subjects'>;

const INSERT_ROW =
  'INSERT INTO audit_records (seq, id, at, agency, user, purpose, outcome, action, content, content_hash, prev_hash, hash) ' +
  'VALUES (@seq, @id, @at, @agency, @user, @purpose, @outcome, @action, @content, @content_hash, @prev_hash, @hash)';

/** A row as the store would write it for this content at this place in the chain. */
function rowFor(seq: number, prevHash: string, content: DisclosureContent): Row {
  const contentHash = contentHashOf(content);
  return {
    seq,
    id: content.id,
    at: content.at,
    agency: content.principal.agency,
    user: content.principal.user,
    purpose: content.purpose,
    outcome: content.outcome,
    action: content.action,
    // A careful forger stores the canonical JSON the store itself writes.
    content: canonicalJson(content),
    content_hash: contentHash,
    prev_hash: prevHash,
    hash: chainHash(prevHash, seq, contentHash),
  };
}

/** A careful forger also writes the subject index rows the store would have written. */
function indexForged(db: Database.Database, seq: number, content: DisclosureContent): void {
  const insert = db.prepare('INSERT OR IGNORE INTO audit_subjects (subject_id, seq) VALUES (?, ?)');
  for (const { subjectId } of content.subjects) insert.run(subjectId, seq);
}

const forgedContent = (): DisclosureContent => ({
  ...disclosure(1),
  id: randomUUID(),
  at: new Date().toISOString(),
  requestId: 'forged',
});

describe('tampering with a stored SQLite audit log', () => {
  const RECORDS = 600;
  const TAIL = 40;
  let root: string;
  let config: ThroughlineConfig;
  /** The same, with a witness file outside the log (every checkpoint signed while recording is in it). */
  let witnessed: ThroughlineConfig;
  let original: string;
  let bySeq: Map<number, AuditRecord>;
  let checkpointSeqs: number[];
  let appends: number;
  let commits: number;
  /** A disclosed record inside the first checkpoint's window, with a subject. */
  let target: number;
  let firstCheckpoint: number;
  let lastCheckpoint: number;

  const row = (db: Database.Database, seq: number): Row =>
    db.prepare<[number], Row>('SELECT * FROM audit_records WHERE seq = ?').get(seq)!;

  /** A fresh copy of the original log, edited by `edit` with the accident-proofing triggers dropped. */
  function tampered(edit: (db: Database.Database, file: string) => void): string {
    const file = join(root, 'copies', `${randomUUID()}.db`);
    copyFileSync(original, file);
    for (const suffix of ['-wal', '-shm'])
      if (existsSync(original + suffix)) copyFileSync(original + suffix, file + suffix);
    const db = new Database(file);
    for (const table of ['audit_records', 'audit_subjects', 'audit_checkpoints']) {
      db.exec(`DROP TRIGGER IF EXISTS ${table}_no_update; DROP TRIGGER IF EXISTS ${table}_no_delete;`);
    }
    edit(db, file);
    db.close();
    return file;
  }

  /** What `GET /v1/audit/verify` and `throughline audit verify` run: a fresh store and service. */
  async function verifyFile(file: string, settings: ThroughlineConfig = config): Promise<VerifyResult> {
    const store = new SqliteAuditStore(file);
    try {
      return await new AuditService(store, settings).verify();
    } finally {
      await store.close();
    }
  }

  const fault = (result: VerifyResult) => ({
    ok: result.ok,
    kind: result.firstFault?.kind,
    seq: result.firstFault?.seq,
  });

  /** Recomputes every content hash and link, as a careful forger would after an edit. */
  function rechain(db: Database.Database): void {
    const update = db.prepare(
      'UPDATE audit_records SET content_hash = ?, prev_hash = ?, hash = ? WHERE seq = ?',
    );
    let prevHash = GENESIS_HASH;
    for (const { seq, content } of db
      .prepare<[], Row>('SELECT seq, content FROM audit_records ORDER BY seq')
      .all()) {
      const contentHash = contentHashOf(JSON.parse(content) as DisclosureContent);
      const hash = chainHash(prevHash, seq, contentHash);
      update.run(contentHash, prevHash, hash, seq);
      prevHash = hash;
    }
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'throughline-audit-tamper-'));
    mkdirSync(join(root, 'copies'));
    config = loadConfig({ DATA_DIR: root, LOG_LEVEL: 'silent' });
    mkdirSync(join(root, 'elsewhere'));
    witnessed = { ...config, auditWitnessFile: join(root, 'elsewhere', 'audit-witness.jsonl') };
    original = join(root, 'audit.db');

    const store = new CountingStore(original);
    const service = new AuditService(store, witnessed);
    const recorded: AuditRecord[] = [];
    // Waves of concurrent reads, as a busy API would see them.
    for (let wave = 0; wave < RECORDS / 100; wave++) {
      const reads = Array.from({ length: 100 }, (_, i) => service.record(disclosure(wave * 100 + i + 1)));
      recorded.push(...(await Promise.all(reads)));
    }
    appends = store.appends;
    commits = store.commits;
    // Shutting down waits for the last commit and signs the chain's end.
    await service.onApplicationShutdown();

    // Entries written after the last checkpoint: straight through the store, which does not sign.
    const tailStore = new SqliteAuditStore(original);
    const last = await tailStore.last();
    const tail = await tailStore.append(
      Array.from({ length: TAIL }, (_, i) => ({
        ...disclosure(RECORDS + i + 1),
        id: randomUUID(),
        at: new Date().toISOString(),
      })),
    );
    expect(tail[0]!.seq).toBe(last!.seq + 1);
    recorded.push(...tail);
    checkpointSeqs = (await tailStore.checkpoints()).map((checkpoint) => checkpoint.seq);
    await tailStore.close();

    bySeq = new Map(recorded.map((record) => [record.seq, record]));
    firstCheckpoint = checkpointSeqs[0]!;
    lastCheckpoint = checkpointSeqs[checkpointSeqs.length - 1]!;
    target = [...bySeq.values()]
      .filter((record) => record.seq >= 137 && record.content.outcome === 'disclosed')
      .sort((a, b) => a.seq - b.seq)[0]!.seq;
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('records 600 concurrent reads in shared commits, checkpoints every 256, and verifies', async () => {
    expect([...bySeq.keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: RECORDS + TAIL }, (_, i) => i + 1),
    );
    // Each record goes to the writer thread as it is made; the thread commits what has reached it
    // together: far fewer commits than records.
    expect(appends).toBe(RECORDS);
    expect(commits).toBeLessThan(RECORDS / 10);
    // At least one automatic checkpoint on the way, and the one signed at shutdown at 600.
    expect(checkpointSeqs.length).toBeGreaterThanOrEqual(2);
    expect(lastCheckpoint).toBe(RECORDS);
    expect(firstCheckpoint).toBeGreaterThanOrEqual(256);
    expect(target).toBeLessThan(firstCheckpoint);

    const result = await verifyFile(tampered(() => undefined));
    expect(result).toMatchObject({
      ok: true,
      records: RECORDS + TAIL,
      checkpoints: checkpointSeqs.length,
      lastSeq: RECORDS + TAIL,
      lastHash: bySeq.get(RECORDS + TAIL)!.hash,
      firstFault: null,
    });
  });

  it('names an entry whose content was edited in SQL', async () => {
    const file = tampered((db) =>
      db
        .prepare(
          "UPDATE audit_records SET content = json_set(content, '$.purpose', 'enforcement') WHERE seq = ?",
        )
        .run(target),
    );
    expect(fault(await verifyFile(file))).toEqual({ ok: false, kind: 'altered', seq: target });
  });

  it('names an entry whose bytes were changed in the file itself, below SQL', async () => {
    const requestId = bySeq.get(target)!.content.requestId!;
    const file = tampered((db, path) => {
      db.close();
      const bytes = readFileSync(path);
      const at = bytes.indexOf(requestId);
      // Exactly one copy: the content is not indexed, so this is the record itself.
      expect(at).toBeGreaterThan(0);
      expect(bytes.indexOf(requestId, at + 1)).toBe(-1);
      bytes.write(requestId.replace('req-', 'rex-'), at);
      writeFileSync(path, bytes);
    });
    expect(fault(await verifyFile(file))).toEqual({ ok: false, kind: 'altered', seq: target });
  });

  it('names an entry whose hash, content hash or link was edited', async () => {
    const other = bySeq.get(target + 1)!;
    const edits = {
      hash: tampered((db) =>
        db.prepare('UPDATE audit_records SET hash = ? WHERE seq = ?').run(other.hash, target),
      ),
      content_hash: tampered((db) =>
        db.prepare('UPDATE audit_records SET content_hash = ? WHERE seq = ?').run(other.contentHash, target),
      ),
      prev_hash: tampered((db) =>
        db.prepare('UPDATE audit_records SET prev_hash = ? WHERE seq = ?').run(other.prevHash, target),
      ),
    };
    const results = {
      hash: fault(await verifyFile(edits.hash)),
      content_hash: fault(await verifyFile(edits.content_hash)),
      prev_hash: fault(await verifyFile(edits.prev_hash)),
    };
    expect(results).toEqual({
      hash: { ok: false, kind: 'altered', seq: target },
      content_hash: { ok: false, kind: 'altered', seq: target },
      prev_hash: { ok: false, kind: 'broken-link', seq: target },
    });
  });

  it('names an entry whose content is no longer JSON, rather than failing to verify at all', async () => {
    const file = tampered((db) =>
      db.prepare('UPDATE audit_records SET content = substr(content, 1, 40) WHERE seq = ?').run(target),
    );
    await expect(verifyFile(file).then(fault)).resolves.toEqual({ ok: false, kind: 'altered', seq: target });
  });

  it('names a content re-serialised with other whitespace and key order: the stored bytes are the canonical ones hashed', async () => {
    const file = tampered((db) => {
      const content = JSON.parse(row(db, target).content) as Record<string, unknown>;
      const reordered = Object.fromEntries(Object.entries(content).reverse());
      db.prepare('UPDATE audit_records SET content = ? WHERE seq = ?').run(
        JSON.stringify(reordered, null, 2),
        target,
      );
    });
    expect(fault(await verifyFile(file))).toEqual({ ok: false, kind: 'altered', seq: target });
  });

  it('names a row deleted from the middle by its sequence number', async () => {
    const file = tampered((db) => db.prepare('DELETE FROM audit_records WHERE seq = ?').run(target));
    expect(fault(await verifyFile(file))).toEqual({ ok: false, kind: 'removed', seq: target });
  });

  it('names the first row when it was deleted', async () => {
    const file = tampered((db) => db.prepare('DELETE FROM audit_records WHERE seq = 1').run());
    expect(fault(await verifyFile(file))).toEqual({ ok: false, kind: 'removed', seq: 1 });
  });

  it('names the first of the last rows deleted when a signed checkpoint covers them', async () => {
    const from = lastCheckpoint - 49;
    const file = tampered((db) => db.prepare('DELETE FROM audit_records WHERE seq >= ?').run(from));
    expect(fault(await verifyFile(file))).toEqual({ ok: false, kind: 'removed', seq: from });
  });

  it('names entry 1 when every record was deleted under the checkpoints', async () => {
    const file = tampered((db) => db.exec('DELETE FROM audit_records'));
    expect(fault(await verifyFile(file))).toEqual({ ok: false, kind: 'removed', seq: 1 });
  });

  it('cannot tell rows deleted after the last checkpoint from rows never written, as documented', async () => {
    // docs/audit.md: checkpoints bound that window. The log still verifies; it just ends earlier.
    const file = tampered((db) => db.prepare('DELETE FROM audit_records WHERE seq > ?').run(lastCheckpoint));
    expect(await verifyFile(file)).toMatchObject({
      ok: true,
      records: lastCheckpoint,
      lastSeq: lastCheckpoint,
      lastHash: bySeq.get(lastCheckpoint)!.hash,
    });
  });

  it('cannot tell a forged row chained onto the end from a real one until a checkpoint signs it', async () => {
    // The same window seen from the other side: the chain has no secret, so anyone can extend it.
    const last = bySeq.get(RECORDS + TAIL)!;
    const file = tampered((db) => {
      const content = forgedContent();
      db.prepare(INSERT_ROW).run(rowFor(last.seq + 1, last.hash, content));
      indexForged(db, last.seq + 1, content);
    });
    expect(await verifyFile(file)).toMatchObject({ ok: true, records: RECORDS + TAIL + 1 });
  });

  it('names a forged row inserted in the middle, the later rows renumbered to make room', async () => {
    // seq is the rowid, so the only way in is to move every later row up by one first.
    const file = tampered((db) => {
      for (const table of ['audit_records', 'audit_subjects']) {
        db.prepare(`UPDATE ${table} SET seq = -seq WHERE seq > ?`).run(target);
        db.exec(`UPDATE ${table} SET seq = 1 - seq WHERE seq < 0`);
      }
      const content = forgedContent();
      db.prepare(INSERT_ROW).run(rowFor(target + 1, bySeq.get(target)!.hash, content));
      indexForged(db, target + 1, content);
    });
    expect(fault(await verifyFile(file))).toEqual({ ok: false, kind: 'inserted', seq: target + 1 });
  });

  it('names the first of two rows whose contents were swapped', async () => {
    const other = target + 40;
    const file = tampered((db) => {
      const [a, b] = [row(db, target), row(db, other)];
      const update = db.prepare(
        'UPDATE audit_records SET id = @id, at = @at, agency = @agency, user = @user, purpose = @purpose, outcome = @outcome, ' +
          'action = @action, content = @content, content_hash = @content_hash, prev_hash = @prev_hash, hash = @hash WHERE seq = @seq',
      );
      update.run({ ...b, id: 'swapping', seq: target });
      update.run({ ...a, seq: other });
      db.prepare('UPDATE audit_records SET id = ? WHERE seq = ?').run(b.id, target);
    });
    const result = fault(await verifyFile(file));
    expect(result).toMatchObject({ ok: false, seq: target });
    // The rows keep their places (seq is the rowid), so it shows as a link to the wrong entry.
    expect(['broken-link', 'reordered']).toContain(result.kind);
  });

  it('catches a whole chain recomputed after an edit at the first signed checkpoint after the edit', async () => {
    const file = tampered((db) => {
      // The forger edits the register column too, so only the chain and its signature are left.
      db.prepare(
        "UPDATE audit_records SET content = json_set(content, '$.purpose', 'enforcement'), purpose = 'enforcement' WHERE seq = ?",
      ).run(target);
      rechain(db);
    });
    // Every link holds; only the signature cannot be redone, so the fault is known to lie between the
    // previous checkpoint and this one, and the verifier names this one.
    expect(fault(await verifyFile(file))).toEqual({ ok: false, kind: 'altered', seq: firstCheckpoint });
  });

  it('names a checkpoint whose signature, or hash, was replaced', async () => {
    const copySignature = tampered((db) =>
      db
        .prepare(
          'UPDATE audit_checkpoints SET signature = (SELECT signature FROM audit_checkpoints WHERE seq = ?) WHERE seq = ?',
        )
        .run(lastCheckpoint, firstCheckpoint),
    );
    const garbage = tampered((db) =>
      db
        .prepare('UPDATE audit_checkpoints SET signature = ? WHERE seq = ?')
        .run(randomBytes(64).toString('base64url'), firstCheckpoint),
    );
    const hash = tampered((db) =>
      db
        .prepare('UPDATE audit_checkpoints SET hash = ? WHERE seq = ?')
        .run(bySeq.get(target)!.hash, firstCheckpoint),
    );
    expect({
      copySignature: fault(await verifyFile(copySignature)),
      garbage: fault(await verifyFile(garbage)),
      hash: fault(await verifyFile(hash)),
    }).toEqual({
      copySignature: { ok: false, kind: 'bad-checkpoint', seq: firstCheckpoint },
      garbage: { ok: false, kind: 'bad-checkpoint', seq: firstCheckpoint },
      hash: { ok: false, kind: 'bad-checkpoint', seq: firstCheckpoint },
    });
  });

  it('names a forged checkpoint added without the key', async () => {
    const file = tampered((db) =>
      db
        .prepare('INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES (?, ?, ?, ?, ?)')
        .run(
          target,
          bySeq.get(target)!.hash,
          new Date().toISOString(),
          'forged',
          randomBytes(64).toString('base64url'),
        ),
    );
    expect(fault(await verifyFile(file))).toEqual({ ok: false, kind: 'bad-checkpoint', seq: target });
  });

  it('still verifies when a checkpoint row is deleted: the chain is intact, with fewer checkpoints', async () => {
    const file = tampered((db) =>
      db.prepare('DELETE FROM audit_checkpoints WHERE seq = ?').run(firstCheckpoint),
    );
    expect(await verifyFile(file)).toMatchObject({
      ok: true,
      records: RECORDS + TAIL,
      checkpoints: checkpointSeqs.length - 1,
    });
  });

  it('finds a truncation hidden by also deleting the checkpoints, against the witness file', async () => {
    // Deleting checkpoints widens the unsigned window back to the last one kept: the log alone
    // verifies. The witness file, on other storage, still holds the checkpoints deleted.
    const file = tampered((db) => {
      db.prepare('DELETE FROM audit_checkpoints WHERE seq > ?').run(firstCheckpoint);
      db.prepare('DELETE FROM audit_records WHERE seq > ?').run(firstCheckpoint);
    });
    expect(await verifyFile(file)).toMatchObject({ ok: true, records: firstCheckpoint, checkpoints: 1 });

    const result = await verifyFile(file, witnessed);
    expect(fault(result)).toEqual({ ok: false, kind: 'removed', seq: firstCheckpoint + 1 });
    expect(result.firstFault?.detail).toContain(
      `the log ends at ${firstCheckpoint}: entries ${firstCheckpoint + 1} to ${lastCheckpoint} are missing`,
    );
    expect(result.witnesses).toEqual([
      expect.objectContaining({
        witness: `file ${witnessed.auditWitnessFile}`,
        status: 'inconsistent',
        latestSeq: lastCheckpoint,
        checkpoints: checkpointSeqs.length,
        ignored: 0,
      }),
    ]);
  });

  it('agrees with the witness file when nothing was touched, and says when the witness is behind', async () => {
    const untouched = await verifyFile(
      tampered(() => undefined),
      witnessed,
    );
    expect(untouched).toMatchObject({ ok: true, firstFault: null });
    expect(untouched.witnesses).toEqual([
      expect.objectContaining({ status: 'consistent', latestSeq: lastCheckpoint, ignored: 0 }),
    ]);

    // A witness that missed the last checkpoints (it was unreachable) is behind, not a fault.
    const behind = join(root, 'elsewhere', `${randomUUID()}.jsonl`);
    const lines = readFileSync(witnessed.auditWitnessFile!, 'utf8').trim().split('\n');
    writeFileSync(behind, `${lines.slice(0, -1).join('\n')}\n{"not":"a checkpoint"}\n`);
    const result = await verifyFile(
      tampered(() => undefined),
      { ...config, auditWitnessFile: behind },
    );
    expect(result).toMatchObject({ ok: true, firstFault: null });
    expect(result.witnesses).toEqual([
      expect.objectContaining({ status: 'behind', latestSeq: checkpointSeqs.at(-2), ignored: 1 }),
    ]);
  });

  it('names an entry whose register columns were edited to disagree with its hashed content', async () => {
    // The register, refusals and unusual-access queries filter on these columns, not on the hashed
    // content: an edited column hides a record from a filtered register while the content still hashes.
    const edits: Record<string, string> = {
      agency: 'housing',
      user: 'someone-else',
      purpose: 'enforcement',
      outcome: 'refused',
      action: 'subject.list',
      at: '2020-01-01T00:00:00.000Z',
      id: randomUUID(),
    };
    const results: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(edits)) {
      const file = tampered((db) =>
        db.prepare(`UPDATE audit_records SET "${column}" = ? WHERE seq = ?`).run(value, target),
      );
      results[column] = fault(await verifyFile(file));
    }
    expect(results).toEqual(
      Object.fromEntries(
        Object.keys(edits).map((column) => [column, { ok: false, kind: 'altered', seq: target }]),
      ),
    );
  });

  it('names an entry whose subject index rows were deleted, hiding it from the subject access export', async () => {
    const { subjectId } = bySeq.get(target)!.content.subjects[0]!;
    const file = tampered((db) => db.prepare('DELETE FROM audit_subjects WHERE seq = ?').run(target));

    const store = new SqliteAuditStore(file);
    const listed = await store.query({ subjectId, limit: 1000 });
    await store.close();
    // What an IG lead would see for this subject: the record is gone from the subject's register.
    expect(listed.some((record) => record.seq === target)).toBe(false);
    expect(fault(await verifyFile(file))).toEqual({ ok: false, kind: 'altered', seq: target });
  });

  describe('receipts', () => {
    /** The key a third party holds, obtained apart from any receipt (GET /v1/audit/public-key). */
    const publishedKey = (): string =>
      AuditSigner.fromFile(join(root, 'keys', 'audit-signing-key.pem')).publicKeyPem;
    /** What `npx throughline audit verify-receipt RECEIPT --public-key KEY` runs. */
    const checkReceipt = (receipt: unknown, key = publishedKey()): boolean => verifyReceipt(receipt, key).ok;

    async function receiptFrom(file: string, id: string): Promise<DisclosureReceipt> {
      const store = new SqliteAuditStore(file);
      try {
        const receipt = await new AuditService(store, config).receipt(id);
        // As a third party receives it: JSON, no objects from this process.
        return JSON.parse(JSON.stringify(receipt)) as DisclosureReceipt;
      } finally {
        await store.close();
      }
    }

    it('verifies a receipt with public data only, up to the next signed checkpoint', async () => {
      const file = tampered(() => undefined);
      const receipt = await receiptFrom(file, bySeq.get(target)!.content.id);

      expect(receipt.record).toEqual(bySeq.get(target));
      expect(receipt.checkpoint.seq).toBe(firstCheckpoint);
      expect(receipt.proof).toHaveLength(firstCheckpoint - target);
      expect(receipt.publicKey).toBe(publishedKey());
      expect(verifyReceipt(receipt, publishedKey())).toEqual({
        ok: true,
        disclosureId: bySeq.get(target)!.content.id,
        seq: target,
        checkpointSeq: firstCheckpoint,
        checkpointAt: receipt.checkpoint.at,
        keyId: receipt.checkpoint.keyId,
      });

      // Any edit to what the receipt shows breaks it, each named.
      const problems = Object.fromEntries(
        Object.entries({
          content: {
            ...receipt,
            record: { ...receipt.record, content: { ...receipt.record.content, purpose: 'x' } },
          },
          contentHashToo: {
            ...receipt,
            record: {
              ...receipt.record,
              content: { ...receipt.record.content, purpose: 'x' },
              contentHash: contentHashOf({ ...receipt.record.content, purpose: 'x' }),
            },
          },
          shortened: { ...receipt, proof: receipt.proof.slice(1) },
          proofEdited: {
            ...receipt,
            proof: receipt.proof.map((link, i) => (i === 3 ? { ...link, contentHash: GENESIS_HASH } : link)),
          },
          checkpointMoved: {
            ...receipt,
            checkpoint: { ...receipt.checkpoint, at: '2020-01-01T00:00:00.000Z' },
          },
          notAReceipt: { record: 'x' },
        }).map(([name, forged]) => [
          name,
          (verifyReceipt(forged, publishedKey()) as { problem?: string }).problem,
        ]),
      );
      expect(problems).toEqual({
        content: 'the record content does not hash to record.contentHash',
        contentHashToo:
          'record.hash is not the chain hash of record.prevHash, record.seq and record.contentHash',
        shortened: `proof[0] is entry ${target + 2}, not ${target + 1}`,
        proofEdited: "the chain through the proof does not reach the checkpoint's hash",
        checkpointMoved: 'the checkpoint signature does not verify under the key given',
        notAReceipt: 'not a receipt: no record',
      });
    });

    it('refuses a receipt signed by another key, whatever key the receipt itself carries', async () => {
      const receipt = await receiptFrom(
        tampered(() => undefined),
        bySeq.get(target)!.content.id,
      );
      const otherFile = join(root, 'elsewhere', `${randomUUID()}.pem`);
      createAuditSigningKey(otherFile);
      const other = AuditSigner.fromFile(otherFile);
      // A forger re-signs the checkpoint with a key of their own and ships its public key along.
      const resigned = {
        ...receipt,
        checkpoint: other.sign(receipt.checkpoint.seq, receipt.checkpoint.hash, receipt.checkpoint.at),
        publicKey: other.publicKeyPem,
      };
      expect(verifyReceipt(resigned, publishedKey())).toEqual({
        ok: false,
        problem: `the checkpoint is signed by key ${other.keyId}, and the key given is ${receipt.checkpoint.keyId}`,
      });
      // The genuine receipt checked against a key that is not the partnership's fails the same way.
      expect(checkReceipt(receipt, other.publicKeyPem)).toBe(false);
      expect(checkReceipt(resigned, other.publicKeyPem)).toBe(true);
    });

    it('signs a checkpoint on demand for a receipt of an entry after the last one', async () => {
      const file = tampered(() => undefined);
      const receipt = await receiptFrom(file, bySeq.get(RECORDS + 10)!.content.id);
      expect(receipt.checkpoint.seq).toBe(RECORDS + TAIL);
      expect(checkReceipt(receipt)).toBe(true);
      // The new checkpoint is in the log and the log still verifies with it.
      expect(await verifyFile(file)).toMatchObject({ ok: true, checkpoints: checkpointSeqs.length + 1 });
    });

    it('exposes a rewrite re-signed with the key from DATA_DIR, to the witness and to whoever holds an earlier receipt', async () => {
      // In embedded mode the signing key lives beside the log, so someone who can rewrite the file
      // can re-sign it: the log alone then verifies. The witness, and a receipt given out before,
      // disagree with the log's checkpoint at that seq.
      const held = await receiptFrom(
        tampered(() => undefined),
        bySeq.get(target)!.content.id,
      );
      const signer = AuditSigner.fromFile(join(root, 'keys', 'audit-signing-key.pem'));
      const file = tampered((db) => {
        db.prepare(
          "UPDATE audit_records SET content = json_set(content, '$.purpose', 'enforcement'), purpose = 'enforcement' WHERE seq = ?",
        ).run(target);
        rechain(db);
        const hashAt = db.prepare<[number], { hash: string }>('SELECT hash FROM audit_records WHERE seq = ?');
        const resign = db.prepare(
          'UPDATE audit_checkpoints SET hash = ?, at = ?, signature = ? WHERE seq = ?',
        );
        for (const seq of checkpointSeqs) {
          const checkpoint = signer.sign(seq, hashAt.get(seq)!.hash, new Date().toISOString());
          resign.run(checkpoint.hash, checkpoint.at, checkpoint.signature, seq);
        }
      });
      expect(await verifyFile(file)).toMatchObject({ ok: true, firstFault: null });
      const store = new SqliteAuditStore(file);
      const now = (await store.checkpoints()).find((checkpoint) => checkpoint.seq === held.checkpoint.seq)!;
      await store.close();
      expect(checkReceipt(held)).toBe(true);
      expect(now.hash).not.toBe(held.checkpoint.hash);

      const against = await verifyFile(file, witnessed);
      expect(fault(against)).toEqual({ ok: false, kind: 'altered', seq: firstCheckpoint });
      expect(against.firstFault?.detail).toContain(`an entry from 1 to ${firstCheckpoint} was rewritten`);
    });

    it('names a history rewritten and signed with another key, even when that key replaces the one in DATA_DIR', async () => {
      const otherFile = join(root, 'elsewhere', `${randomUUID()}.pem`);
      createAuditSigningKey(otherFile);
      const other = AuditSigner.fromFile(otherFile);
      const file = tampered((db) => {
        db.prepare(
          "UPDATE audit_records SET content = json_set(content, '$.purpose', 'enforcement'), purpose = 'enforcement' WHERE seq = ?",
        ).run(target);
        rechain(db);
        db.exec('DELETE FROM audit_checkpoints');
        const hashAt = db.prepare<[number], { hash: string }>('SELECT hash FROM audit_records WHERE seq = ?');
        const insert = db.prepare(
          'INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES (?, ?, ?, ?, ?)',
        );
        for (const seq of checkpointSeqs) {
          const { hash, at, keyId, signature } = other.sign(
            seq,
            hashAt.get(seq)!.hash,
            new Date().toISOString(),
          );
          insert.run(seq, hash, at, keyId, signature);
        }
      });
      // Against the log's own key: the checkpoints are signed by a key the log does not know.
      const alone = await verifyFile(file);
      expect(fault(alone)).toEqual({ ok: false, kind: 'bad-checkpoint', seq: firstCheckpoint });
      expect(alone.firstFault?.detail).toContain(
        `the checkpoint is signed by key ${other.keyId}, which is not a key of this log`,
      );
      expect(alone.firstFault?.detail).toContain('AUDIT_PUBLIC_KEYS_DIR is not set');

      // The forger also puts their key where the signing key was: the log alone verifies, and the
      // witness's checkpoints, signed by the real key, are what no longer fit.
      const swapped = { ...config, auditSigningKeyFile: otherFile };
      expect(await verifyFile(file, swapped)).toMatchObject({ ok: true, firstFault: null });
      const against = await verifyFile(file, { ...swapped, auditWitnessFile: witnessed.auditWitnessFile });
      expect(fault(against)).toEqual({ ok: false, kind: 'bad-checkpoint', seq: firstCheckpoint });
      expect(against.firstFault?.detail).toContain('that no key of this log verifies');
    });
  });

  describe('a log of 100,000 records', () => {
    const LARGE = 100_000;
    let large: string;

    beforeAll(async () => {
      large = join(root, 'large.db');
      const store = new SqliteAuditStore(large);
      const service = new AuditService(store, config);
      const at = new Date().toISOString();
      for (let from = 0; from < LARGE; from += 10_000) {
        await store.append(
          Array.from({ length: 10_000 }, (_, i) => ({ ...disclosure(from + i + 1), id: randomUUID(), at })),
        );
        await service.checkpoint();
      }
      await store.close();
    });

    it('verifies every record and checkpoint', async () => {
      const store = new SqliteAuditStore(large);
      const service = new AuditService(store, config);
      const started = process.hrtime.bigint();
      const result = await service.verify();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      await store.close();

      // A figure, not a threshold: the one-million target is measured by `npm run bench`.
      console.log(
        `verified ${result.records} audit records and ${result.checkpoints} checkpoints in ${seconds.toFixed(2)} s`,
      );
      expect(result).toMatchObject({
        ok: true,
        records: LARGE,
        checkpoints: 10,
        lastSeq: LARGE,
        firstFault: null,
      });
    });

    it('scans every record, in order, for the verifier and the exports', async () => {
      const store = new SqliteAuditStore(large);
      let count = 0;
      let last = 0;
      let inOrder = true;
      for await (const page of store.scan()) {
        for (const record of page) {
          inOrder &&= record.seq === last + 1;
          last = record.seq;
          count++;
        }
      }
      await store.close();
      expect({ count, last, inOrder }).toEqual({ count: LARGE, last: LARGE, inOrder: true });
    });

    /** A copy of the large log, edited by `edit` with the accident-proofing triggers dropped. */
    function tamperedLarge(name: string, edit: (db: Database.Database) => void): string {
      const file = join(root, 'copies', `large-${name}.db`);
      copyFileSync(large, file);
      const db = new Database(file);
      for (const table of ['audit_records', 'audit_subjects'])
        db.exec(`DROP TRIGGER IF EXISTS ${table}_no_update; DROP TRIGGER IF EXISTS ${table}_no_delete;`);
      edit(db);
      db.close();
      return file;
    }

    /** The same verification with every record checked on this thread, one page after another. */
    async function verifyOnOneThread(file: string): Promise<VerifyResult> {
      const store = new SqliteAuditStore(file);
      store.checkedScan = () => AuditStore.prototype.checkedScan.call(store);
      try {
        return await new AuditService(store, config).verify();
      } finally {
        await store.close();
      }
    }

    it('checks ranges on several threads and finds what one thread finds, where two ranges meet too', async () => {
      const boundary = 2 * CHECK_RANGE;
      const files = {
        lastOfRangeDeleted: tamperedLarge('last-deleted', (db) => {
          db.prepare('DELETE FROM audit_records WHERE seq = ?').run(boundary);
        }),
        swappedAcross: tamperedLarge('swapped', (db) => {
          db.exec(`UPDATE audit_records SET seq = -1 WHERE seq = ${boundary};
                   UPDATE audit_records SET seq = ${boundary} WHERE seq = ${boundary + 1};
                   UPDATE audit_records SET seq = ${boundary + 1} WHERE seq = -1;`);
        }),
        insertedAtRange: tamperedLarge('inserted', (db) => {
          for (const table of ['audit_records', 'audit_subjects']) {
            db.prepare(`UPDATE ${table} SET seq = -seq WHERE seq > ?`).run(boundary);
            db.exec(`UPDATE ${table} SET seq = 1 - seq WHERE seq < 0`);
          }
          const prevHash = db
            .prepare<[number], { hash: string }>('SELECT hash FROM audit_records WHERE seq = ?')
            .get(boundary)!.hash;
          const content = forgedContent();
          db.prepare(INSERT_ROW).run(rowFor(boundary + 1, prevHash, content));
          indexForged(db, boundary + 1, content);
        }),
      };
      const results: Record<string, unknown> = {};
      for (const [name, file] of Object.entries(files)) {
        const result = await verifyFile(file);
        expect({ name, result }).toEqual({ name, result: await verifyOnOneThread(file) });
        results[name] = fault(result);
      }
      expect(results).toEqual({
        lastOfRangeDeleted: { ok: false, kind: 'removed', seq: boundary },
        swappedAcross: { ok: false, kind: 'broken-link', seq: boundary },
        insertedAtRange: { ok: false, kind: 'inserted', seq: boundary + 1 },
      });
    });

    it('names an entry altered far beyond the first page the verifier reads', async () => {
      const file = join(root, 'copies', 'large-altered.db');
      copyFileSync(large, file);
      const db = new Database(file);
      db.exec('DROP TRIGGER IF EXISTS audit_records_no_update');
      db.prepare(
        "UPDATE audit_records SET content = json_set(content, '$.purpose', 'enforcement') WHERE seq = ?",
      ).run(54_321);
      db.close();
      expect(fault(await verifyFile(file))).toEqual({ ok: false, kind: 'altered', seq: 54_321 });
    });
  });
});

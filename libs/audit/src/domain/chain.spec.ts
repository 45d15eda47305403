import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { verifyCheckpoint } from '../audit-signer';
import {
  chainHash,
  ChainVerifier,
  checkRecord,
  checkpointPayload,
  contentHashOf,
  GENESIS_HASH,
  type VerifyResult,
} from './chain';
import type { AuditCheckpoint, AuditRecord, DisclosureContent } from './disclosure';

const partnershipKey = generateKeyPairSync('ed25519');
const strangerKey = generateKeyPairSync('ed25519');

/** A realistic disclosure: the n-th read of a subject by a probation offender manager. */
const disclosure = (n: number): DisclosureContent => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  at: new Date(Date.UTC(2025, 0, 6, 9, 0, n)).toISOString(),
  requestId: `req-${n}`,
  principal: { kind: 'person', user: `om-${n % 3}`, agency: 'probation', role: 'offender-manager' },
  action: 'subject.view',
  outcome: 'disclosed',
  purpose: 'case-management',
  agreementVersion: '2025.1',
  subjects: [
    {
      subjectId: `5b1f0e0c-0000-4000-8000-${String(n % 5).padStart(12, '0')}`,
      grounds: [
        {
          rule: 'agreement',
          basis: 'always',
          clause: 'cj-core',
          legalBasis: 'DPA 2018 Part 3 s.31 (law enforcement); Offender Management Act 2007 s.14',
          reliedOn: null,
          categories: ['cohort', 'offending'],
        },
      ],
      fields: { cohort: ['band'], offending: ['offence', 'offenceGroup'] },
      positions: [n],
    },
  ],
  refusal: null,
});

/** Chains the contents from the genesis hash, as a store's append does. */
function chainOf(
  contents: readonly DisclosureContent[],
  from = { seq: 0, hash: GENESIS_HASH },
): AuditRecord[] {
  let prevHash = from.hash;
  return contents.map((content, index) => {
    const seq = from.seq + index + 1;
    const contentHash = contentHashOf(content);
    const hash = chainHash(prevHash, seq, contentHash);
    const record = { seq, content, contentHash, prevHash, hash };
    prevHash = hash;
    return record;
  });
}

const signCheckpoint = (
  seq: number,
  hash: string,
  key: KeyObject = partnershipKey.privateKey,
): AuditCheckpoint => {
  const unsigned = { seq, hash, at: '2025-01-06T10:00:00.000Z', keyId: 'test-key' };
  return {
    ...unsigned,
    signature: sign(null, Buffer.from(checkpointPayload(unsigned)), key).toString('base64url'),
  };
};

/** What AuditService.verify does, over records and checkpoints given in stored order. */
function verify(
  records: readonly AuditRecord[],
  checkpoints: readonly AuditCheckpoint[],
  witnessed: readonly AuditCheckpoint[] | undefined = undefined,
): VerifyResult {
  const verifier = new ChainVerifier(
    new Set([...checkpoints, ...(witnessed ?? [])].map((checkpoint) => checkpoint.seq)),
  );
  for (const record of records) verifier.push(checkRecord(record));
  return verifier.finish(
    checkpoints,
    // As the service does: a key it does not know is named, not merely a bad signature.
    (checkpoint) =>
      checkpoint.keyId === 'test-key'
        ? verifyCheckpoint(checkpoint, partnershipKey.publicKey)
        : `the checkpoint is signed by key ${checkpoint.keyId}, which is not a key of this log`,
    witnessed ? [{ witness: 'file w.jsonl', checkpoints: witnessed }] : [],
  );
}

const fault = (result: VerifyResult) => ({
  ok: result.ok,
  kind: result.firstFault?.kind,
  seq: result.firstFault?.seq,
});

/** Twenty records with signed checkpoints at 8 and 16; 17 to 20 are not yet covered by one. */
const records = chainOf(Array.from({ length: 20 }, (_, index) => disclosure(index + 1)));
const at = (seq: number): AuditRecord => records[seq - 1]!;
const checkpoints = [signCheckpoint(8, at(8).hash), signCheckpoint(16, at(16).hash)];

/** The records with the one at `seq` replaced. */
const replacing = (seq: number, record: AuditRecord): AuditRecord[] =>
  records.map((original) => (original.seq === seq ? record : original));

describe('ChainVerifier', () => {
  it('passes a valid chain and reports where it ends', () => {
    const result = verify(records, checkpoints);
    expect(result).toEqual({
      ok: true,
      records: 20,
      checkpoints: 2,
      lastSeq: 20,
      lastHash: at(20).hash,
      firstFault: null,
      witnesses: [],
    });
  });

  it('passes an empty log with no checkpoints', () => {
    expect(verify([], [])).toMatchObject({ ok: true, records: 0, lastSeq: 0, lastHash: GENESIS_HASH });
  });

  it('links each record to the one before through the hash of its content', () => {
    // The documented recipe, recomputed independently of chainHash.
    const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
    expect(at(1).prevHash).toBe('0'.repeat(64));
    expect(at(3).hash).toBe(sha(`${at(2).hash}\n3\n${at(3).contentHash}`));
  });

  it('names an entry whose content was altered', () => {
    const edited = { ...at(5), content: { ...at(5).content, purpose: 'enforcement' } };
    expect(fault(verify(replacing(5, edited), checkpoints))).toEqual({ ok: false, kind: 'altered', seq: 5 });
  });

  it('names an entry whose content hash was altered', () => {
    const edited = { ...at(5), contentHash: contentHashOf(disclosure(99)) };
    expect(fault(verify(replacing(5, edited), checkpoints))).toEqual({ ok: false, kind: 'altered', seq: 5 });
  });

  it('names an entry whose chain hash was altered', () => {
    const edited = { ...at(5), hash: at(6).hash };
    expect(fault(verify(replacing(5, edited), checkpoints))).toEqual({ ok: false, kind: 'altered', seq: 5 });
  });

  it('names an entry re-chained over content that is not a disclosure, rather than failing to verify', () => {
    // A forger who hashes and links bytes that are not a disclosure at all: only the filter columns tell.
    const canonical = '{"unreadable":true}';
    const contentHash = createHash('sha256').update(canonical).digest('hex');
    const forged: AuditRecord = {
      ...at(5),
      content: { unreadable: true } as unknown as DisclosureContent,
      canonical,
      contentHash,
      hash: chainHash(at(4).hash, 5, contentHash),
      indexed: {
        id: 'x',
        at: 'x',
        agency: 'x',
        user: 'x',
        purpose: null,
        outcome: 'x',
        action: 'x',
        subjects: [],
      },
    };
    expect(checkRecord(forged)).toMatchObject({
      contentMatches: true,
      hashMatches: true,
      columnsMatch: false,
    });
    expect(fault(verify(replacing(5, forged), []))).toEqual({ ok: false, kind: 'altered', seq: 5 });
  });

  it('names an entry whose link to the previous entry was altered', () => {
    const edited = { ...at(5), prevHash: at(3).hash };
    expect(fault(verify(replacing(5, edited), checkpoints))).toEqual({
      ok: false,
      kind: 'broken-link',
      seq: 5,
    });
  });

  it('names the next entry when one was edited and re-hashed in place: its link no longer holds', () => {
    // The edited entry is consistent with its predecessor; only its successor can tell.
    const [rehashed] = chainOf([{ ...at(5).content, purpose: 'enforcement' }], { seq: 4, hash: at(4).hash });
    expect(fault(verify(replacing(5, rehashed!), checkpoints))).toEqual({
      ok: false,
      kind: 'broken-link',
      seq: 6,
    });
  });

  it('names the first fault when several entries were altered', () => {
    const tampered = records.map((record) =>
      record.seq === 5 || record.seq === 11 ? { ...record, hash: GENESIS_HASH } : record,
    );
    expect(fault(verify(tampered, checkpoints))).toEqual({ ok: false, kind: 'altered', seq: 5 });
  });

  it('names a removed entry in the middle by its own sequence number', () => {
    const result = verify(
      records.filter((record) => record.seq !== 5),
      checkpoints,
    );
    expect(fault(result)).toEqual({ ok: false, kind: 'removed', seq: 5 });
  });

  it('names a removed first entry', () => {
    const result = verify(records.slice(1), checkpoints);
    expect(fault(result)).toEqual({ ok: false, kind: 'removed', seq: 1 });
  });

  it('names removed entries at the end when a signed checkpoint covers them', () => {
    // 15 and 16 are gone; the checkpoint at 16 says the log reached 16.
    expect(fault(verify(records.slice(0, 14), checkpoints))).toEqual({ ok: false, kind: 'removed', seq: 15 });
  });

  it('cannot tell entries removed after the last checkpoint from entries never written', () => {
    // As documented: checkpoints bound that window.
    expect(verify(records.slice(0, 17), checkpoints)).toMatchObject({ ok: true, records: 17, lastSeq: 17 });
  });

  it('names a record inserted under an existing sequence number', () => {
    const forged = { ...chainOf([disclosure(99)], { seq: 4, hash: at(4).hash })[0]! };
    const tampered = [...records.slice(0, 4), forged, ...records.slice(4)];
    expect(fault(verify(tampered, checkpoints))).toEqual({ ok: false, kind: 'inserted', seq: 5 });
  });

  it('names a forged record inserted with its own links, the later entries renumbered after it', () => {
    // The forger chains the new entry properly to entry 4 and moves every later entry up by one, so
    // sequence numbers stay contiguous: the entry inserted is 5.
    const forged = chainOf([disclosure(99)], { seq: 4, hash: at(4).hash })[0]!;
    const tampered = [
      ...records.slice(0, 4),
      forged,
      ...records.slice(4).map((record) => ({ ...record, seq: record.seq + 1 })),
    ];
    expect(fault(verify(tampered, checkpoints))).toEqual({ ok: false, kind: 'inserted', seq: 5 });
  });

  it('names two swapped entries as reordered, where the order first breaks', () => {
    const tampered = [...records];
    [tampered[4], tampered[5]] = [tampered[5]!, tampered[4]!];
    const result = fault(verify(tampered, checkpoints));
    // Entry 6 stands where 5 belongs: either may be named, but nothing was removed.
    expect(result).toMatchObject({ ok: false, kind: 'reordered' });
    expect([5, 6]).toContain(result.seq);
  });

  it('names the first of two entries whose contents were swapped in place', () => {
    // A row store keeps the sequence numbers where they are; everything else moves. The swapped-in
    // entry is intact but links to the wrong predecessor.
    const swap = (seq: number, other: number): AuditRecord => ({ ...at(other), seq });
    const tampered = replacing(5, swap(5, 12)).map((record) => (record.seq === 12 ? swap(12, 5) : record));
    const result = fault(verify(tampered, checkpoints));
    expect(result).toMatchObject({ ok: false, seq: 5 });
    expect(['broken-link', 'reordered']).toContain(result.kind);
  });

  it('catches a chain rewritten consistently after an edit at the first signed checkpoint after it', () => {
    // Every hash from the edit on is recomputed, so each link holds; only the signature cannot be
    // redone. The checkpoint bounds the edit to entries 1 to 8, and names 8.
    const rewritten = chainOf(
      records.map((record) =>
        record.seq === 5 ? { ...record.content, purpose: 'enforcement' } : record.content,
      ),
    );
    expect(verify(rewritten, []).ok).toBe(true);
    expect(fault(verify(rewritten, checkpoints))).toEqual({ ok: false, kind: 'altered', seq: 8 });
  });

  it('names a checkpoint whose signature does not verify', () => {
    const forged = signCheckpoint(16, at(16).hash, strangerKey.privateKey);
    expect(fault(verify(records, [checkpoints[0]!, forged]))).toEqual({
      ok: false,
      kind: 'bad-checkpoint',
      seq: 16,
    });
    const mangled = { ...checkpoints[1]!, signature: checkpoints[0]!.signature };
    expect(fault(verify(records, [checkpoints[0]!, mangled]))).toEqual({
      ok: false,
      kind: 'bad-checkpoint',
      seq: 16,
    });
  });

  it('names a checkpoint whose hash was changed after signing', () => {
    const edited = { ...checkpoints[0]!, hash: at(7).hash };
    expect(fault(verify(records, [edited, checkpoints[1]!]))).toEqual({
      ok: false,
      kind: 'bad-checkpoint',
      seq: 8,
    });
  });

  it('names a validly signed checkpoint that does not match the chain', () => {
    const wrong = signCheckpoint(8, at(7).hash);
    expect(fault(verify(records, [wrong, checkpoints[1]!]))).toEqual({ ok: false, kind: 'altered', seq: 8 });
  });

  it('names the first entry of a log emptied under its checkpoints', () => {
    expect(fault(verify([], checkpoints))).toEqual({ ok: false, kind: 'removed', seq: 1 });
  });

  describe('against a witness', () => {
    const witnessed = [...checkpoints, signCheckpoint(20, at(20).hash)];

    it('agrees when the log holds every witnessed checkpoint, and says when the witness is behind', () => {
      expect(verify(records, checkpoints, witnessed).witnesses).toEqual([
        {
          witness: 'file w.jsonl',
          status: 'consistent',
          latestSeq: 20,
          checkpoints: 3,
          ignored: 0,
          detail: null,
        },
      ]);
      expect(verify(records, checkpoints, checkpoints.slice(0, 1)).witnesses[0]).toMatchObject({
        status: 'behind',
        latestSeq: 8,
      });
    });

    it('names the first missing entry when the tail was cut with the checkpoints after it', () => {
      const result = verify(records.slice(0, 8), checkpoints.slice(0, 1), witnessed);
      expect(fault(result)).toEqual({ ok: false, kind: 'removed', seq: 9 });
      expect(result.firstFault?.detail).toBe(
        'file w.jsonl holds a checkpoint signed 2025-01-06T10:00:00.000Z over entries 1 to 20, but the log ends at 8: entries 9 to 20 are missing',
      );
      expect(result.witnesses[0]).toMatchObject({ status: 'inconsistent', latestSeq: 20 });
    });

    it('names the first witnessed entry a rewrite, re-signed in the log, no longer reaches', () => {
      const rewritten = chainOf([
        ...records.slice(0, 11).map((r) => r.content),
        disclosure(99),
        ...records.slice(12).map((r) => r.content),
      ]);
      const resigned = [signCheckpoint(8, rewritten[7]!.hash), signCheckpoint(16, rewritten[15]!.hash)];
      expect(fault(verify(rewritten, resigned))).toEqual({ ok: true, kind: undefined, seq: undefined });
      const result = verify(rewritten, resigned, witnessed);
      expect(fault(result)).toEqual({ ok: false, kind: 'altered', seq: 16 });
      expect(result.firstFault?.detail).toContain('an entry from 9 to 16 was rewritten');
    });

    it('names a witnessed checkpoint under a key the log does not know, and skips forged noise under its own', () => {
      const foreign = { ...signCheckpoint(8, at(8).hash, strangerKey.privateKey), keyId: 'stranger-key' };
      expect(fault(verify(records, checkpoints, [foreign]))).toEqual({
        ok: false,
        kind: 'bad-checkpoint',
        seq: 8,
      });
      const noise = signCheckpoint(30, at(8).hash, strangerKey.privateKey);
      expect(verify(records, checkpoints, [...witnessed, noise])).toMatchObject({
        ok: true,
        witnesses: [{ status: 'consistent', latestSeq: 20, ignored: 1 }],
      });
    });

    it('is not compared when the log fails on its own', () => {
      const result = verify(records.slice(1), checkpoints, witnessed);
      expect(fault(result)).toEqual({ ok: false, kind: 'removed', seq: 1 });
      expect(result.witnesses[0]).toMatchObject({ status: 'not-compared' });
    });
  });
});

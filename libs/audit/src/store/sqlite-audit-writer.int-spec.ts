import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@throughline/platform';
import { AuditService } from '../audit.service';
import { canonicalContent, chainHash, GENESIS_HASH, sha256 } from '../domain/chain';
import { type DisclosureContent, indexedColumnsOf } from '../domain/disclosure';
import { SqliteAuditStore } from './sqlite-audit-store';
import { type ChainLink, SqliteAuditWriter, type WriterRow } from './sqlite-audit-writer';

/** The writer thread's group commit and its failures, on a real SQLite file. */

const content = (id: string = randomUUID()): DisclosureContent => ({
  id,
  at: new Date().toISOString(),
  requestId: null,
  principal: { kind: 'person', user: 'om-1', agency: 'probation', role: 'offender-manager' },
  action: 'subject.view',
  outcome: 'disclosed',
  purpose: 'case-management',
  agreementVersion: '2025.1',
  subjects: [
    {
      subjectId: randomUUID(),
      grounds: [
        {
          rule: 'agreement',
          basis: 'always',
          clause: 'identity-all',
          legalBasis: 'Data Protection Act 2018 Part 3',
          reliedOn: null,
          categories: ['identity'],
        },
      ],
      fields: { identity: ['familyName', 'givenName'] },
      positions: [3, 5],
    },
  ],
  refusal: null,
});

const rowOf = (disclosure: DisclosureContent): WriterRow => ({
  ...indexedColumnsOf(disclosure),
  canonical: canonicalContent(disclosure),
});

describe('the SQLite audit writer', () => {
  let root: string;
  let file: string;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'throughline-audit-writer-'));
    file = join(root, 'audit.db');
    // The store creates the schema the writer opens.
    await new SqliteAuditStore(file).close();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('chains several groups in one commit, and answers a bad group alone without losing the others', () => {
    const writer = new SqliteAuditWriter(file);
    try {
      const first = content();
      const [a, repeated, c] = writer.appendGroups([
        { rows: [rowOf(first), rowOf(content())] },
        { rows: [rowOf(content(first.id))] },
        { rows: [rowOf(content())] },
      ]);
      expect(repeated).toEqual({ error: expect.stringMatching(/UNIQUE constraint failed/) as unknown });
      const links = [...(a as ChainLink[]), ...(c as ChainLink[])];
      expect(links.map((link) => link.seq)).toEqual([1, 2, 3]);
      let prevHash = GENESIS_HASH;
      for (const link of links) {
        expect(link.prevHash).toBe(prevHash);
        expect(link.hash).toBe(chainHash(prevHash, link.seq, link.contentHash));
        prevHash = link.hash;
      }
      expect(links[0]!.contentHash).toBe(sha256(canonicalContent(first)));
    } finally {
      writer.close();
    }
  });

  it('rejects only the failing append through the store, whose thread goes on serving', async () => {
    const store = new SqliteAuditStore(file);
    try {
      const [stored] = await store.append([content()]);
      await expect(store.append([{ ...content(), id: stored!.content.id }])).rejects.toThrow(
        /audit append failed: UNIQUE constraint failed/,
      );
      const [next] = await store.append([content()]);
      expect(next).toMatchObject({ seq: 2, prevHash: stored!.hash });
    } finally {
      await store.close();
    }
  });

  it('records a disclosure offered by two stores on one file, and offered again, once', async () => {
    const config = loadConfig({ DATA_DIR: root, LOG_LEVEL: 'silent' });
    const [one, two] = [new SqliteAuditStore(file), new SqliteAuditStore(file)];
    const [a, b] = [new AuditService(one, config), new AuditService(two, config)];
    try {
      const offered = Array.from({ length: 40 }, () => content());
      const offers = [a, b, a, b].flatMap((service, round) =>
        [0, 10, 20].map((start) =>
          service.recordOnce(offered.slice(start + round * 5, start + round * 5 + 15)),
        ),
      );
      offers.push(a.recordOnce(offered), b.recordOnce([...offered, ...offered]));
      const added = (await Promise.all(offers)).flat();
      expect(added.map((record) => record.content.id).sort()).toEqual(offered.map(({ id }) => id).sort());
      await Promise.all([
        a.record({ ...content(), requestId: 'r' }),
        b.record({ ...content(), requestId: 'r' }),
      ]);
      expect(await b.recordOnce(offered.slice(0, 3))).toEqual([]);
      // The record kept is the first offered, with its own time.
      expect((await one.get(offered[7]!.id))?.content).toEqual(offered[7]);
      expect(await a.verify()).toMatchObject({ ok: true, records: 42, lastSeq: 42 });
    } finally {
      await Promise.all([a.onApplicationShutdown(), b.onApplicationShutdown()]);
    }
  });

  it('records every concurrent read durably before answering, and the log verifies', async () => {
    const store = new SqliteAuditStore(file);
    const service = new AuditService(store, loadConfig({ DATA_DIR: root, LOG_LEVEL: 'silent' }));
    const records = await Promise.all(
      Array.from({ length: 300 }, () => service.record({ ...content(), requestId: 'r' })),
    );
    expect(records.map((record) => record.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 300 }, (_, i) => i + 1),
    );
    expect(store.commits).toBeLessThan(30);
    await service.onApplicationShutdown();
    const reopened = new SqliteAuditStore(file);
    try {
      const result = await new AuditService(
        reopened,
        loadConfig({ DATA_DIR: root, LOG_LEVEL: 'silent' }),
      ).verify();
      expect(result).toMatchObject({ ok: true, records: 300, firstFault: null });
      expect(result.checkpoints).toBeGreaterThanOrEqual(1);
    } finally {
      await reopened.close();
    }
  });
});

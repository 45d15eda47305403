import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig, type ThroughlineConfig } from '@throughline/platform';
import { freshDatabase as newDatabase, type TestDatabase } from '@throughline/platform/testing';
import { AuditService, type NewDisclosure } from '../audit.service';
import { contentHashOf } from '../domain/chain';
import type { AuditRecord } from '../domain/disclosure';
import type { AuditQuery } from './audit-store';
import { PostgresAuditStore } from './postgres-audit-store';

/**
 * PostgresAuditStore creates its tables in the default schema, so each suite here gets a database of
 * its own, dropped afterwards.
 */
const created: TestDatabase[] = [];
const dataDirs: string[] = [];

async function freshDatabase(): Promise<string> {
  const database = await newDatabase('audit');
  created.push(database);
  return database.url;
}

/** Waits for a condition, checking every few milliseconds, for at most ten seconds. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('The condition did not hold within ten seconds');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function dataDir(): ThroughlineConfig {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-audit-pg-'));
  dataDirs.push(dir);
  return loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' });
}

afterAll(async () => {
  for (const database of created) await database.drop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

const AGENCIES = ['police', 'probation', 'prison', 'health', 'housing', 'voluntary'] as const;
const SUBJECTS = Array.from({ length: 9 }, () => randomUUID());
const BASE_TIME = Date.parse('2025-03-03T08:00:00.000Z');

/** The i-th read: agencies, users, purposes and actions vary; every 11th is refused. */
function disclosure(i: number, tag = 'a'): NewDisclosure {
  const agency = AGENCIES[i % AGENCIES.length]!;
  const subjectId = SUBJECTS[i % SUBJECTS.length]!;
  const base = {
    at: new Date(BASE_TIME + i * 1000).toISOString(),
    requestId: `req-${tag}-${i}`,
    principal: { kind: 'person', user: `${agency}-user-${i % 4}`, agency, role: 'offender-manager' },
    action: i % 5 === 0 ? ('subject.list' as const) : ('subject.view' as const),
    purpose: i % 3 === 0 ? 'safeguarding' : 'case-management',
  };
  if (i % 11 === 0) {
    return {
      ...base,
      outcome: 'refused',
      agreementVersion: null,
      subjects: [],
      refusal: { status: 404, reason: 'Subject not found', subjectId },
    };
  }
  const subjects = [subjectId, ...(i % 5 === 0 ? [SUBJECTS[(i + 1) % SUBJECTS.length]!] : [])];
  return {
    ...base,
    outcome: 'disclosed',
    agreementVersion: '2025.1',
    subjects: subjects.map((id) => ({
      subjectId: id,
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
      fields: { cohort: ['band', 'cohortClass'], offending: ['offence'] },
      positions: [42],
    })),
    refusal: null,
  };
}

/** The query as the store should answer it, worked out over the records in memory. */
function expected(records: readonly AuditRecord[], query: AuditQuery): number[] {
  return records
    .filter(({ seq, content }) => {
      const subjects = [...content.subjects.map((s) => s.subjectId), content.refusal?.subjectId];
      return (
        (query.subjectId === undefined || subjects.includes(query.subjectId as string)) &&
        (query.agency === undefined || content.principal.agency === query.agency) &&
        (query.user === undefined || content.principal.user === query.user) &&
        (query.purpose === undefined || content.purpose === query.purpose) &&
        (query.outcome === undefined || content.outcome === query.outcome) &&
        (query.action === undefined || content.action === query.action) &&
        (query.from === undefined || content.at >= query.from) &&
        (query.to === undefined || content.at <= query.to) &&
        (query.beforeSeq === undefined || seq < query.beforeSeq)
      );
    })
    .map(({ seq }) => seq)
    .sort((a, b) => b - a)
    .slice(0, query.limit);
}

describe('PostgresAuditStore', () => {
  const COUNT = 300;
  let store: PostgresAuditStore;
  let service: AuditService;
  let records: AuditRecord[];

  beforeAll(async () => {
    store = await PostgresAuditStore.open(await freshDatabase());
    service = new AuditService(store, dataDir());
    records = await Promise.all(Array.from({ length: COUNT }, (_, i) => service.record(disclosure(i + 1))));
  });
  // Shutting the service down closes the store; closing only the store would leave its tail timer.
  afterAll(() => service.onApplicationShutdown());

  it('chains concurrent records into one log, signs a checkpoint past 256, and verifies', async () => {
    expect(records.map((record) => record.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: COUNT }, (_, i) => i + 1),
    );
    // The checkpoint is signed after the commit that crossed 256 has answered its readers.
    await until(async () => (await store.checkpoints()).length > 0);
    const result = await service.verify();
    expect(result).toMatchObject({ ok: true, records: COUNT, lastSeq: COUNT, firstFault: null });
    expect(result.checkpoints).toBeGreaterThanOrEqual(1);
  });

  it('reads back each record as appended: get, last, range and scan in pages', async () => {
    const sample = records[17]!;
    expect(await store.get(sample.content.id)).toEqual(sample);
    expect(await store.get(randomUUID())).toBeUndefined();
    expect(await store.get('not-a-uuid')).toBeUndefined();

    const last = records.find((record) => record.seq === COUNT)!;
    expect(await store.last()).toEqual({ seq: COUNT, hash: last.hash });
    expect((await store.range(10, 20)).map((record) => record.seq)).toEqual([
      10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
    ]);

    const scanned: AuditRecord[] = [];
    for await (const page of store.scan(64)) {
      expect(page.length).toBeLessThanOrEqual(64);
      scanned.push(...page);
    }
    // A scan also brings the register columns, for verification to check against the content.
    expect(scanned.map(({ indexed: _indexed, ...record }) => record)).toEqual(
      [...records].sort((a, b) => a.seq - b.seq),
    );
  });

  it('hashes the content as canonical JSON, so JSONB reordering its keys changes nothing', async () => {
    const record = await service.record({
      ...disclosure(1, 'unicode'),
      purpose: 'case-management',
      refusal: null,
      subjects: [
        {
          subjectId: SUBJECTS[0]!,
          grounds: [],
          fields: { 'z-last': ['ü', '€', '😀'], a: ['"quoted"\n'], Ä: [] },
          positions: [],
        },
      ],
    });
    records.push(record);
    const stored = (await store.get(record.content.id))!;
    // JSONB keeps keys ordered by length, then bytes: not as written, not as canonical.
    expect(JSON.stringify(stored.content)).not.toBe(JSON.stringify(record.content));
    expect(stored.content).toEqual(record.content);
    expect(contentHashOf(stored.content)).toBe(record.contentHash);
    expect((await service.verify()).ok).toBe(true);
  });

  it.each<[string, Omit<AuditQuery, 'limit'>]>([
    ['a subject, disclosed or refused', { subjectId: SUBJECTS[2]! }],
    ['an agency', { agency: 'health' }],
    ['a user', { user: 'prison-user-2' }],
    ['a purpose', { purpose: 'safeguarding' }],
    ['an outcome', { outcome: 'refused' }],
    ['an action', { action: 'subject.list' }],
    [
      'a period',
      { from: new Date(BASE_TIME + 100_000).toISOString(), to: new Date(BASE_TIME + 150_000).toISOString() },
    ],
    ['several at once', { agency: 'probation', purpose: 'case-management', outcome: 'disclosed' }],
    ['a page before a sequence number', { agency: 'probation', beforeSeq: 200 }],
  ])('filters the register by %s, newest first', async (_, filter) => {
    const query = { ...filter, limit: 500 };
    const found = await store.query(query);
    expect(found.length).toBeGreaterThan(0);
    expect(found.map((record) => record.seq)).toEqual(expected(records, query));
  });

  it('limits a page and pages on with beforeSeq', async () => {
    const first = await store.query({ agency: 'police', limit: 10 });
    const second = await store.query({
      agency: 'police',
      limit: 10,
      beforeSeq: first[first.length - 1]!.seq,
    });
    expect([...first, ...second].map((record) => record.seq)).toEqual(
      expected(records, { agency: 'police', limit: 20 }),
    );
  });

  it('names an entry altered in the database', async () => {
    const target = records.find((record) => record.seq === 123)!;
    const client = new Client({ connectionString: created[0]!.url });
    await client.connect();
    try {
      // Only a superuser gets past the append-only triggers this way; the chain still names the change.
      await client.query('SET session_replication_role = replica');
      await client.query(
        `UPDATE audit_records SET content = jsonb_set(content, '{purpose}', '"enforcement"') WHERE seq = $1`,
        [target.seq],
      );
      expect((await service.verify()).firstFault).toMatchObject({ kind: 'altered', seq: target.seq });
    } finally {
      // Put it back, so the log this suite shares is whole again.
      await client.query('UPDATE audit_records SET content = $1::jsonb WHERE seq = $2', [
        JSON.stringify(target.content),
        target.seq,
      ]);
      await client.end();
    }
    expect((await service.verify()).ok).toBe(true);
  });
});

describe('two service instances on one PostgreSQL database', () => {
  it('append concurrently into one valid chain', async () => {
    const url = await freshDatabase();
    // One DATA_DIR, so one signing key: the instances share it as a single deployment would.
    const config = dataDir();
    const [storeA, storeB] = [await PostgresAuditStore.open(url), await PostgresAuditStore.open(url)];
    const [a, b] = [new AuditService(storeA, config), new AuditService(storeB, config)];
    try {
      const burst = (service: AuditService, tag: string) =>
        Promise.all(Array.from({ length: 200 }, (_, i) => service.record(disclosure(i + 1, tag))));
      const [fromA, fromB] = await Promise.all([burst(a, 'a'), burst(b, 'b')]);
      await Promise.all([a.checkpoint(), b.checkpoint()]);

      const all = [...fromA, ...fromB].sort((x, y) => x.seq - y.seq);
      expect(all.map((record) => record.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
      for (let i = 1; i < all.length; i++) expect(all[i]!.prevHash).toBe(all[i - 1]!.hash);

      const scanned: AuditRecord[] = [];
      for await (const page of storeB.scan()) scanned.push(...page);
      expect(scanned.map((record) => record.content.id)).toEqual(all.map((record) => record.content.id));

      expect(await a.verify()).toMatchObject({ ok: true, records: 400, lastSeq: 400 });
      expect(await b.verify()).toMatchObject({ ok: true, records: 400, lastSeq: 400 });
    } finally {
      await Promise.all([a.onApplicationShutdown(), b.onApplicationShutdown()]);
    }
  });

  it('verify checkpoints signed by each other with their own DATA_DIR and the shared AUDIT_SIGNING_KEY_FILE', async () => {
    // docker-compose gives each process its own /data volume but one signing key (AUDIT_SIGNING_KEY_FILE).
    const url = await freshDatabase();
    const shared = join(dataDir().dataDir, 'shared-audit-key.pem');
    const deployed = () => loadConfig({ DATA_DIR: dataDir().dataDir, AUDIT_SIGNING_KEY_FILE: shared });
    const [storeA, storeB] = [await PostgresAuditStore.open(url), await PostgresAuditStore.open(url)];
    const [a, b] = [new AuditService(storeA, deployed()), new AuditService(storeB, deployed())];
    try {
      await Promise.all(Array.from({ length: 10 }, (_, i) => a.record(disclosure(i + 1, 'a'))));
      await a.checkpoint();
      await Promise.all(Array.from({ length: 10 }, (_, i) => b.record(disclosure(i + 1, 'b'))));
      await b.checkpoint();

      expect((await a.verify()).firstFault).toBeNull();
      expect((await b.verify()).firstFault).toBeNull();
    } finally {
      await Promise.all([a.onApplicationShutdown(), b.onApplicationShutdown()]);
    }
  });

  it('record a disclosure offered by both, and again, once', async () => {
    const url = await freshDatabase();
    const config = dataDir();
    const [storeA, storeB] = [await PostgresAuditStore.open(url), await PostgresAuditStore.open(url)];
    const [a, b] = [new AuditService(storeA, config), new AuditService(storeB, config)];
    try {
      const offered = Array.from({ length: 40 }, (_, i) => ({
        ...disclosure(i + 1, 'once'),
        id: randomUUID(),
      }));
      // Each instance offers every record, in overlapping groups, at the same time, twice over.
      const offers = [a, b, a, b].flatMap((service, round) =>
        [0, 10, 20].map((start) =>
          service.recordOnce(offered.slice(start + round * 5, start + round * 5 + 15)),
        ),
      );
      offers.push(a.recordOnce(offered), b.recordOnce([...offered, ...offered]));
      const added = (await Promise.all(offers)).flat();
      expect(added.map((record) => record.content.id).sort()).toEqual(offered.map(({ id }) => id).sort());
      // One more plain record from each still chains on, and nothing is added by a late repeat.
      await Promise.all([a.record(disclosure(41, 'once')), b.record(disclosure(42, 'once'))]);
      expect(await a.recordOnce(offered.slice(0, 3))).toEqual([]);
      expect(await b.verify()).toMatchObject({ ok: true, records: 42, lastSeq: 42 });
      expect((await storeA.get(offered[7]!.id))?.content.requestId).toBe(offered[7]!.requestId);
    } finally {
      await Promise.all([a.onApplicationShutdown(), b.onApplicationShutdown()]);
    }
  });

  it('open on a fresh database at the same moment, as instances starting together do', async () => {
    const url = await freshDatabase();
    const opened = await Promise.allSettled(Array.from({ length: 8 }, () => PostgresAuditStore.open(url)));
    for (const result of opened) if (result.status === 'fulfilled') await result.value.close();
    const outcomes = opened.map((result) =>
      result.status === 'rejected' ? String(result.reason) : 'opened',
    );
    expect(outcomes).toEqual(outcomes.map(() => 'opened'));
  });
});

describe('the audit tables in PostgreSQL are append-only', () => {
  let url: string;
  let service: AuditService;

  beforeAll(async () => {
    url = await freshDatabase();
    service = new AuditService(await PostgresAuditStore.open(url), dataDir());
    await Promise.all(Array.from({ length: 5 }, (_, i) => service.record(disclosure(i + 1, 'ro'))));
    await service.checkpoint();
  });
  afterAll(() => service.onApplicationShutdown());

  async function attempt(sql: string): Promise<string> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
      return 'done';
    } catch (error) {
      return (error as Error).message;
    } finally {
      await client.end();
    }
  }

  it.each(['audit_records', 'audit_subjects', 'audit_checkpoints'])(
    'refuses UPDATE, DELETE and TRUNCATE on %s, and keeps every row',
    async (table) => {
      const before = await attempt(`SELECT 1 FROM ${table}`);
      expect(before).toBe('done');
      expect(await attempt(`UPDATE ${table} SET seq = seq`)).toBe(
        `UPDATE on ${table} refused: the audit log is append-only`,
      );
      expect(await attempt(`DELETE FROM ${table} WHERE seq = 1`)).toBe(
        `DELETE on ${table} refused: the audit log is append-only`,
      );
      expect(await attempt(`TRUNCATE ${table}`)).toBe(
        `TRUNCATE on ${table} refused: the audit log is append-only`,
      );
      expect(await attempt(`TRUNCATE ${table} CASCADE`)).toMatch(/refused: the audit log is append-only/);
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ count: string }>(`SELECT count(*) FROM ${table}`);
        expect(Number(rows[0]!.count)).toBeGreaterThan(0);
      } finally {
        await client.end();
      }
    },
  );

  it('still appends, checkpoints and verifies, and a restart finds the guard in place', async () => {
    await service.record(disclosure(6, 'ro'));
    await service.checkpoint();
    expect((await service.verify()).ok).toBe(true);
    const reopened = await PostgresAuditStore.open(url);
    await reopened.close();
    expect(await attempt('DELETE FROM audit_records')).toMatch(/append-only/);
  });
});

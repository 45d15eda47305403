import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { CATALOGUE, CATALOGUE_EXAMPLES, type EventType, subjectStream } from '@throughline/domain';
import { type EventToAppend, SqliteEventStore } from '@throughline/event-store';
import { PostgresReadModelStore, rebuildProjection } from '@throughline/projections';
import { CASELOADS, type CaseloadEntry, caseloadPrefix, caseloadsProjection } from './caseloads.projection';

const connectionString = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `rm_${randomBytes(6).toString('hex')}`;

const event = (type: EventType, agency: string, data: object): EventToAppend => ({
  id: randomUUID(),
  type,
  data,
  metadata: {
    agency,
    source: `urn:throughline:${agency}:spec`,
    ceId: randomUUID(),
    time: '2026-01-05T09:00:00Z',
    subjectRef: 'local:spec',
    publishedBy: `${agency}-spec`,
    category: CATALOGUE[type].category,
  },
});

describe('the caseloads projection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'caseloads-'));
  const log = new SqliteEventStore(join(dir, 'events.db'));
  const [first, second, third] = [randomUUID(), randomUUID(), randomUUID()];
  let writer: PostgresReadModelStore;
  let reader: PostgresReadModelStore;

  beforeAll(async () => {
    const append = (subjectId: string, events: EventToAppend[]) =>
      log.append(subjectStream(subjectId), events, 'any');
    await append(first, [
      event('iom.subject.registered.v1', 'police', CATALOGUE_EXAMPLES['iom.subject.registered.v1']),
      event('iom.referral.received.v1', 'police', { referredBy: 'probation', reason: 'Prolific' }),
    ]);
    await append(second, [
      event('iom.subject.registered.v1', 'police', CATALOGUE_EXAMPLES['iom.subject.registered.v1']),
      event('iom.key-worker.assigned.v1', 'police', {
        agency: 'housing',
        worker: 'H. Mensah',
        contact: '01782 000002',
      }),
      event('iom.break-glass.claimed.v1', 'health', CATALOGUE_EXAMPLES['iom.break-glass.claimed.v1']),
    ]);
    await append(third, [
      event('iom.appointment.attended.v1', 'probation', CATALOGUE_EXAMPLES['iom.appointment.attended.v1']),
    ]);
    writer = await PostgresReadModelStore.open(connectionString, schema);
    // Another process's store on the same database: what one writes, the other reads.
    reader = await PostgresReadModelStore.open(connectionString, schema);
  });

  afterAll(async () => {
    await Promise.all([log.close(), writer.close(), reader.close()]);
    const client = new Client({ connectionString });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
    rmSync(dir, { recursive: true, force: true });
  });

  const caseload = async (agency: string): Promise<string[]> =>
    (await reader.list<CaseloadEntry>(CASELOADS, caseloadPrefix(agency)))
      .map((entry) => entry.subjectId)
      .sort();

  it('holds per agency the subjects it published about, referred, or is key worker for', async () => {
    await rebuildProjection(log, writer, caseloadsProjection);
    expect(await caseload('police')).toEqual([first, second].sort());
    expect(await caseload('probation')).toEqual([first, third].sort());
    expect(await caseload('housing')).toEqual([second]);
    // A break-glass claim is an emergency read, not work with the person.
    expect(await caseload('health')).toEqual([]);
    expect(await caseload('voluntary')).toEqual([]);
  });

  it('keeps the first event that put the subject on the caseload', async () => {
    const [entry] = await reader.list<CaseloadEntry>(CASELOADS, `${caseloadPrefix('probation')}${first}`);
    expect(entry).toEqual({ agency: 'probation', subjectId: first, since: 2 });
  });
});

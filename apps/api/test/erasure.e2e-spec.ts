import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { subjectStream } from '@throughline/domain';
import { ERASED_METADATA, openEventStore } from '@throughline/event-store';
import { cloudEvent, POLICE, PROBATION, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const BATCH = 'application/cloudevents-batch+json';

/** Letters only, so the strings pass the catalogue's validation and cannot occur by chance. */
const letters = (length: number): string =>
  Array.from(randomBytes(length), (byte) => String.fromCharCode(97 + (byte % 26))).join('');

/** Every file under `dir`, SQLite's -wal and -shm files included. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });

/** Publishes a batch as the agency's system; anything but 200 fails the test, showing the problem. */
async function publishTo(t: TestApp, events: unknown[], agency: string, source: string) {
  const token = await t.systemToken(agency, [source]);
  const response = await t.http
    .post('/v1/events')
    .set('Authorization', `Bearer ${token}`)
    .set('Content-Type', BATCH)
    .send(JSON.stringify(events));
  expect([response.status, response.status === 200 ? '' : JSON.stringify(response.body)]).toEqual([200, '']);
  return response.body.results as { subjectId: string }[];
}

/**
 * An agency erases its data of a category about a subject: reads, the timeline and the subject
 * access export state the erasure and none of the data, another agency's data stays, the audit
 * chain still verifies, and no file of the data directory holds the erased text.
 */
describe('erasure', () => {
  let t: TestApp;
  const journey = new SubjectJourney();
  const OFFENCE = `Theft of ${letters(12)} from a shop`;
  const KEPT = `Meet about ${letters(12)}`;
  let subjectId = '';
  let igLead = '';

  const publish = (events: unknown[], agency = 'police', source = POLICE) =>
    publishTo(t, events, agency, source);
  const read = async (path: string, agency = 'police', role = 'iom-officer') =>
    t.http
      .get(path)
      .set('Authorization', `Bearer ${await t.personToken(agency, role)}`)
      .set('X-Purpose-Of-Use', 'case-management');

  beforeAll(async () => {
    t = await startTestApp();
    igLead = `Bearer ${await t.personToken('partnership', 'ig-lead')}`;
    [{ subjectId }] = (await publish([
      journey.registered(),
      journey.arrested(OFFENCE),
      journey.arrested(OFFENCE),
    ])) as [{ subjectId: string }];
    await publish([journey.linked('probation')], 'probation', PROBATION);
    await publish(
      [
        cloudEvent(PROBATION, 'iom.appointment.scheduled.v1', `pnc:${journey.pnc}`, {
          appointmentId: `apt-${letters(6)}`,
          with: 'probation',
          purpose: KEPT,
          at: '2099-01-10T10:00:00Z',
        }),
      ],
      'probation',
      PROBATION,
    );
    await t.settle();
    const before = await read(`/v1/subjects/${subjectId}`);
    expect([before.status, before.status === 200 ? '' : JSON.stringify(before.body)]).toEqual([200, '']);
    expect(before.body.arrests).toBe(2);
    expect(JSON.stringify(before.body)).toContain(OFFENCE);

    await publish([
      cloudEvent(POLICE, 'iom.record.erased.v1', `pnc:${journey.pnc}`, {
        categories: ['offending'],
        reason: 'Erasure request upheld',
        decisionRef: 'IG-2025-0042',
      }),
    ]);
    await t.settle();
  });
  afterAll(() => t.close());

  it('reads the record without the erased data, stating the erasure', async () => {
    const response = await read(`/v1/subjects/${subjectId}`);
    expect(response.status).toBe(200);
    expect(JSON.stringify(response.body)).not.toContain(OFFENCE);
    expect(response.body.lastArrest).toBeNull();
    expect(response.body.erased.offending).toEqual([
      expect.objectContaining({ agency: 'police', decisionRef: 'IG-2025-0042' }),
    ]);
    expect(response.body.identity).toMatchObject({ givenName: 'Sam' });
  });

  it('shows the erased entries and the erasure on the timeline, and nothing of their data', async () => {
    const response = await read(`/v1/subjects/${subjectId}/timeline?limit=50`);
    expect(response.status).toBe(200);
    const items = response.body.items as { type: string; data: unknown; erased?: unknown }[];
    expect(JSON.stringify(items)).not.toContain(OFFENCE);
    const arrests = items.filter((item) => item.type === 'iom.arrest.recorded.v1');
    expect(arrests).toHaveLength(2);
    for (const arrest of arrests)
      expect(arrest).toMatchObject({ data: {}, erased: { at: expect.any(String) } });
    expect(items.find((item) => item.type === 'iom.record.erased.v1')).toMatchObject({
      data: { categories: ['offending'], decisionRef: 'IG-2025-0042' },
    });
  });

  it("keeps another agency's data", async () => {
    const response = await read(
      `/v1/subjects/${subjectId}/timeline?limit=50`,
      'probation',
      'offender-manager',
    );
    expect(response.status).toBe(200);
    expect(JSON.stringify(response.body.items)).toContain(KEPT);
  });

  it('says in the subject access export what was erased, when and why', async () => {
    const response = await t.http
      .get(`/v1/subjects/${subjectId}/access-export`)
      .set('Authorization', igLead)
      .set('X-Purpose-Of-Use', 'subject-access');
    expect(response.status).toBe(200);
    expect(response.text).not.toContain(OFFENCE);
    expect(response.body.erasures).toEqual([
      expect.objectContaining({
        agency: 'police',
        categories: ['offending'],
        reason: 'Erasure request upheld',
        decisionRef: 'IG-2025-0042',
        eventsErased: 2,
      }),
    ]);
  });

  it('leaves the audit chain verifying and no erased text in any file', async () => {
    const verified = await t.http.get('/v1/audit/verify').set('Authorization', igLead);
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ ok: true, firstFault: null });

    const dataDir = t.config.dataDir;
    const holding = (): string[] =>
      filesUnder(dataDir).filter((file) => readFileSync(file).includes(OFFENCE));
    expect(holding()).toEqual([]);
    await t.close({ keepData: true });
    expect(holding()).toEqual([]);
    t = { ...t, close: () => Promise.resolve() };
  });
});

/**
 * An agency redacts one of its events that had been corrected: views withdraw it and the
 * correction's replacement, the other events of the same data stay, and at rest the target and the
 * correction can no longer be opened by anyone: the key that sealed them is destroyed, and what
 * else it sealed was sealed again under a new one (decision 0035).
 */
describe('redaction', () => {
  let t: TestApp;
  const journey = new SubjectJourney();
  const KEPT = `Theft of ${letters(12)} from a shop`;
  const WITHDRAWN = `Criminal damage to ${letters(12)}`;
  const CORRECTED = `Criminal damage to ${letters(12)}`;
  let subjectId = '';
  let dataDir = '';
  const withdrawn = journey.arrested(WITHDRAWN);
  const correction = cloudEvent(POLICE, 'iom.record.corrected.v1', `pnc:${journey.pnc}`, {
    targetEventId: withdrawn.id,
    reason: 'Wrong item recorded',
    replacement: { ...withdrawn.data, offence: CORRECTED },
  });

  const publish = (events: unknown[]) => publishTo(t, events, 'police', POLICE);

  beforeAll(async () => {
    t = await startTestApp();
    dataDir = t.config.dataDir;
    [{ subjectId }] = (await publish([journey.registered(), journey.arrested(KEPT), withdrawn])) as [
      { subjectId: string },
    ];
    await publish([correction]);
    await publish([
      cloudEvent(POLICE, 'iom.record.redacted.v1', `pnc:${journey.pnc}`, {
        targetEventId: withdrawn.id,
        reason: 'Recorded against the wrong person',
      }),
    ]);
    await t.settle();
  });
  afterAll(() => t.close());

  it('withdraws the target and its correction from the subject access export, keeping the rest', async () => {
    const response = await t.http
      .get(`/v1/subjects/${subjectId}/access-export`)
      .set('Authorization', `Bearer ${await t.personToken('partnership', 'ig-lead')}`)
      .set('X-Purpose-Of-Use', 'subject-access');
    expect(response.status).toBe(200);
    expect(response.text).toContain(KEPT);
    expect(response.text).not.toContain(WITHDRAWN);
    expect(response.text).not.toContain(CORRECTED);
  });

  it('leaves nothing at rest that opens the target or its correction', async () => {
    await t.close({ keepData: true });
    t = { ...t, close: () => Promise.resolve() };
    const log = await openEventStore({ dataDir, encryption: true });
    try {
      const events = await log.readStream(subjectStream(subjectId));
      const text = JSON.stringify(events.map((event) => event.data));
      expect(text).toContain(KEPT);
      expect(text).not.toContain(WITHDRAWN);
      expect(text).not.toContain(CORRECTED);
      const gone = events.filter((event) => event.metadata[ERASED_METADATA] === true);
      expect(gone.map((event) => event.type).sort()).toEqual([
        'iom.arrest.recorded.v1',
        'iom.record.corrected.v1',
      ]);
    } finally {
      await log.close();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
});

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATALOGUE, CATALOGUE_EXAMPLES, type EventType, subjectStream } from '@throughline/domain';
import { type EventToAppend, SqliteEventStore } from '@throughline/event-store';
import {
  applyBatch,
  rebuildProjection,
  SqliteReadModelStore,
  toPublishedEvent,
} from '@throughline/projections';
import { AgreementService } from '@throughline/sharing';
import { SubjectDocs } from '../features/read-subject/subject-docs';
import {
  evolveSubjectDoc,
  type FoldedSubjectDoc,
  type StoredSubjectDoc,
  type SubjectDoc,
  settleViews,
} from '../domain/subject-view';
import { SUBJECT_VIEWS, SubjectViewsProjection } from './subject-views.projection';

const SUBJECT = randomUUID();

const event = (type: EventType, agency: string, data: object, ceId = randomUUID()): EventToAppend => ({
  id: randomUUID(),
  type,
  data,
  metadata: {
    agency,
    source: `urn:throughline:${agency}:spec`,
    ceId,
    time: '2026-01-05T09:00:00Z',
    subjectRef: `local:${SUBJECT}`,
    publishedBy: `${agency}-spec`,
    category: CATALOGUE[type].category === 'of-target' ? 'offending' : CATALOGUE[type].category,
  },
});

const charged = randomUUID();
const tested = randomUUID();
/** One subject's stream: ordinary events, a consent, then a correction and a redaction of earlier ones. */
const STREAM: EventToAppend[] = [
  event('iom.subject.registered.v1', 'police', CATALOGUE_EXAMPLES['iom.subject.registered.v1']),
  event('iom.arrest.recorded.v1', 'police', CATALOGUE_EXAMPLES['iom.arrest.recorded.v1']),
  event('iom.charge.recorded.v1', 'police', CATALOGUE_EXAMPLES['iom.charge.recorded.v1'], charged),
  event('iom.drug-test.recorded.v1', 'police', CATALOGUE_EXAMPLES['iom.drug-test.recorded.v1'], tested),
  event('iom.consent.given.v1', 'health', CATALOGUE_EXAMPLES['iom.consent.given.v1']),
  event('iom.record.corrected.v1', 'police', {
    ...CATALOGUE_EXAMPLES['iom.record.corrected.v1'],
    targetEventId: charged,
    targetSource: 'urn:throughline:police:spec',
  }),
  event('iom.record.redacted.v1', 'police', {
    ...CATALOGUE_EXAMPLES['iom.record.redacted.v1'],
    targetEventId: tested,
    targetSource: 'urn:throughline:police:spec',
  }),
  event('iom.appointment.attended.v1', 'probation', CATALOGUE_EXAMPLES['iom.appointment.attended.v1']),
];

describe('subject views keep no timeline; it is read back from the log (SQLite files)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-subject-views-'));
  const log = new SqliteEventStore(join(dir, 'events.db'));
  const readModels = new SqliteReadModelStore(join(dir, 'read-models.db'));
  const docs = new SubjectDocs(readModels, log, new AgreementService(log));

  beforeAll(async () => {
    for (const appended of STREAM) await log.append(subjectStream(SUBJECT), [appended], 'any');
  });

  afterAll(async () => {
    await Promise.all([log.close(), readModels.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** The whole document, folded in memory from the stream with no agreement loaded; each entry with when it was recorded. */
  const folded = async (): Promise<SubjectDoc> => {
    const events = (await log.readStream(subjectStream(SUBJECT))).flatMap((e) => {
      const one = toPublishedEvent(e);
      return one ? [Object.assign(one, { recordedAt: e.recordedAt.toISOString() })] : [];
    });
    return settleViews(
      events.reduce<FoldedSubjectDoc | null>((doc, e) => evolveSubjectDoc(doc, e, null), null)!,
      null,
    );
  };

  it('stores the document without its timeline and serves it whole, corrections and redactions applied', async () => {
    await rebuildProjection(log, readModels, new SubjectViewsProjection());
    const stored = await readModels.get<StoredSubjectDoc & { timeline?: unknown }>(SUBJECT_VIEWS, SUBJECT);
    expect(stored).toBeDefined();
    expect(stored!.timeline).toBeUndefined();

    const whole = await docs.current(SUBJECT);
    expect(whole).toEqual(await folded());
    expect(whole!.timeline).toHaveLength(STREAM.length);
    expect(whole!.timeline[2]!.correctedBy?.eventId).toBe(STREAM[5]!.id);
    expect(whole!.timeline[3]!.data).toEqual({});
    expect(whole!.timeline[3]!.redactedBy?.eventId).toBe(STREAM[6]!.id);
    expect(await docs.current(SUBJECT)).toBe(whole);
  });

  it('folds loaded documents batch by batch to exactly what a rebuild writes', async () => {
    const live = new SubjectViewsProjection();
    Object.defineProperty(live, 'name', { value: 'subject-views-live' });
    await live.prepare(log, 0);
    // A fresh cache per batch: every batch loads the document from the store and the log.
    for (let after = 0; after < (await log.headPosition());) {
      after = await applyBatch(log, readModels, live, await log.readAll({ after, maxCount: 3 }));
    }
    expect(await readModels.get('subject-views-live', SUBJECT)).toEqual(
      await readModels.get(SUBJECT_VIEWS, SUBJECT),
    );
  });

  it('rebuilds to the same document when it lets go of it after every write', async () => {
    const released = new SubjectViewsProjection();
    Object.defineProperty(released, 'name', { value: 'subject-views-released' });
    // Each write of two events is followed by a load from the store and the log.
    await rebuildProjection(log, readModels, released, undefined, {
      pageSize: 2,
      commitEvery: 2,
      release: () => true,
    });
    expect(await readModels.get('subject-views-released', SUBJECT)).toEqual(
      await readModels.get(SUBJECT_VIEWS, SUBJECT),
    );
  });

  it('shows only the events its stored version folded, and a newer version once written', async () => {
    const before = await docs.current(SUBJECT);
    const later = event(
      'iom.appointment.attended.v1',
      'probation',
      CATALOGUE_EXAMPLES['iom.appointment.attended.v1'],
    );
    await log.append(subjectStream(SUBJECT), [later], 'any');
    expect(await docs.current(SUBJECT)).toBe(before);

    const projection = new SubjectViewsProjection();
    await projection.prepare(log, 0);
    const position = await readModels.checkpoint(SUBJECT_VIEWS);
    await applyBatch(log, readModels, projection, await log.readAll({ after: position }));
    const after = await docs.current(SUBJECT);
    expect(after).not.toBe(before);
    expect(after!.timeline.map((entry) => entry.id)).toEqual([...STREAM, later].map((e) => e.id));
  });

  it('folds a stored document that does not match its stream again from the stream, on the spot', async () => {
    const stored = (await readModels.get<StoredSubjectDoc>(SUBJECT_VIEWS, SUBJECT))!;
    const views = Object.fromEntries(
      Object.entries(stored.views).map(([agency, cuts]) => [agency, cuts.slice(1)]),
    );
    await readModels.commit('subject-views-broken', new Map([[SUBJECT, { ...stored, views }]]), 1);
    const projection = new SubjectViewsProjection();
    const broken = (await readModels.get<StoredSubjectDoc>('subject-views-broken', SUBJECT))!;
    const whole = await projection.load(broken, SUBJECT, log);
    expect(whole.views).toEqual(stored.views);
    expect(whole.timeline.map((entry) => entry.id)).toEqual(
      (await docs.current(SUBJECT))!.timeline.map((entry) => entry.id),
    );
  });
});

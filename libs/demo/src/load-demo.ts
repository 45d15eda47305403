import { createHash } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import {
  CATALOGUE,
  type EventMeta,
  MEETINGS_STREAM,
  parseSubjectReference,
  subjectStream,
} from '@throughline/domain';
import { EventStore, WrongExpectedRevisionError } from '@throughline/event-store';
import { IdentityIndex, IngestEventsService } from '@throughline/ingestion';
import { type DemoPartnership, type DemoPublication, generateDemo } from './generate-demo';
import { DEMO_SOURCES } from './sources';

export interface DemoLoadResult {
  readonly subjects: number;
  readonly stored: number;
  readonly duplicates: number;
}

const IDENTITY_TYPES = new Set(['iom.subject.registered.v1', 'iom.subject.identifier-linked.v1']);
const WINDOW_DAYS = 28;
const BATCH = 500;

export interface DemoLoadProgress {
  readonly done: number;
  readonly total: number;
  readonly stored: number;
  readonly duplicates: number;
}

/**
 * Publishes the demo partnership through the same ingestion path agency systems use, as each
 * agency's system, in four-week windows: identity events first (registrations, then links), then
 * everything else, batched per agency. Loading twice stores nothing new (idempotency on source + id).
 */
export async function loadDemoPartnership(
  app: INestApplicationContext,
  options: {
    seed?: number;
    signal?: AbortSignal;
    /** Called after each batch: events sent so far (stored or already present) of the total. */
    onProgress?: (progress: DemoLoadProgress) => void;
  } = {},
): Promise<DemoLoadResult> {
  const ingestion = app.get(IngestEventsService);
  const demo = generateDemo({ seed: options.seed ?? 1 });
  const { publications } = demo;
  const total = publications.length;
  let stored = 0;
  let duplicates = 0;
  for (const window of windows(publications)) {
    const phases = [
      window.filter((p) => p.event.type === 'iom.subject.registered.v1'),
      window.filter((p) => p.event.type === 'iom.subject.identifier-linked.v1'),
      window.filter((p) => !IDENTITY_TYPES.has(p.event.type)),
    ];
    for (const phase of phases) {
      for (const [agency, list] of groupByAgency(phase)) {
        for (let i = 0; i < list.length; i += BATCH) {
          // Between batches the process answers requests (readiness says the demo is loading) and
          // a stopping process lets the batch in hand finish, and no more.
          await new Promise<void>((resolve) => setImmediate(resolve));
          options.signal?.throwIfAborted();
          const batch = list.slice(i, i + BATCH).map((p) => p.event);
          const publisher = { id: `${agency}-demo-system`, agency, sources: DEMO_SOURCES[agency] };
          const results = await ingestion.ingest(batch, publisher);
          for (const result of results) {
            if (result.duplicate) duplicates += 1;
            else stored += 1;
          }
          options.onProgress?.({ done: stored + duplicates, total, stored, duplicates });
        }
      }
    }
  }
  await recordDemoMeetings(app, demo);
  const subjects = publications.filter((p) => p.event.type === 'iom.subject.registered.v1').length;
  return { subjects, stored, duplicates };
}

/** The platform's own source, as the chair's decisions are recorded through the API and pages. */
const PLATFORM = 'urn:throughline:platform';

/** A stored id the same every load, so a record is named alike wherever the demo is loaded. */
const idOf = (seed: string): string => {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

/**
 * The meetings the chair recorded, and the decisions only the platform records, appended as the
 * platform appends them (agency systems cannot publish them). Once: a log whose meetings stream
 * already exists has them.
 */
export async function recordDemoMeetings(app: INestApplicationContext, demo: DemoPartnership): Promise<void> {
  const events = app.get(EventStore);
  const meta = (
    id: string,
    time: string,
    agency: string,
    publishedBy: string,
    subjectRef: string,
  ): EventMeta => ({
    agency,
    source: PLATFORM,
    ceId: id,
    time,
    subjectRef,
    publishedBy,
    category: 'cohort',
  });
  const meetings = demo.meetings.flatMap((meeting) => {
    const { meetingId, date, chair, agency, agenciesPresent, cohortClasses } = meeting;
    const opened = idOf(`${meetingId}/opened`);
    const closed = idOf(`${meetingId}/closed`);
    return [
      {
        id: opened,
        type: 'iom.meeting.opened.v1',
        data: { meetingId, date, chair, agenciesPresent, cohortClasses },
        metadata: { ...meta(opened, meeting.openedAt, agency, chair, MEETINGS_STREAM) },
      },
      {
        id: closed,
        type: 'iom.meeting.closed.v1',
        data: { meetingId, closedBy: chair },
        metadata: { ...meta(closed, meeting.closedAt, agency, chair, MEETINGS_STREAM) },
      },
    ];
  });
  if (meetings.length === 0) return;
  try {
    await events.append(MEETINGS_STREAM, meetings, 'no_stream');
  } catch (error) {
    if (error instanceof WrongExpectedRevisionError) return;
    throw error;
  }
  const identities = app.get(IdentityIndex);
  await identities.catchUp();
  for (const [index, record] of demo.platformRecords.entries()) {
    const reference = parseSubjectReference(record.subject, record.agency);
    const subjectId = !reference.ok
      ? undefined
      : reference.value.kind === 'partnership-id'
        ? reference.value.id
        : identities.resolve(reference.value.identifier);
    if (subjectId === undefined) continue;
    const id = idOf(`${record.subject}/${record.time}/${index}`);
    await events.append(
      subjectStream(subjectId),
      [
        {
          id,
          type: record.type,
          data: record.data,
          metadata: {
            ...meta(id, record.time, record.agency, record.publishedBy, subjectId),
            category: CATALOGUE[record.type].category,
          },
        },
      ],
      'stream_exists',
    );
  }
}

function* windows(publications: readonly DemoPublication[]): Generator<DemoPublication[]> {
  let current: DemoPublication[] = [];
  let windowEnd = Number.NEGATIVE_INFINITY;
  for (const publication of publications) {
    const at = Date.parse(publication.event.time);
    if (at >= windowEnd && current.length > 0) {
      yield current;
      current = [];
    }
    if (current.length === 0) windowEnd = at + WINDOW_DAYS * 86_400_000;
    current.push(publication);
  }
  if (current.length > 0) yield current;
}

function groupByAgency(
  publications: readonly DemoPublication[],
): Map<DemoPublication['agency'], DemoPublication[]> {
  const groups = new Map<DemoPublication['agency'], DemoPublication[]>();
  for (const publication of publications) {
    const group = groups.get(publication.agency);
    if (group) group.push(publication);
    else groups.set(publication.agency, [publication]);
  }
  return groups;
}

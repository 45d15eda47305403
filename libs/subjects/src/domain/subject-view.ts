import {
  addToTimeline,
  amends,
  LONG_AGO,
  type PublishedEvent,
  type TimelineEntry,
  timelineOf,
  utcInstant,
  withdrawn,
} from '@throughline/domain';
import {
  type Agreement,
  changesSharing,
  emptySharingState,
  evolveSharing,
  type SharingEngine,
  sharingEngine,
  type SharingState,
  timeZoneOf,
} from '@throughline/sharing';
import { emptyRecord, evolveRecord, type SubjectRecord } from './subject-record';

// The corrected timeline is the catalogue's rule, decided once for every reader of a subject's events.
export { type TimelineEntry, timelineOf };

/**
 * What the agreement lets one agency see of each timeline entry, whatever the purpose (the widest
 * cut), aligned with the timeline: 0 hidden, 1 every field, or the permitted field names.
 */
export type EntryCut = 0 | 1 | readonly string[];

/** Everything projected about one subject: the corrected timeline, the sharing state and each agency's cut. */
export interface SubjectDoc {
  readonly subjectId: string;
  readonly revision: number;
  readonly agreementVersion: string | null;
  readonly timeline: readonly TimelineEntry[];
  readonly sharing: SharingState;
  /** Keyed by agency; only agencies that may see something of the subject have an entry. */
  readonly views: Readonly<Record<string, readonly EntryCut[]>>;
  /**
   * For a person known by more than one record (merged): each record's own document, the
   * surviving record first. The document itself is then the person's, folded from all of them.
   */
  readonly records?: readonly SubjectDoc[];
}

/**
 * A subject's document as the projection folds it. Cuts follow ordinary events one entry at a
 * time; an event that changes every cut (a sharing change, a correction, a redaction, a new
 * agreement) leaves `views` null instead, and `settleViews` works them out from the timeline once,
 * when the document is next written. A burst of such events then costs one recompute, and a
 * rebuild, which writes once at the end, works out each subject's cuts once.
 */
export type FoldedSubjectDoc = Omit<SubjectDoc, 'views'> & { readonly views: SubjectDoc['views'] | null };

/**
 * A subject's document as kept in the read-model store: everything but the timeline. The timeline
 * is the subject's stream in the log, folded by `timelineOf`, so keeping it again would double
 * every write of the projection for nothing.
 */
export type StoredSubjectDoc = Omit<SubjectDoc, 'timeline'>;

export const storedSubjectDoc = (doc: SubjectDoc): StoredSubjectDoc => ({
  subjectId: doc.subjectId,
  revision: doc.revision,
  agreementVersion: doc.agreementVersion,
  sharing: doc.sharing,
  views: doc.views,
});

/** The fields of an entry a cut permits, or null when it hides the entry. */
export const fieldsOfCut = (
  cut: EntryCut | undefined,
  entry: Pick<PublishedEvent, 'data'>,
): readonly string[] | null =>
  cut === undefined || cut === 0 ? null : cut === 1 ? Object.keys(entry.data) : cut;

/** Keeps only the permitted fields of an event's data. */
export function cutEvent<E extends Pick<PublishedEvent, 'data'>>(event: E, fields: readonly string[]): E {
  const data = event.data as unknown as Record<string, unknown>;
  if (fields.length === Object.keys(data).length) return event;
  return {
    ...event,
    data: Object.fromEntries(fields.filter((field) => field in data).map((field) => [field, data[field]])),
  };
}

/**
 * Entries in the order things happened: by event `time`, ties (and times no reader can place) by
 * log position. A backdated event, recorded after newer ones, takes its place in history here
 * instead of overriding what the newer ones say. Returns a sorted copy.
 */
export function inEventTime<E extends Pick<PublishedEvent, 'meta' | 'position'>>(entries: readonly E[]): E[] {
  const keyed = entries.map((entry) => ({ entry, at: utcInstant(entry.meta.time) ?? LONG_AGO }));
  keyed.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.entry.position - b.entry.position));
  return keyed.map(({ entry }) => entry);
}

/**
 * Folds the record from entries as cut for a reader, in event-time order (`inEventTime`), so the
 * record is the same whatever order the events arrived in. Given the record of entries before
 * these in event time, folds on.
 */
export const foldRecord = (
  subjectId: string,
  entries: readonly TimelineEntry[],
  record: SubjectRecord = emptyRecord(subjectId),
): SubjectRecord =>
  inEventTime(entries)
    .filter((entry) => !withdrawn(entry))
    .reduce(evolveRecord, record);

const agenciesOf = (agreement: Agreement | null, timeline: readonly TimelineEntry[]): string[] => [
  ...new Set([...(agreement?.agencies ?? []), ...timeline.map((entry) => entry.meta.agency)]),
];

/**
 * Each agency's cut of one entry, in the document's encoding: the widest cut of the engine that
 * also builds every read's ability, so a read never finds the cut narrower than itself.
 */
function cutsOf(
  engine: SharingEngine,
  sharing: SharingState,
  entry: TimelineEntry,
): (agency: string) => EntryCut {
  const fieldsFor = engine.widestCuts(sharing, entry);
  // A full cut holds every field of the entry (even its publisher may hold none: a restriction).
  const fieldCount = Object.keys(entry.data as unknown as Record<string, unknown>).length;
  return (agency) => {
    const fields = fieldsFor(agency);
    return !fields ? 0 : fields.length === fieldCount ? 1 : fields;
  };
}

/** Recomputes every agency's cut from the timeline: after a sharing change, a correction or a new agreement. */
export function recomputeViews(
  doc: Omit<SubjectDoc, 'views' | 'agreementVersion'>,
  agreement: Agreement | null,
): SubjectDoc {
  const agencies = agenciesOf(agreement, doc.timeline);
  const cuts = agencies.map(() => [] as EntryCut[]);
  const engine = sharingEngine(agreement);
  for (const entry of doc.timeline) {
    const cutFor = cutsOf(engine, doc.sharing, entry);
    agencies.forEach((agency, index) => cuts[index]!.push(cutFor(agency)));
  }
  const views: Record<string, EntryCut[]> = {};
  agencies.forEach((agency, index) => {
    if (cuts[index]!.some((cut) => cut !== 0)) views[agency] = cuts[index]!;
  });
  return {
    subjectId: doc.subjectId,
    revision: doc.revision,
    timeline: doc.timeline,
    sharing: doc.sharing,
    agreementVersion: agreement?.version ?? null,
    views,
  };
}

/**
 * One person's document from the documents of the records merged into one (the surviving record
 * first): their timelines together in log order, the sharing state folded from them in that order
 * (a consent withdrawn on one record ends the one given on another), and every cut worked out
 * again. It carries the survivor's id and revision; each record's own is in `records`.
 */
export function personDoc(records: readonly SubjectDoc[], agreement: Agreement | null): SubjectDoc {
  const [survivor] = records;
  if (!survivor) throw new Error('a person has at least one record');
  const timeline = records.flatMap((record) => record.timeline).sort((a, b) => a.position - b.position);
  const timeZone = timeZoneOf(agreement);
  const sharing = timeline.reduce(
    (state, entry) => (changesSharing(entry.type) ? evolveSharing(state, entry, timeZone) : state),
    emptySharingState(),
  );
  return {
    ...recomputeViews(
      { subjectId: survivor.subjectId, revision: survivor.revision, timeline, sharing },
      agreement,
    ),
    records,
  };
}

/** The document with every cut worked out under the agreement in force. */
export const settleViews = (doc: FoldedSubjectDoc, agreement: Agreement | null): SubjectDoc =>
  isSettled(doc) ? doc : recomputeViews(doc, agreement);

const isSettled = (doc: FoldedSubjectDoc): doc is SubjectDoc => doc.views !== null;

/** The document with its cuts left to `settleViews`: after a new agreement. */
export const staleViews = (doc: FoldedSubjectDoc): FoldedSubjectDoc => ({ ...doc, views: null });

/**
 * Folds an event into the subject's document. An ordinary event extends each agency's cut by one
 * entry; an event that changes sharing (consent, safeguarding, break-glass) or rewrites the past
 * (correction, redaction) leaves every cut of this subject to `settleViews`, as does the first.
 *
 * The document is taken over, not copied: the runtime hands each evolve a document parsed for
 * this batch alone, and copying a whole timeline per event would make a rebuild quadratic.
 */
export function evolveSubjectDoc(
  doc: FoldedSubjectDoc | null,
  event: PublishedEvent,
  agreement: Agreement | null,
): FoldedSubjectDoc {
  const timeline = (doc?.timeline ?? []) as TimelineEntry[];
  addToTimeline(timeline, event);
  const sharing = evolveSharing(doc?.sharing ?? emptySharingState(), event, timeZoneOf(agreement));
  const views = doc?.views as Record<string, EntryCut[]> | null | undefined;
  const stale = !views || changesSharing(event.type) || event.type.startsWith('iom.record.');
  if (!stale) {
    const cutFor = cutsOf(sharingEngine(agreement), sharing, event);
    for (const agency in views) views[agency]!.push(cutFor(agency));
    // An agency that could see nothing of the subject until now starts its view with this entry.
    const start = (agency: string): void => {
      if (agency in views) return;
      const cut = cutFor(agency);
      if (cut !== 0) views[agency] = [...new Array<EntryCut>(timeline.length - 1).fill(0), cut];
    };
    for (const agency of agreement?.agencies ?? []) start(agency);
    start(event.meta.agency);
  }
  return {
    subjectId: event.subjectId,
    revision: event.revision,
    timeline,
    sharing,
    agreementVersion: doc?.agreementVersion ?? null,
    views: stale ? null : views,
  };
}

/** An event folding threw on, in a subject's whole stream (see `refoldSubjectDoc`). */
export class SubjectFoldError extends Error {
  constructor(
    readonly event: PublishedEvent,
    readonly reason: unknown,
  ) {
    super(reason instanceof Error ? reason.message : String(reason));
  }
}

/**
 * What the later events of a stream make of an event: 'redacted' when one redacts it, the event
 * with the replacements of those correcting it applied, or undefined when none touches it.
 */
function amendedByLater(
  event: PublishedEvent,
  later: readonly PublishedEvent[],
): PublishedEvent | 'redacted' | undefined {
  let amended: PublishedEvent | undefined;
  for (const next of later) {
    if (next.type !== 'iom.record.corrected.v1' && next.type !== 'iom.record.redacted.v1') continue;
    if (!amends(event, next, next.data.targetEventId, next.data.targetSource)) continue;
    if (next.type === 'iom.record.redacted.v1') return 'redacted';
    const base = amended ?? event;
    amended = { ...base, data: { ...base.data, ...next.data.replacement } } as PublishedEvent;
  }
  return amended;
}

/** Adds an event to the timeline for its place alone: no data, no change to sharing, cuts left to settle. */
function evolveWithoutData(doc: FoldedSubjectDoc | null, event: PublishedEvent): FoldedSubjectDoc {
  const timeline = (doc?.timeline ?? []) as TimelineEntry[];
  timeline.push({ ...event, data: {} } as TimelineEntry);
  return {
    subjectId: event.subjectId,
    revision: event.revision,
    timeline,
    sharing: doc?.sharing ?? emptySharingState(),
    agreementVersion: doc?.agreementVersion ?? null,
    views: null,
  };
}

/**
 * A subject's document folded from its whole stream, for a subject whose fold threw or whose
 * stored document does not match its stream. An event folding throws on is folded as the rest of
 * the stream leaves it, when it does: redacted, as an entry with no data that changes nothing
 * else; corrected, with the replacements applied. So the agency that published a bad event can
 * repair the subject with the ordinary correction or redaction. Any other throw is a
 * SubjectFoldError naming the event.
 *
 * An event that folds is folded as it stands, as the projection folds it, so a subject that never
 * threw folds here to what the projection wrote.
 */
export function refoldSubjectDoc(
  events: readonly PublishedEvent[],
  agreement: Agreement | null,
): FoldedSubjectDoc | null {
  const amended = new Map<PublishedEvent, PublishedEvent | 'redacted'>();
  // Evolve takes the document over, so after a throw the fold starts again from nothing.
  for (;;) {
    let doc: FoldedSubjectDoc | null = null;
    let index = 0;
    try {
      for (; index < events.length; index += 1) {
        const event = events[index]!;
        const amendment = amended.get(event);
        doc =
          amendment === 'redacted'
            ? evolveWithoutData(doc, event)
            : evolveSubjectDoc(doc, amendment ?? event, agreement);
      }
      return doc;
    } catch (error) {
      const event = events[index]!;
      const amendment = amended.has(event) ? undefined : amendedByLater(event, events.slice(index + 1));
      if (amendment === undefined) throw new SubjectFoldError(event, error);
      amended.set(event, amendment);
    }
  }
}

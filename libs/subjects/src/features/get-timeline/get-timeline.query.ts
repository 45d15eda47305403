import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ProblemException } from '@throughline/platform';
import type { DisclosedEntry } from '../../domain/disclose';
import {
  ANY_ENTRY,
  parseTimelineFilter,
  type TimelineFilter,
  type TimelineFilterParams,
} from '../../domain/timeline-filter';
import { type Audited, AuditedRead, type Reader } from '../audited-read/audited-read';
import { subjectDisclosure } from '../disclosure-record';
import { subjectHeldBack, subjectNotFound } from '../purpose-of-use';
import { SubjectReader } from '../read-subject/subject-reader';
import { pageOfTimeline, summarizeTimeline, type TimelineSummary } from './timeline-page';

/** A page of one subject's timeline as the reader may see it, newest first by event time. */
export class GetTimelineQuery {
  constructor(
    readonly reader: Reader,
    readonly subjectId: string,
    /** Continue after the entry at this log position (the previous page's `nextBefore`). */
    readonly before: number | undefined,
    readonly limit: number,
    /** Only the entries of this category, publishing agency and type (each where given). */
    readonly filter: TimelineFilter = ANY_ENTRY,
    /** Also answer what the reader may filter by and how many entries match (the pages ask). */
    readonly summarize = false,
  ) {}
}

/** The timeline filter of a request, for the API and the pages alike: a value that names nothing is a 400. */
export function requireTimelineFilter(params: TimelineFilterParams): TimelineFilter {
  const parsed = parseTimelineFilter(params);
  if (parsed.ok) return parsed.filter;
  throw new ProblemException(
    400,
    'invalid-query',
    'Invalid timeline filter',
    parsed.faults.map((fault) => fault.message).join('; '),
    {
      errors: parsed.faults.map((fault) => ({
        field: fault.field,
        constraint: 'timeline-filter',
        message: fault.message,
      })),
    },
  );
}

export interface TimelineItem {
  readonly id: string;
  readonly position: number;
  readonly type: string;
  readonly category: string;
  readonly agency: string;
  readonly source: string;
  /** When it happened: the timeline is ordered by it. */
  readonly time: string;
  /** When the log recorded it, where known; later than `time` for an event recorded after the fact. */
  readonly recordedAt?: string;
  readonly data: unknown;
  readonly corrected?: { at: string };
  readonly redacted?: { at: string };
  /** Its data was erased (`data` is then empty): the erasure itself is an entry of the timeline. */
  readonly erased?: { at: string };
}

export interface TimelinePage {
  readonly subjectId: string;
  readonly items: readonly TimelineItem[];
  /** Pass as `before` for the next (older) page; null at the end. */
  readonly nextBefore: number | null;
  /** The entries served, with the reason each was disclosed. */
  readonly disclosed: readonly DisclosedEntry[];
  /** Asked for with `summarize`: the values the reader may filter by and the count matching. */
  readonly summary?: TimelineSummary;
}

export const toTimelineItem = ({ entry }: DisclosedEntry): TimelineItem => ({
  id: entry.meta.ceId,
  position: entry.position,
  type: entry.type,
  category: entry.meta.category,
  agency: entry.meta.agency,
  source: entry.meta.source,
  time: entry.meta.time,
  ...(entry.recordedAt ? { recordedAt: entry.recordedAt } : {}),
  data: entry.data,
  ...(entry.correctedBy ? { corrected: { at: entry.correctedBy.at } } : {}),
  ...(entry.redactedBy ? { redacted: { at: entry.redactedBy.at } } : {}),
  ...(entry.erasedBy ? { erased: { at: entry.erasedBy.at } } : {}),
});

@QueryHandler(GetTimelineQuery)
export class GetTimelineHandler implements IQueryHandler<GetTimelineQuery, Audited<TimelinePage>> {
  constructor(
    private readonly subjects: SubjectReader,
    private readonly audited: AuditedRead,
  ) {}

  execute({
    reader,
    subjectId,
    before,
    limit,
    filter,
    summarize,
  }: GetTimelineQuery): Promise<Audited<TimelinePage>> {
    const { principal, purpose } = reader;
    return this.audited.run(reader, 'subject.timeline', 'subjects', async () => {
      const read = await this.subjects.readCut(principal, subjectId, purpose);
      if (!read) throw subjectNotFound();
      const [page, summary] = await Promise.all([
        pageOfTimeline(read.doc, principal.agency, read.policy, before, limit, filter),
        summarize ? summarizeTimeline(read.doc, principal.agency, read.policy, filter) : undefined,
      ]).catch(() => {
        // Stored data no check foresaw: this subject alone is held back, as in a whole read.
        throw subjectHeldBack();
      });
      if (!page.any) throw subjectNotFound();
      const last = page.entries[page.entries.length - 1];
      return {
        result: {
          // A record merged into another answers with the person's surviving record.
          subjectId: read.doc.subjectId,
          items: page.entries.map(toTimelineItem),
          nextBefore: page.more && last ? last.entry.position : null,
          disclosed: page.entries,
          ...(summary ? { summary } : {}),
        },
        subjects: [subjectDisclosure(read.doc.subjectId, page.entries)],
        agreementVersion: read.agreementVersion,
      };
    });
  }
}

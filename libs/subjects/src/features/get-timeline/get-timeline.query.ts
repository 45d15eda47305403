import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { DisclosedEntry } from '../../domain/disclose';
import { type Audited, AuditedRead, type Reader } from '../audited-read/audited-read';
import { subjectDisclosure } from '../disclosure-record';
import { subjectHeldBack, subjectNotFound } from '../purpose-of-use';
import { SubjectReader } from '../read-subject/subject-reader';
import { pageOfTimeline } from './timeline-page';

/** A page of one subject's timeline as the reader may see it, newest first by event time. */
export class GetTimelineQuery {
  constructor(
    readonly reader: Reader,
    readonly subjectId: string,
    /** Continue after the entry at this log position (the previous page's `nextBefore`). */
    readonly before: number | undefined,
    readonly limit: number,
  ) {}
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

  execute({ reader, subjectId, before, limit }: GetTimelineQuery): Promise<Audited<TimelinePage>> {
    const { principal, purpose } = reader;
    return this.audited.run(reader, 'subject.timeline', 'subjects', async () => {
      const read = await this.subjects.readCut(principal, subjectId, purpose);
      if (!read) throw subjectNotFound();
      const page = await pageOfTimeline(read.doc, principal.agency, read.policy, before, limit).catch(() => {
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
        },
        subjects: [subjectDisclosure(read.doc.subjectId, page.entries)],
        agreementVersion: read.agreementVersion,
      };
    });
  }
}

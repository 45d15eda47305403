import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Principal } from '@throughline/auth';
import type { PurposeOfUse } from '@throughline/domain';
import { subjectNotFound } from '../purpose-of-use';
import type { DisclosedEntry } from '../../domain/disclose';
import { SubjectReader } from '../read-subject/subject-reader';

export class GetTimelineQuery {
  constructor(
    readonly principal: Principal,
    readonly subjectId: string,
    readonly purpose: PurposeOfUse,
    /** Only entries older than this log position (the previous page's `nextBefore`). */
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
  readonly time: string;
  readonly data: unknown;
  readonly corrected?: { at: string };
  readonly redacted?: { at: string };
}

export interface TimelinePage {
  readonly subjectId: string;
  readonly items: readonly TimelineItem[];
  /** Pass as `before` for the next (older) page; null at the end. */
  readonly nextBefore: number | null;
  /** The entries served, with the reason each was disclosed (for the audit record). */
  readonly disclosed: readonly DisclosedEntry[];
  readonly agreementVersion: string | null;
}

export const toTimelineItem = ({ entry }: DisclosedEntry): TimelineItem => ({
  id: entry.meta.ceId,
  position: entry.position,
  type: entry.type,
  category: entry.meta.category,
  agency: entry.meta.agency,
  source: entry.meta.source,
  time: entry.meta.time,
  data: entry.data,
  ...(entry.correctedBy ? { corrected: { at: entry.correctedBy.at } } : {}),
  ...(entry.redactedBy ? { redacted: { at: entry.redactedBy.at } } : {}),
});

@QueryHandler(GetTimelineQuery)
export class GetTimelineHandler implements IQueryHandler<GetTimelineQuery, TimelinePage> {
  constructor(private readonly reader: SubjectReader) {}

  async execute({ principal, subjectId, purpose, before, limit }: GetTimelineQuery): Promise<TimelinePage> {
    const subject = await this.reader.read(principal, subjectId, purpose);
    if (!subject) throw subjectNotFound();
    const newestFirst = subject.entries
      .filter(({ entry }) => before === undefined || entry.position < before)
      .sort((a, b) => b.entry.position - a.entry.position);
    const page = newestFirst.slice(0, limit);
    const last = page[page.length - 1];
    return {
      subjectId,
      items: page.map(toTimelineItem),
      nextBefore: newestFirst.length > limit && last ? last.entry.position : null,
      disclosed: page,
      agreementVersion: subject.agreementVersion,
    };
  }
}

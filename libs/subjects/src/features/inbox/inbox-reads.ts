import { Injectable } from '@nestjs/common';
import type { Principal } from '@throughline/auth';
import { ReadModelStore } from '@throughline/projections';

/** Where each person's read marks are kept, beside the projections in the read-model store. */
export const INBOX_READS = 'inbox-reads';

/** One notification a person has opened or marked read, and when they first did. */
export interface ReadMark {
  readonly eventId: string;
  readonly readAt: string;
}

/** A person's marks share the prefix `<agency>/<user>/`; the user id is escaped, so none spans two. */
const prefixOf = (principal: Principal): string =>
  `${encodeURIComponent(principal.agency)}/${encodeURIComponent(principal.id)}/`;

/**
 * Read and unread, per person. One row per person and notification in the read-model store that
 * every API process shares (SQLite file or PostgreSQL), so a mark made through one process is seen
 * by all, and two processes marking the same notification at once write the same row: nothing
 * is lost to a read-modify-write of a shared document (decision 0033).
 */
@Injectable()
export class InboxReads {
  constructor(private readonly readModels: ReadModelStore) {}

  /** The event ids the person has read. */
  async marked(principal: Principal): Promise<Set<string>> {
    const marks = await this.readModels.list<ReadMark>(INBOX_READS, prefixOf(principal));
    return new Set(marks.map((mark) => mark.eventId));
  }

  /**
   * Marks one notification read; a second mark keeps the first time. The store's commit takes a
   * position for its checkpoint row: the notification's own, which says nothing but is harmless.
   */
  async mark(principal: Principal, eventId: string, position: number, at: Date): Promise<ReadMark> {
    const key = `${prefixOf(principal)}${eventId}`;
    const known = await this.readModels.get<ReadMark>(INBOX_READS, key);
    if (known) return known;
    const mark: ReadMark = { eventId, readAt: at.toISOString() };
    await this.readModels.commit(INBOX_READS, new Map([[key, mark]]), position);
    return mark;
  }
}

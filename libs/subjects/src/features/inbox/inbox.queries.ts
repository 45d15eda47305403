import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { RoleGate } from '@throughline/auth';
import { ProblemException } from '@throughline/platform';
import { type InboxPage, type Notification, type PagedNotifications, pageOf } from '../../domain/inbox';
import { type Audited, AuditedRead, type Reader } from '../audited-read/audited-read';
import { inboxDisclosure, InboxReader } from './inbox-reader';
import { InboxReads } from './inbox-reads';

export class ListInboxQuery {
  constructor(
    readonly reader: Reader,
    readonly page: InboxPage,
  ) {}
}

export interface InboxList extends PagedNotifications {
  /** People on the caseload left out because their record is held back pending repair. */
  readonly heldBack: number;
  /** The log position the list is as of: the live feed from here sends only what came after. */
  readonly asOf: number;
}

/**
 * A page of the reader's notifications, newest first. The page names people and what happened to
 * them, so it is a disclosure like a page of the subject list: one record naming each subject on
 * it, with the events shown and their fields (and the name, where shown).
 */
@QueryHandler(ListInboxQuery)
export class ListInboxHandler implements IQueryHandler<ListInboxQuery, Audited<InboxList>> {
  constructor(
    private readonly inbox: InboxReader,
    private readonly audited: AuditedRead,
  ) {}

  execute({ reader, page }: ListInboxQuery): Promise<Audited<InboxList>> {
    return this.audited.run(reader, 'inbox.list', 'subjects', async () => {
      const asOf = await this.inbox.applied();
      const contents = await this.inbox.contents(reader.principal, reader.purpose, new Date());
      const paged = pageOf(
        contents.items.map((item) => item.notification),
        page,
      );
      const shown = new Set(paged.notifications);
      return {
        result: { ...paged, heldBack: contents.heldBack, asOf },
        subjects: inboxDisclosure(contents.items.filter((item) => shown.has(item.notification))),
        agreementVersion: contents.agreementVersion,
      };
    });
  }
}

export class ReadNotificationQuery {
  constructor(
    readonly reader: Reader,
    readonly eventId: string,
  ) {}
}

/** The same answer whether there is no such event or it is not in the reader's inbox. */
export const notificationNotFound = (): ProblemException =>
  new ProblemException(
    404,
    'notification-not-found',
    'Notification not found',
    'No notification with this id is in your inbox',
  );

/**
 * Opening one notification (its detail, or marking it read): a disclosure of that one event about
 * that one subject, recorded through the audited read, and the reader's mark written once the
 * record is durable.
 */
@QueryHandler(ReadNotificationQuery)
export class ReadNotificationHandler implements IQueryHandler<ReadNotificationQuery, Audited<Notification>> {
  constructor(
    private readonly inbox: InboxReader,
    private readonly audited: AuditedRead,
    private readonly reads: InboxReads,
  ) {}

  async execute({ reader, eventId }: ReadNotificationQuery): Promise<Audited<Notification>> {
    const now = new Date();
    const opened = await this.audited.run(reader, 'inbox.read', 'subjects', async () => {
      const contents = await this.inbox.contents(reader.principal, reader.purpose, now);
      const item = contents.items.find(({ notification }) => notification.eventId === eventId);
      if (!item) throw notificationNotFound();
      return {
        result: item.notification,
        subjects: inboxDisclosure([item]),
        agreementVersion: contents.agreementVersion,
      };
    });
    await this.reads.mark(reader.principal, eventId, opened.result.position, now);
    return { ...opened, result: { ...opened.result, read: true } };
  }
}

export class CountUnreadQuery {
  constructor(readonly reader: Reader) {}
}

/**
 * How many of the reader's notifications are unread: a number, naming no one and nothing that
 * happened, so it is not a disclosure and writes no record. The role rule still decides who may
 * ask: a role that reads no subjects for the purpose has no inbox.
 */
@QueryHandler(CountUnreadQuery)
export class CountUnreadHandler implements IQueryHandler<CountUnreadQuery, number> {
  constructor(
    private readonly inbox: InboxReader,
    private readonly roles: RoleGate,
  ) {}

  async execute({ reader }: CountUnreadQuery): Promise<number> {
    await this.roles.require(reader.principal, 'subjects', reader.purpose);
    const contents = await this.inbox.contents(reader.principal, reader.purpose, new Date());
    return contents.items.filter(({ notification }) => !notification.read).length;
  }
}

import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ALERT_KINDS, subjectIdOfStream } from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { Observable, type Subscriber } from 'rxjs';
import type { Notification } from '../../domain/inbox';
import { AuditedRead, type Reader } from '../audited-read/audited-read';
import { inboxDisclosure, InboxReader } from './inbox-reader';
import { InboxReads } from './inbox-reads';

/** What the live feed sends: a notification as it arrives, and the unread count whenever it changes. */
export type InboxSignal =
  | { readonly type: 'notification'; readonly position: number; readonly notification: Notification }
  | { readonly type: 'unread'; readonly position: number; readonly unread: number };

const ALERTING_TYPES = Object.keys(ALERT_KINDS);
/** Alerting events read from the log at a time while a stretch is looked through. */
const LOG_PAGE = 1_000;

interface Watcher {
  readonly reader: Reader;
  readonly subscriber: Subscriber<InboxSignal>;
  /** The log position up to which this watcher has been told everything. */
  told: number;
  /** How many read marks the person had at the last look: a mark made elsewhere changes the count. */
  marks: number;
  unread: number;
}

/**
 * The live inbox. It follows the log as the projections have applied it (the lower of the
 * subject-views and caseloads checkpoints, one indexed row each in the read-model store every
 * process shares), never an in-memory bus: an event ingested by another process reaches a reader
 * here once the projections, wherever they run, have applied it. One poll serves every watcher of
 * the process; when the checkpoint moves, the alerting events of the stretch name the subjects to
 * look at, and each watcher's inbox is read over that stretch alone, cut for that reader, and
 * recorded as a disclosure before anything is pushed.
 */
@Injectable()
export class InboxFeed implements OnModuleDestroy {
  /** How often the checkpoints are looked at while anyone watches. */
  static pollMs = 500;

  private readonly logger = new Logger(InboxFeed.name);
  private readonly watchers = new Set<Watcher>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private applied = 0;

  constructor(
    private readonly inbox: InboxReader,
    private readonly audited: AuditedRead,
    private readonly reads: InboxReads,
    private readonly events: EventStore,
  ) {}

  /**
   * The reader's live feed: the unread count at once, then each notification as the projections
   * apply it and the count after. `from` (a position the reader was told up to, as an event
   * stream's Last-Event-ID gives it) sends what arrived since first.
   */
  watch(reader: Reader, from?: number): Observable<InboxSignal> {
    return new Observable<InboxSignal>((subscriber) => {
      const watcher: Watcher = { reader, subscriber, told: 0, marks: 0, unread: 0 };
      let stopped = false;
      void this.start(watcher, from).then(
        () => {
          if (stopped || subscriber.closed) return;
          this.watchers.add(watcher);
          this.schedule();
        },
        (error: unknown) => subscriber.error(error),
      );
      return () => {
        stopped = true;
        this.watchers.delete(watcher);
      };
    });
  }

  onModuleDestroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Open streams end, so the server's drain is not held by readers who never hang up.
    for (const watcher of this.watchers) watcher.subscriber.complete();
    this.watchers.clear();
  }

  private async start(watcher: Watcher, from: number | undefined): Promise<void> {
    const applied = await this.inbox.applied();
    this.applied = Math.max(this.applied, applied);
    watcher.told = from === undefined ? applied : Math.min(from, applied);
    if (watcher.told < applied) await this.tell(watcher, applied);
    await this.count(watcher, applied, true);
  }

  private schedule(): void {
    if (this.timer || this.watchers.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.ticking ??= this.tick().finally(() => {
        this.ticking = null;
        this.schedule();
      });
    }, InboxFeed.pollMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      const applied = await this.inbox.applied();
      const moved = applied > this.applied ? await this.subjectsTouched(this.applied, applied) : null;
      if (applied > this.applied) this.applied = applied;
      for (const watcher of this.watchers) {
        try {
          if (moved && moved.size > 0 && watcher.told < applied) await this.tell(watcher, applied, moved);
          else watcher.told = Math.max(watcher.told, applied);
          await this.count(watcher, applied, false);
        } catch (error) {
          this.watchers.delete(watcher);
          watcher.subscriber.error(error);
        }
      }
    } catch (error) {
      // The store is busy or down: the next tick tries again; nothing is pushed meanwhile.
      this.logger.warn(
        `Inbox feed could not look at the log: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** The subjects of the alerting events in a stretch of the log. */
  private async subjectsTouched(after: number, upTo: number): Promise<Set<string>> {
    const subjects = new Set<string>();
    for (let from = after; from < upTo;) {
      const page = await this.events.readAll({ after: from, maxCount: LOG_PAGE, types: ALERTING_TYPES });
      for (const recorded of page) {
        if (recorded.position > upTo) return subjects;
        const subjectId = subjectIdOfStream(recorded.streamId);
        if (subjectId) subjects.add(subjectId);
      }
      const last = page[page.length - 1];
      if (page.length < LOG_PAGE || !last) break;
      from = last.position;
    }
    return subjects;
  }

  /** Pushes the watcher's notifications of the stretch since it was last told, once recorded. */
  private async tell(watcher: Watcher, upTo: number, subjects?: ReadonlySet<string>): Promise<void> {
    const { reader } = watcher;
    const after = watcher.told;
    const contents = await this.inbox.contents(reader.principal, reader.purpose, new Date(), {
      ...(subjects ? { subjects } : {}),
      after,
      upTo,
    });
    // A stretch with nothing for this reader pushes nothing and so records nothing.
    if (contents.items.length === 0) {
      watcher.told = upTo;
      return;
    }
    // Worked out first, served only through the audited read: the role rule, then the record.
    const pushed = await this.audited.run(reader, 'inbox.push', 'subjects', async () => ({
      result: contents.items,
      subjects: inboxDisclosure(contents.items),
      agreementVersion: contents.agreementVersion,
    }));
    watcher.told = upTo;
    const items = [...pushed.result].sort((a, b) => a.notification.position - b.notification.position);
    for (const { notification } of items)
      watcher.subscriber.next({ type: 'notification', position: notification.position, notification });
    await this.count(watcher, upTo, true);
  }

  /** Sends the unread count when it may have changed: new notifications, or marks made anywhere. */
  private async count(watcher: Watcher, position: number, force: boolean): Promise<void> {
    const marks = (await this.reads.marked(watcher.reader.principal)).size;
    if (!force && marks === watcher.marks) return;
    watcher.marks = marks;
    const { reader } = watcher;
    const contents = await this.inbox.contents(reader.principal, reader.purpose, new Date());
    const unread = contents.items.filter(({ notification }) => !notification.read).length;
    if (!force && unread === watcher.unread) return;
    watcher.unread = unread;
    watcher.subscriber.next({ type: 'unread', position, unread });
  }
}

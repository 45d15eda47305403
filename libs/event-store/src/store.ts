import { EventEmitter } from 'node:events';
import type {
  AppendRequest,
  AppendResult,
  EventStoreBackend,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
} from './event-store';
import { Mutex } from '@throughline/platform';
import { RecentEvents } from './recent-events';

export interface SubscribeOptions {
  /** The last position already processed (the checkpoint); 0 to start from the beginning. */
  readonly after: number;
  /** Called with consecutive batches in global order; the next batch waits for the promise. */
  readonly onEvents: (events: readonly RecordedEvent[]) => Promise<void>;
  /** Called each time the subscription reaches the head of the log. */
  readonly onCaughtUp?: (position: number) => void;
  readonly onError?: (error: unknown) => void;
  readonly batchSize?: number;
  /** How often to look for events written by other processes once live. */
  readonly pollIntervalMs?: number;
  /**
   * Once live, a pause after each handled batch of four times what handling it took, up to this
   * long: appends that arrive meanwhile are gathered into the next batch. Costly batches (a burst)
   * are spaced out; cheap ones (a trickle) are hardly held back, and a quiet log's first append is
   * delivered at once.
   */
  readonly maxBatchPauseMs?: number;
  /**
   * Only while events arrive at least this fast (those of the batch just handled, over the time
   * since the batch before it began) does a batch earn that pause (default 0: always). A slower
   * stream comes a few events to a batch, each about its own subject: holding them back would
   * gather no more work per document rewritten, only delay what waits for them.
   */
  readonly pauseFromEventsPerSecond?: number;
}

export interface Subscription {
  /** Resolves the first time the subscription has caught up with the head of the log. */
  readonly caughtUp: Promise<void>;
  /** Stops after the batch in hand; resolves when the handler is no longer running. */
  stop(): Promise<void>;
}

/** At most this many events are kept for the subscriptions to share. */
const RECENT_EVENTS = 10_000;

/** Waits `ms`; `onStart` is handed the function that ends the wait early. */
function sleep(ms: number, onStart: (end: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    onStart(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * The event log. Backends implement the storage operations; the catch-up subscription is shared:
 * it pages through `readAll` from a checkpoint, then waits for local appends (or polls for other
 * processes' appends) once it reaches the head.
 */
export abstract class EventStore {
  abstract readonly backend: EventStoreBackend;
  protected readonly appended = new EventEmitter();
  /** What the subscriptions read last, shared between them (see `readPage`). */
  private readonly recent = new RecentEvents(RECENT_EVENTS);
  /** One subscription's page at a time, so that one arriving while another reads takes its events. */
  private readonly reading = new Mutex();
  /** How many times the shared recent events were forgotten (see `forgetRecentEvents`). */
  private forgotten = 0;

  constructor() {
    this.appended.setMaxListeners(0);
  }

  append(
    streamId: string,
    events: readonly EventToAppend[],
    expectedRevision: ExpectedRevision = 'any',
  ): Promise<AppendResult> {
    return this.appendMany([{ streamId, expectedRevision, events }]).then((results) => results[0]!);
  }

  /**
   * Appends to several streams. On SQLite and PostgreSQL this is one transaction: all or nothing.
   * KurrentDB has no multi-stream transaction: every request is checked before any is written, then
   * the streams are written in order, so a call cut short may leave its first streams written, and
   * sending it again completes it (decision 0020).
   */
  abstract appendMany(requests: readonly AppendRequest[]): Promise<AppendResult[]>;

  abstract readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  abstract readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;

  /** The events stored under these ids; `streamId` narrows the search where the backend needs it. */
  abstract findByIds(ids: readonly string[], streamId?: string): Promise<RecordedEvent[]>;

  /**
   * The events stored under these ids, each looked for only in the stream it is listed under, in
   * log order. One lookup per stream here, since a backend may search only by stream (EventStoreDB);
   * backends that can search the whole log override this with `findInOneLookup`.
   */
  async findByIdsInStreams(idsByStream: ReadonlyMap<string, readonly string[]>): Promise<RecordedEvent[]> {
    const found = await Promise.all([...idsByStream].map(([streamId, ids]) => this.findByIds(ids, streamId)));
    return found.flat().sort((a, b) => a.position - b.position);
  }

  /** The revision of the stream's last event, -1 when the stream does not exist. */
  abstract streamRevision(streamId: string): Promise<number>;

  /** The position of the last event in the log, 0 when empty. */
  abstract headPosition(): Promise<number>;

  abstract close(): Promise<void>;

  subscribeToAll(options: SubscribeOptions): Subscription {
    const batchSize = options.batchSize ?? 1000;
    const pollIntervalMs = options.pollIntervalMs ?? 250;
    let stopped = false;
    // Set by an append that lands while a batch is being read or handled, so the loop reads again at once.
    let pending = false;
    let wake: (() => void) | undefined;
    const onAppend = (): void => {
      pending = true;
      wake?.();
    };
    this.appended.on('appended', onAppend);

    let markCaughtUp!: () => void;
    const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));

    // Ends the pause between batches early, only when the subscription stops.
    let endPause: (() => void) | undefined;
    let quietUntil = 0;

    const loop = async (): Promise<void> => {
      let position = options.after;
      let previousStart = Number.NEGATIVE_INFINITY;
      while (!stopped) {
        const rest = quietUntil - Date.now();
        if (rest > 0) {
          await sleep(rest, (end) => (endPause = end));
          endPause = undefined;
          if (stopped) break;
        }
        pending = false;
        try {
          const events = await this.readPage(position, batchSize);
          if (events.length > 0) {
            const handling = Date.now();
            const perSecond = (events.length * 1000) / Math.max(1, handling - previousStart);
            previousStart = handling;
            await options.onEvents(events);
            position = events[events.length - 1]!.position;
            if (events.length === batchSize) continue;
            const took = Date.now() - handling;
            if (perSecond >= (options.pauseFromEventsPerSecond ?? 0)) {
              quietUntil = Date.now() + Math.min(options.maxBatchPauseMs ?? 0, 4 * took);
            }
          }
          options.onCaughtUp?.(position);
          markCaughtUp();
        } catch (error) {
          options.onError?.(error);
          pending = false; // a failing read or handler waits a full interval before it retries
        }
        if (stopped) break;
        if (pending) {
          pending = false;
          continue;
        }
        await sleep(pollIntervalMs, (end) => (wake = end));
        wake = undefined;
      }
    };
    const running = loop();
    return {
      caughtUp,
      stop: async () => {
        stopped = true;
        this.appended.off('appended', onAppend);
        wake?.();
        endPause?.();
        await running;
      },
    };
  }

  /**
   * A page of the log for a subscription: what the store's subscriptions read last is taken from
   * memory (see RecentEvents), and only the rest is read from the log, so projections that keep
   * pace with each other read and parse each event once between them.
   */
  private readPage(after: number, maxCount: number): Promise<readonly RecordedEvent[]> {
    return this.reading.run(async () => {
      const held = this.recent.take(after, maxCount) ?? [];
      if (held.length === maxCount) return held;
      const from = held.length > 0 ? held[held.length - 1]!.position : after;
      const forgotten = this.forgotten;
      const read = await this.readAll({ after: from, maxCount: maxCount - held.length });
      if (held.length > 0 && forgotten !== this.forgotten) {
        // The read met an erasure: what was held may no longer read as it did, so the page is read
        // again whole from the log.
        const whole = await this.readAll({ after, maxCount });
        this.recent.add(after, whole);
        return whole;
      }
      this.recent.add(from, read);
      return held.length === 0 ? read : [...held, ...read];
    });
  }

  /** `findByIdsInStreams` as one search of the whole log, keeping what was found where it was looked for. */
  protected async findInOneLookup(
    idsByStream: ReadonlyMap<string, readonly string[]>,
  ): Promise<RecordedEvent[]> {
    const streamsOf = new Map<string, Set<string>>();
    for (const [streamId, ids] of idsByStream) {
      for (const id of ids) streamsOf.set(id, (streamsOf.get(id) ?? new Set()).add(streamId));
    }
    if (streamsOf.size === 0) return [];
    const found = await this.findByIds([...streamsOf.keys()]);
    return found.filter((event) => streamsOf.get(event.id)?.has(event.streamId));
  }

  /**
   * Forgets the events the subscriptions shared: called when some of them may no longer read as they
   * did (their key was destroyed), so none is handed out again from memory.
   */
  protected forgetRecentEvents(): void {
    this.recent.clear();
    this.forgotten += 1;
  }

  /** Calls `listener` after each append through this instance commits; returns the unsubscribe. */
  onAppended(listener: () => void): () => void {
    this.appended.on('appended', listener);
    return () => this.appended.off('appended', listener);
  }

  /**
   * Another connection to the same log (another thread of this process) has appended: wakes this
   * instance's subscriptions now rather than at their next poll.
   */
  appendedElsewhere(): void {
    this.notifyAppended();
  }

  /** Backends call this after a successful commit so local subscribers wake at once. */
  protected notifyAppended(): void {
    this.appended.emit('appended');
  }
}

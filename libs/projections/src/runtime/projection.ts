import { type EventMeta, isEventType, type PublishedEvent, subjectIdOfStream } from '@throughline/domain';
import type { EventStore, RecordedEvent } from '@throughline/event-store';

/**
 * A projection folds events into documents: `keys` names the documents a subject event touches and
 * `evolve` computes each one's next state (null deletes it). Both are pure.
 *
 * Partnership-wide events (such as a new sharing agreement) reach `observe`; when it answers true,
 * every document is passed through `refresh`, so exactly the documents that exist are recomputed.
 *
 * `evolve` may leave costly work to `settle`, which completes a document before it is written (a
 * live batch, or a whole rebuild, settles each document once) and whose result is folded on.
 *
 * A document may keep less than it folds when the rest can be read back from the log: `stored`
 * gives what is written, and `load` makes a stored document whole again before it is folded.
 *
 * Any of these may throw on data no check foresaw. The runner then quarantines that key alone (see
 * `QuarantineBook`) and goes on. With `keyStream`, a quarantined key, or one whose stored document
 * will not load, is folded again from its stream when the next event reaches it (by `refold`, or
 * `evolve` over each event), and let out when that succeeds.
 */
export interface Projection<Doc = unknown, Stored = Doc> {
  readonly name: string;
  keys(event: PublishedEvent): readonly string[];
  evolve(doc: Doc | null, event: PublishedEvent, key: string): Doc | null;
  observe?(event: RecordedEvent): boolean;
  refresh?(doc: Doc, key: string): Doc | null;
  settle?(doc: Doc): Doc;
  /** Restores partnership-wide state as it stood at `position`, before resuming from there. */
  prepare?(events: EventStore, position: number): Promise<void>;
  stored?(doc: Doc): Stored;
  load?(stored: Stored, key: string, events: EventStore): Promise<Doc>;
  /** The stream holding every event that reaches the key. */
  keyStream?(key: string): string;
  /** Folds a key's events from nothing; may throw FoldFailure to name the event at fault. */
  refold?(key: string, events: readonly PublishedEvent[]): Doc | null;
}

/** The typed view of a stored event, or undefined for events that are not subject facts. */
export function toPublishedEvent(recorded: RecordedEvent): PublishedEvent | undefined {
  const subjectId = subjectIdOfStream(recorded.streamId);
  if (!subjectId || !isEventType(recorded.type)) return undefined;
  return {
    type: recorded.type,
    data: recorded.data,
    id: recorded.id,
    subjectId,
    position: recorded.position,
    revision: recorded.revision,
    meta: recorded.metadata as unknown as EventMeta,
  } as PublishedEvent;
}

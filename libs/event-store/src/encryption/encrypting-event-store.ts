import { subjectIdOfStream } from '@throughline/domain';
import type {
  AppendRequest,
  AppendResult,
  EventToAppend,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
} from '../event-store';
import { EventStore } from '../store';
import { isSealed, lazilyOpened, open, seal } from './data-cipher';
import type { DataKey, DataKeyScope, SubjectKeyStore } from './subject-key-store';

/**
 * The metadata flag of an event read back whose key was destroyed: its `data` reads as `{}`, as if
 * cut to no field, and the erasure event after it in the stream says who erased it and why.
 */
export const ERASED_METADATA = 'erased';

/** The metadata field naming the keys an append destroyed (see `AppendRequest.destroyKeys`). */
export const DESTROYED_KEYS_METADATA = 'destroyedKeys';

/**
 * How long a process trusts a key it has read without asking the key store again: a key destroyed by
 * another process stops opening here within this time, or at once when a read meets the append that
 * destroyed it.
 */
const KEY_TRUST_MS = 30_000;

interface HeldKey {
  readonly key: Buffer | undefined;
  readonly until: number;
}

/**
 * The event log with the `data` of subjects' events sealed (AES-256-GCM) under a key per subject,
 * publishing agency and category held in a SubjectKeyStore, for every backend alike. Appends seal,
 * reads open; what a destroyed key sealed reads as `{}` with the metadata flag `erased`.
 * Events stored in the clear before encryption read as they are.
 */
export class EncryptingEventStore extends EventStore {
  readonly backend;
  private readonly scopes = new Map<string, DataKey>();
  private readonly keys = new Map<string, HeldKey>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly inner: EventStore,
    private readonly keyStore: SubjectKeyStore,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.backend = inner.backend;
    this.unsubscribe = inner.onAppended(() => this.notifyAppended());
  }

  async appendMany(requests: readonly AppendRequest[]): Promise<AppendResult[]> {
    await this.fetchMissingKeys(requests);
    const sealed: AppendRequest[] = [];
    for (const request of requests) {
      const events: EventToAppend[] = [];
      for (const { destroyKeys, ...event } of request.events) {
        if (destroyKeys) {
          const destroyed = await this.keyStore.destroy(
            request.streamId,
            destroyKeys.agency,
            destroyKeys.categories,
          );
          this.forget(destroyed);
          // The record of an erasure outlives the keys it destroys, so it is stored in the clear.
          events.push({ ...event, metadata: { ...event.metadata, [DESTROYED_KEYS_METADATA]: destroyed } });
          continue;
        }
        const scope = scopeOf(request.streamId, event.metadata);
        if (!scope) {
          events.push(event);
          continue;
        }
        const key = await this.liveKey(scope);
        events.push({ ...event, data: seal(event.data, key.id, key.key, event.id) });
      }
      sealed.push({ ...request, events });
    }
    return this.inner.appendMany(sealed);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.openAll(await this.inner.readStream(streamId, options));
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.openAll(await this.inner.readAll(options));
  }

  async findByIds(ids: readonly string[], streamId?: string): Promise<RecordedEvent[]> {
    return this.openAll(await this.inner.findByIds(ids, streamId));
  }

  override async findByIdsInStreams(
    idsByStream: ReadonlyMap<string, readonly string[]>,
  ): Promise<RecordedEvent[]> {
    return this.openAll(await this.inner.findByIdsInStreams(idsByStream));
  }

  streamRevision(streamId: string): Promise<number> {
    return this.inner.streamRevision(streamId);
  }

  headPosition(): Promise<number> {
    return this.inner.headPosition();
  }

  override appendedElsewhere(): void {
    this.inner.appendedElsewhere();
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.inner.close();
    await this.keyStore.close();
  }

  /** The live key of the scope, held and trusted, or undefined. */
  private heldKey(scope: DataKeyScope): DataKey | undefined {
    const held = this.scopes.get(scopeName(scope));
    const trusted = held && this.keys.get(held.id);
    return held && trusted?.key && trusted.until > this.now() ? held : undefined;
  }

  /**
   * Fetches (or makes) every key the call will seal under that is not held, in one call to the key
   * store: a batch about many new subjects costs one commit of keys, not one per subject.
   */
  private async fetchMissingKeys(requests: readonly AppendRequest[]): Promise<void> {
    const missing = new Map<string, DataKeyScope>();
    for (const request of requests) {
      for (const event of request.events) {
        const scope = event.destroyKeys ? undefined : scopeOf(request.streamId, event.metadata);
        if (scope && !this.heldKey(scope)) missing.set(scopeName(scope), scope);
      }
    }
    if (missing.size === 0) return;
    const scopes = [...missing.values()];
    const keys = await this.keyStore.getOrCreate(scopes);
    scopes.forEach((scope, index) => this.hold(scope, keys[index]!));
  }

  private hold(scope: DataKeyScope, key: DataKey): void {
    this.scopes.set(scopeName(scope), key);
    this.keys.set(key.id, { key: key.key, until: this.now() + KEY_TRUST_MS });
  }

  private async liveKey(scope: DataKeyScope): Promise<DataKey> {
    const held = this.heldKey(scope);
    if (held) return held;
    // Only when an erasure earlier in the same call destroyed the key the call began with.
    const [key] = await this.keyStore.getOrCreate([scope]);
    this.hold(scope, key!);
    return key!;
  }

  private forget(ids: readonly string[]): void {
    const forever = Number.POSITIVE_INFINITY;
    const fresh = ids.filter((id) => this.keys.get(id)?.until !== forever);
    if (fresh.length === 0) return;
    for (const id of fresh) this.keys.set(id, { key: undefined, until: forever });
    this.forgetRecentEvents();
    for (const [name, key] of this.scopes) if (fresh.includes(key.id)) this.scopes.delete(name);
  }

  private async keyOf(id: string): Promise<Buffer | undefined> {
    const held = this.keys.get(id);
    if (held && held.until > this.now()) return held.key;
    const key = await this.keyStore.get(id);
    // A destroyed key never comes back, so its absence is kept for good.
    this.keys.set(id, { key, until: key ? this.now() + KEY_TRUST_MS : Number.POSITIVE_INFINITY });
    return key;
  }

  private async openAll(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    // An erasure met in this read is known before any event of the read is opened.
    for (const event of events) {
      const destroyed = event.metadata[DESTROYED_KEYS_METADATA];
      if (Array.isArray(destroyed)) this.forget(destroyed.filter((id) => typeof id === 'string'));
    }
    const opened: RecordedEvent[] = new Array<RecordedEvent>(events.length);
    for (const [index, event] of events.entries()) {
      if (!isSealed(event.data)) {
        opened[index] = event;
        continue;
      }
      const id = event.data.$sealed.k;
      const held = this.keys.get(id);
      // Held and trusted, the key is used without a wait: this runs for every event a rebuild reads.
      const key = held && held.until > this.now() ? held.key : await this.keyOf(id);
      const sealed = event.data;
      const fields = sealed.$sealed.f;
      opened[index] = key
        ? new OpenedEvent(
            event,
            fields ? lazilyOpened(fields, () => open(sealed, key, event.id)) : open(sealed, key, event.id),
            event.metadata,
          )
        : new OpenedEvent(event, {}, { ...event.metadata, [ERASED_METADATA]: true });
    }
    return opened;
  }
}

/**
 * A stored event with its data opened. Built field by field, since a backend's event may keep some
 * fields behind getters (SQLite makes `recordedAt` only when asked), which a spread would drop.
 */
class OpenedEvent implements RecordedEvent {
  readonly id: string;
  readonly type: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;

  constructor(
    private readonly stored: RecordedEvent,
    readonly data: unknown,
    readonly metadata: RecordedEvent['metadata'],
  ) {
    this.id = stored.id;
    this.type = stored.type;
    this.streamId = stored.streamId;
    this.revision = stored.revision;
    this.position = stored.position;
  }

  get recordedAt(): Date {
    return this.stored.recordedAt;
  }
}

const scopeName = (scope: DataKeyScope): string =>
  `${scope.subject}\u0000${scope.agency}\u0000${scope.category}`;

/** The key scope of an event: subjects' events that name their publishing agency and category. */
function scopeOf(streamId: string, metadata: Readonly<Record<string, unknown>>): DataKeyScope | undefined {
  if (subjectIdOfStream(streamId) === undefined) return undefined;
  const { agency, category } = metadata;
  if (typeof agency !== 'string' || typeof category !== 'string') return undefined;
  return { subject: streamId, agency, category };
}

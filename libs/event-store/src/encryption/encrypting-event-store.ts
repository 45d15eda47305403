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
import { isSealed, lazilyOpened, open, type SealedData, seal } from './data-cipher';
import type { DataKey, DataKeyScope, SubjectKeyStore } from './subject-key-store';

/**
 * The metadata flag of an event read back whose key was destroyed: its `data` reads as `{}`, as if
 * cut to no field, and the erasure event after it in the stream says who erased it and why.
 */
export const ERASED_METADATA = 'erased';

/** The metadata field naming the keys an append destroyed (see `AppendRequest.destroyKeys`). */
export const DESTROYED_KEYS_METADATA = 'destroyedKeys';

/** Where an erasure names the agency and categories whose keys it destroys. */
type Destruction = NonNullable<EventToAppend['destroyKeys']>;

/**
 * The event log with the `data` of subjects' events sealed (AES-256-GCM) under a key per subject,
 * publishing agency and category held in a SubjectKeyStore, for every backend alike. Appends seal,
 * reads open; what a destroyed key sealed reads as `{}` with the metadata flag `erased`.
 * Events stored in the clear before encryption read as they are.
 *
 * The keys read are held by id for as long as the process runs, and every read and append first asks
 * the key store which keys were destroyed since it last asked (one indexed read of its numbered
 * erasures): a key another process destroyed is never used here again once that process's erasure
 * has committed (decision 0030).
 */
export class EncryptingEventStore extends EventStore {
  readonly backend;
  /** The live key of each scope this process has sealed under. */
  private readonly scopes = new Map<string, DataKey>();
  /** Keys by id; null for a key destroyed (or never made), which never comes back. */
  private readonly keys = new Map<string, Buffer | null>();
  /** The key store's erasure mark as last read; undefined until the first read. */
  private mark: number | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly inner: EventStore,
    private readonly keyStore: SubjectKeyStore,
  ) {
    super();
    this.backend = inner.backend;
    this.unsubscribe = inner.onAppended(() => this.notifyAppended());
  }

  async appendMany(requests: readonly AppendRequest[]): Promise<AppendResult[]> {
    await this.learnErasures();
    // The scope of every event, named once: this runs for every event ingestion stores.
    const scopes = requests.map((request) =>
      request.events.map((event) =>
        event.destroyKeys ? undefined : scopeOf(request.streamId, event.metadata),
      ),
    );
    await this.fetchMissingKeys(scopes);
    const sealed: AppendRequest[] = [];
    for (const [r, request] of requests.entries()) {
      const events: EventToAppend[] = [];
      for (const [e, { destroyKeys, ...event }] of request.events.entries()) {
        if (destroyKeys) {
          const destroyed = await this.destroy(request.streamId, destroyKeys);
          // The record of an erasure outlives the keys it destroys, so it is stored in the clear.
          events.push({ ...event, metadata: { ...event.metadata, [DESTROYED_KEYS_METADATA]: destroyed } });
          continue;
        }
        const scope = scopes[r]![e];
        if (!scope) {
          events.push(event);
          continue;
        }
        const key = this.scopes.get(scope.name) ?? (await this.liveKey(scope));
        events.push({ ...event, data: seal(event.data, key.id, key.key, event.id) });
      }
      sealed.push({ ...request, events });
    }
    return this.inner.appendMany(sealed);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.openAll(this.inner.readStream(streamId, options));
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.openAll(this.inner.readAll(options));
  }

  async findByIds(ids: readonly string[], streamId?: string): Promise<RecordedEvent[]> {
    return this.openAll(this.inner.findByIds(ids, streamId));
  }

  override async findByIdsInStreams(
    idsByStream: ReadonlyMap<string, readonly string[]>,
  ): Promise<RecordedEvent[]> {
    return this.openAll(this.inner.findByIdsInStreams(idsByStream));
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

  /** Forgets the keys destroyed (by any process) since the last time this process asked. */
  private async learnErasures(): Promise<void> {
    const { mark, ids } = await this.keyStore.erasedSince(this.mark);
    this.forget(ids);
    // Two reads asking at once may answer out of order: the mark only moves forward.
    this.mark = Math.max(mark, this.mark ?? 0);
  }

  /**
   * Fetches (or is given) every key the call will seal under that is not held, in one call to the
   * key store: a batch about many new subjects costs one write of keys, not one per subject.
   */
  private async fetchMissingKeys(scopes: readonly (readonly (NamedScope | undefined)[])[]): Promise<void> {
    const missing = new Map<string, NamedScope>();
    for (const ofRequest of scopes) {
      for (const scope of ofRequest)
        if (scope && !this.scopes.has(scope.name)) missing.set(scope.name, scope);
    }
    if (missing.size === 0) return;
    const wanted = [...missing.values()];
    const keys = await this.keyStore.getOrCreate(wanted);
    wanted.forEach((scope, index) => this.hold(scope, keys[index]!));
  }

  private hold(scope: NamedScope, key: DataKey): void {
    this.scopes.set(scope.name, key);
    this.keys.set(key.id, key.key);
  }

  /** Only when an erasure earlier in the same call destroyed the key the call began with. */
  private async liveKey(scope: NamedScope): Promise<DataKey> {
    const [key] = await this.keyStore.getOrCreate([scope]);
    this.hold(scope, key!);
    return key!;
  }

  /**
   * Destroys the keys of the agency's data (of the categories named, or all) about the subject: the
   * live keys of those scopes, and every key the stream's events of that data name, so that a key
   * whose giving a crash lost is destroyed too.
   */
  private async destroy(streamId: string, { agency, categories }: Destruction): Promise<string[]> {
    const named = new Set<string>();
    for (const event of await this.inner.readStream(streamId)) {
      const { metadata } = event;
      if (
        isSealed(event.data) &&
        metadata.agency === agency &&
        (categories === undefined || categories.includes(metadata.category as string))
      ) {
        named.add(event.data.$sealed.k);
      }
    }
    const destroyed = await this.keyStore.destroy(streamId, agency, categories, [...named]);
    this.forget(destroyed);
    return destroyed;
  }

  private forget(ids: readonly string[]): void {
    const fresh = ids.filter((id) => this.keys.get(id) !== null);
    if (fresh.length === 0) return;
    for (const id of fresh) this.keys.set(id, null);
    this.forgetRecentEvents();
    const gone = new Set(fresh);
    for (const [name, key] of this.scopes) if (gone.has(key.id)) this.scopes.delete(name);
  }

  private async openAll(reading: Promise<RecordedEvent[]>): Promise<RecordedEvent[]> {
    // Asked as the read starts: every erasure committed before it is known before anything is opened.
    const [events] = await Promise.all([reading, this.learnErasures()]);
    // So is an erasure met in this read.
    for (const event of events) {
      const destroyed = event.metadata[DESTROYED_KEYS_METADATA];
      if (Array.isArray(destroyed)) this.forget(destroyed.filter((id) => typeof id === 'string'));
    }
    const opened: RecordedEvent[] = new Array<RecordedEvent>(events.length);
    // The events whose key this process does not hold yet: their keys are fetched in one read.
    let waiting: number[] | undefined;
    for (let index = 0; index < events.length; index += 1) {
      const event = events[index]!;
      if (!isSealed(event.data)) opened[index] = event;
      else if (this.keys.has(event.data.$sealed.k)) opened[index] = this.opened(event, event.data);
      else (waiting ??= []).push(index);
    }
    if (!waiting) return opened;
    const wanted = [...new Set(waiting.map((index) => (events[index]!.data as SealedData).$sealed.k))];
    const found = await this.keyStore.getMany(wanted);
    // A destroyed key never comes back, so its absence is kept for good.
    for (const id of wanted) if (!this.keys.has(id)) this.keys.set(id, found.get(id) ?? null);
    for (const index of waiting) {
      const event = events[index]!;
      opened[index] = this.opened(event, event.data as SealedData);
    }
    return opened;
  }

  /** The event with its data opened lazily, or read as erased when its key is gone. */
  private opened(event: RecordedEvent, sealed: SealedData): RecordedEvent {
    const key = this.keys.get(sealed.$sealed.k);
    if (!key) return new OpenedEvent(event, {}, { ...event.metadata, [ERASED_METADATA]: true });
    const fields = sealed.$sealed.f;
    return new OpenedEvent(
      event,
      fields ? lazilyOpened(fields, sealed, key, event.id) : open(sealed, key, event.id),
      event.metadata,
    );
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

/** A key scope with the one string that names it in the maps above. */
interface NamedScope extends DataKeyScope {
  readonly name: string;
}

/** The key scope of an event: subjects' events that name their publishing agency and category. */
function scopeOf(streamId: string, metadata: Readonly<Record<string, unknown>>): NamedScope | undefined {
  if (subjectIdOfStream(streamId) === undefined) return undefined;
  const { agency, category } = metadata;
  if (typeof agency !== 'string' || typeof category !== 'string') return undefined;
  return { subject: streamId, agency, category, name: `${streamId}\u0000${agency}\u0000${category}` };
}

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
import { isSealed, lazilyOpened, newDataKeys, open, type SealedData, seal } from './data-cipher';
import type { DataKey, DataKeyScope, Resealed, SubjectKeyStore } from './subject-key-store';

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
    // Events a redaction later in the call destroys are sealed under a key no store ever holds.
    const redactedHere = new Set(
      requests.flatMap((request) => request.events.flatMap((event) => event.destroyDataOf ?? [])),
    );
    const sealed: AppendRequest[] = [];
    for (const [r, request] of requests.entries()) {
      const events: EventToAppend[] = [];
      for (const [e, { destroyKeys, destroyDataOf, ...given }] of request.events.entries()) {
        let event: EventToAppend = given;
        if (destroyDataOf) {
          const destroyed = await this.redact(request.streamId, destroyDataOf);
          if (destroyed.length > 0)
            event = { ...event, metadata: { ...event.metadata, [DESTROYED_KEYS_METADATA]: destroyed } };
        }
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
        const key = redactedHere.has(event.id)
          ? newDataKeys(1)[0]!
          : (this.scopes.get(scope.name) ?? (await this.liveKey(scope)));
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
    for (const { event, sealed } of await this.sealedNow(streamId)) {
      const { metadata } = event;
      if (metadata.agency !== agency) continue;
      if (categories !== undefined && !categories.includes(metadata.category as string)) continue;
      // The key the log names, and the key of what a redaction kept of it, sealed again.
      named.add((event.data as SealedData).$sealed.k).add(sealed.$sealed.k);
    }
    const destroyed = await this.keyStore.destroy(streamId, agency, categories, [...named]);
    this.forget(destroyed);
    return destroyed;
  }

  /**
   * Destroys the keys that sealed these events' data (as it now stands: what an earlier redaction
   * kept, or the log's), keeping in the key store the other events those keys sealed, sealed again
   * under a new key (decision 0035). Returns the ids destroyed.
   */
  private async redact(streamId: string, ids: readonly string[]): Promise<string[]> {
    const current = new Map(
      (await this.sealedNow(streamId)).map(({ event, sealed }) => [event.id, sealed] as const),
    );
    const doomed = new Set(ids);
    const keyIds = new Set<string>();
    for (const [id, data] of current) if (doomed.has(id)) keyIds.add(data.$sealed.k);
    if (keyIds.size === 0) return [];
    const staying = [...current].filter(([id, data]) => !doomed.has(id) && keyIds.has(data.$sealed.k));
    await this.holdKeys(keyIds);
    const destroyed = await this.keyStore.redact([...keyIds], (key): Resealed[] =>
      staying.flatMap(([eventId, data]) => {
        const old = this.keys.get(data.$sealed.k);
        // Under a key destroyed already, there is nothing left to keep.
        if (!old) return [];
        return [{ eventId, sealed: seal(open(data, old, eventId), key.id, key.key, eventId) }];
      }),
    );
    this.forget(destroyed);
    return destroyed;
  }

  /** The stream's sealed events, each with its data as it now stands: what a redaction kept, or the log's. */
  private async sealedNow(streamId: string): Promise<{ event: RecordedEvent; sealed: SealedData }[]> {
    const sealed = (await this.inner.readStream(streamId)).filter((event) => isSealed(event.data));
    const kept = await this.keyStore.resealedOf(sealed.map((event) => event.id));
    return sealed.map((event) => ({ event, sealed: kept.get(event.id) ?? (event.data as SealedData) }));
  }

  /** Fetches the keys of these ids this process does not hold, in one read. */
  private async holdKeys(ids: Iterable<string>): Promise<void> {
    const wanted = [...new Set(ids)].filter((id) => !this.keys.has(id));
    if (wanted.length === 0) return;
    const found = await this.keyStore.getMany(wanted);
    // A destroyed key never comes back, so its absence is kept for good.
    for (const id of wanted) if (!this.keys.has(id)) this.keys.set(id, found.get(id) ?? null);
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
    // The events whose key is destroyed: a redaction may have kept their data, sealed again.
    let destroyed: number[] | undefined;
    for (let index = 0; index < events.length; index += 1) {
      const event = events[index]!;
      if (!isSealed(event.data)) {
        opened[index] = event;
        continue;
      }
      const key = this.keys.get(event.data.$sealed.k);
      if (key) opened[index] = this.opened(event, event.data);
      else if (key === null) (destroyed ??= []).push(index);
      else (waiting ??= []).push(index);
    }
    if (waiting) {
      await this.holdKeys(waiting.map((index) => (events[index]!.data as SealedData).$sealed.k));
      for (const index of waiting) {
        const event = events[index]!;
        const sealed = event.data as SealedData;
        if (this.keys.get(sealed.$sealed.k)) opened[index] = this.opened(event, sealed);
        else (destroyed ??= []).push(index);
      }
    }
    if (destroyed) {
      const kept = await this.keyStore.resealedOf(destroyed.map((index) => events[index]!.id));
      await this.holdKeys([...kept.values()].map((sealed) => sealed.$sealed.k));
      for (const index of destroyed) {
        const event = events[index]!;
        opened[index] = this.opened(event, kept.get(event.id) ?? (event.data as SealedData));
      }
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

import { Injectable } from '@nestjs/common';
import {
  formatIdentifier,
  IDENTITY_EVENT_TYPES,
  identifiersLinkedByStored,
  identifierUnlinkedBy,
  RecordMerges,
  type SubjectIdentifier,
  subjectIdOfStream,
} from '@throughline/domain';
import { EventStore, type RecordedEvent } from '@throughline/event-store';

const IDENTITY_TYPES = new Set(IDENTITY_EVENT_TYPES);

/**
 * Resolves `scheme:value` identifiers to partnership ids, and knows which records are merged. It is a projection of the identity
 * events kept in memory: built from the log at start, updated by this process's own appends,
 * and caught up from the log on a miss (another process may have registered the subject).
 */
@Injectable()
export class IdentityIndex {
  private readonly byIdentifier = new Map<string, string>();
  private readonly identifiersBySubject = new Map<string, Set<string>>();
  /**
   * Subjects by each date of birth their registration, or a correction of an event of theirs, gave:
   * candidates for a search by name and date of birth, which checks them against the record.
   */
  private readonly byBirthDate = new Map<string, Set<string>>();
  private readonly subjects = new Set<string>();
  /** Which records are merged into which (see `RecordMerges`). */
  readonly merges = new RecordMerges();
  private position = 0;

  constructor(private readonly store: EventStore) {}

  resolve(identifier: SubjectIdentifier): string | undefined {
    return this.byIdentifier.get(formatIdentifier(identifier));
  }

  /** Every `scheme:value` identifier linked to the subject, in the order they were linked. */
  identifiersOf(subjectId: string): readonly string[] {
    return [...(this.identifiersBySubject.get(subjectId) ?? [])];
  }

  /** Subjects that may have been born on `date`; a search confirms each against their record. */
  bornOn(date: string): readonly string[] {
    return [...(this.byBirthDate.get(date) ?? [])];
  }

  /** Subjects sharing a date of birth, a group per date: where a person registered twice is looked for. */
  sharedBirthDates(): readonly (readonly string[])[] {
    return [...this.byBirthDate.values()].filter((born) => born.size > 1).map((born) => [...born]);
  }

  /** Every subject with the identifiers linked to them. */
  allIdentifiers(): ReadonlyMap<string, readonly string[]> {
    return new Map([...this.identifiersBySubject].map(([subjectId, linked]) => [subjectId, [...linked]]));
  }

  hasSubject(subjectId: string): boolean {
    return this.subjects.has(subjectId);
  }

  get size(): number {
    return this.subjects.size;
  }

  /**
   * Every record of the person a record belongs to, as the log holds them now: the surviving
   * record first, then those merged into it (the record alone when it stands alone).
   */
  async recordsOf(subjectId: string): Promise<readonly string[]> {
    await this.catchUp();
    return this.merges.recordsOf(subjectId);
  }

  /** Reads what the log holds beyond what the index has seen. */
  async catchUp(): Promise<void> {
    for (;;) {
      const events = await this.store.readAll({ after: this.position, maxCount: 5000 });
      for (const event of events) this.apply(event);
      if (events.length < 5000) return;
    }
  }

  apply(event: Pick<RecordedEvent, 'type' | 'streamId' | 'data' | 'metadata' | 'position'>): void {
    if (event.position > this.position) this.position = event.position;
    const birth = (event.data as { dateOfBirth?: unknown; replacement?: { dateOfBirth?: unknown } })
      ?.replacement?.dateOfBirth;
    if (event.type === 'iom.record.corrected.v1' && typeof birth === 'string') {
      const corrected = subjectIdOfStream(event.streamId);
      if (corrected) this.bornOnAlso(corrected, birth);
    }
    if (!IDENTITY_TYPES.has(event.type)) return;
    const subjectId = subjectIdOfStream(event.streamId);
    if (!subjectId) return;
    this.subjects.add(subjectId);
    const data = (event.data ?? {}) as { dateOfBirth?: unknown };
    if (typeof data.dateOfBirth === 'string') this.bornOnAlso(subjectId, data.dateOfBirth);
    this.change(subjectId, event);
  }

  /**
   * Records an identity event this process just appended to the subject's stream (its position
   * may be behind): what it links, unlinks, merges or parts.
   */
  change(subjectId: string, event: Pick<RecordedEvent, 'type' | 'data' | 'metadata'>): void {
    this.subjects.add(subjectId);
    this.linkAll(
      subjectId,
      identifiersLinkedByStored(event).map((linked) => linked.identifier),
    );
    const agency = (event.metadata as { agency?: unknown } | null)?.agency;
    const unlinked = identifierUnlinkedBy(event.type, event.data, typeof agency === 'string' ? agency : '');
    if (unlinked) this.unlink(subjectId, unlinked);
    this.merges.apply(event.type, event.data, subjectId);
  }

  private linkAll(subjectId: string, identifiers: readonly SubjectIdentifier[]): void {
    const linked = this.identifiersBySubject.get(subjectId) ?? new Set<string>();
    for (const identifier of identifiers) {
      const formatted = formatIdentifier(identifier);
      this.byIdentifier.set(formatted, subjectId);
      linked.add(formatted);
    }
    this.identifiersBySubject.set(subjectId, linked);
  }

  private unlink(subjectId: string, identifier: SubjectIdentifier): void {
    const formatted = formatIdentifier(identifier);
    if (this.byIdentifier.get(formatted) === subjectId) this.byIdentifier.delete(formatted);
    this.identifiersBySubject.get(subjectId)?.delete(formatted);
  }

  private bornOnAlso(subjectId: string, date: string): void {
    const born = this.byBirthDate.get(date) ?? new Set<string>();
    born.add(subjectId);
    this.byBirthDate.set(date, born);
  }
}

import { Injectable } from '@nestjs/common';
import {
  formatIdentifier,
  parseSubjectReference,
  type SubjectIdentifier,
  subjectIdOfStream,
} from '@throughline/domain';
import { EventStore, type RecordedEvent } from '@throughline/event-store';

const IDENTITY_TYPES = new Set(['iom.subject.registered.v1', 'iom.subject.identifier-linked.v1']);

/**
 * Resolves `scheme:value` identifiers to partnership ids. It is a projection of the identity
 * events kept in memory: built from the log at start, updated by this process's own appends,
 * and caught up from the log on a miss (another process may have registered the subject).
 */
@Injectable()
export class IdentityIndex {
  private readonly byIdentifier = new Map<string, string>();
  private readonly subjects = new Set<string>();
  private position = 0;

  constructor(private readonly store: EventStore) {}

  resolve(identifier: SubjectIdentifier): string | undefined {
    return this.byIdentifier.get(formatIdentifier(identifier));
  }

  hasSubject(subjectId: string): boolean {
    return this.subjects.has(subjectId);
  }

  get size(): number {
    return this.subjects.size;
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
    if (!IDENTITY_TYPES.has(event.type)) return;
    const subjectId = subjectIdOfStream(event.streamId);
    if (!subjectId) return;
    this.subjects.add(subjectId);
    const data = event.data as { identifiers?: SubjectIdentifier[] } & Partial<SubjectIdentifier>;
    const identifiers = [...(data.identifiers ?? [])];
    if (data.scheme && data.value) identifiers.push({ scheme: data.scheme, value: data.value });
    // A registration also links the identifier the agency named the subject by.
    const named =
      typeof event.metadata.subjectRef === 'string'
        ? parseSubjectReference(event.metadata.subjectRef)
        : undefined;
    if (named?.ok && named.value.kind === 'identifier') identifiers.push(named.value.identifier);
    for (const identifier of identifiers) this.byIdentifier.set(formatIdentifier(identifier), subjectId);
  }

  /** Records a registration or link this process just appended (its position may be behind). */
  link(subjectId: string, identifiers: readonly SubjectIdentifier[]): void {
    this.subjects.add(subjectId);
    for (const identifier of identifiers) this.byIdentifier.set(formatIdentifier(identifier), subjectId);
  }
}

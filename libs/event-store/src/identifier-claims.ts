import { formatIdentifier, identifiersLinkedByStored, subjectIdOfStream } from '@throughline/domain';
import type { IdentifierClaim, RecordedEvent } from './event-store';

/**
 * The claims a log would have made had today's identifier forms always held, folded as the identity
 * index folds them: in log order, a later link of an identifier wins, and an identifier that is
 * none of its scheme links nothing. So a store that gains the claims table, or fills it again for
 * new forms, agrees with every index built from its log.
 */
export class ClaimsFromLog {
  private readonly claims = new Map<string, IdentifierClaim>();

  add(event: Pick<RecordedEvent, 'id' | 'type' | 'streamId' | 'data' | 'metadata'>): void {
    const owner = subjectIdOfStream(event.streamId);
    if (!owner) return;
    for (const { identifier } of identifiersLinkedByStored(event)) {
      const formatted = formatIdentifier(identifier);
      this.claims.set(formatted, { identifier: formatted, owner, eventId: event.id });
    }
  }

  get all(): IdentifierClaim[] {
    return [...this.claims.values()];
  }
}

import {
  formatIdentifier,
  identifiersLinkedByStored,
  identifierUnlinkedBy,
  mergeClaimOf,
  recordMergeOf,
  subjectIdOfStream,
} from '@throughline/domain';
import type { IdentifierClaim, RecordedEvent } from './event-store';

/**
 * The claims a log would have made had today's identifier forms always held, folded as the identity
 * index folds them: in log order, a later link of an identifier wins, and an identifier that is
 * none of its scheme links nothing; an unlink or unmerge gives up what its subject held. So a store that gains the claims table, or fills it again for
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
    const agency = (event.metadata as { agency?: unknown } | null)?.agency;
    const unlinked = identifierUnlinkedBy(event.type, event.data, typeof agency === 'string' ? agency : '');
    if (unlinked) this.release(formatIdentifier(unlinked), owner);
    const merge = recordMergeOf(event.type, event.data);
    if (merge?.kind === 'merge') {
      const claim = mergeClaimOf(merge.merged);
      this.claims.set(claim, { identifier: claim, owner, eventId: event.id });
    }
    if (merge?.kind === 'unmerge') this.release(mergeClaimOf(merge.merged), owner);
  }

  private release(identifier: string, owner: string): void {
    if (this.claims.get(identifier)?.owner === owner) this.claims.delete(identifier);
  }

  get all(): IdentifierClaim[] {
    return [...this.claims.values()];
  }
}

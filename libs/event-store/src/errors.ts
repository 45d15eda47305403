import type { ExpectedRevision } from './event-store';

/** The stream was not at the revision the writer expected: someone else wrote first. */
export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's current revision, or -1 when it does not exist. */
    readonly actual: number,
  ) {
    super(`Stream ${streamId}: expected revision ${String(expected)}, actual ${actual}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** One or more event ids were already in the log; nothing from the append was stored. */
export class DuplicateEventError extends Error {
  constructor(readonly eventIds: readonly string[]) {
    super(`Event id already stored: ${eventIds.join(', ')}`);
    this.name = 'DuplicateEventError';
  }
}

/** An identifier the append claims already belongs to another owner; nothing from the append was stored. */
export class IdentifierTakenError extends Error {
  constructor(
    readonly identifier: string,
    readonly owner: string,
  ) {
    super(`Identifier already claimed by ${owner}`);
    this.name = 'IdentifierTakenError';
  }
}

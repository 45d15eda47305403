import { isAlerting, type PublishedEvent } from '@throughline/domain';
import type { Agreement } from './agreement';
import { sharingEngine, type EntryDecision } from './engine';
import { decide } from './policy';
import type { SharingState } from './sharing-state';

/** Who is told is decided for a practitioner managing the case, never for enforcement or tasking. */
export const TOLD_PURPOSE = 'case-management' as const;
/** The reader the rule puts to the engine: the agency as a whole, not one of its people. */
export const TOLD_READER = { id: 'alerts-relay', role: 'alerts' } as const;

/**
 * What the rule knows of the subject: who holds a view of it, its consents and concerns, and the
 * agencies working with the person (their caseload holds them: key worker, referral, adoption or
 * their own publications).
 */
export interface SubjectSharing {
  readonly views: Readonly<Record<string, unknown>>;
  readonly sharing: SharingState;
  /** Each agency whose caseload holds the person, from the log position that put them there. */
  readonly workingWith: readonly { readonly agency: string; readonly since: number }[];
}

export interface ToldInput {
  readonly event: PublishedEvent;
  readonly subject: SubjectSharing;
  readonly agreement: Agreement | null;
  readonly now: Date;
}

/** One agency told of an event, and what of it the engine lets the agency see, with the ground. */
export interface Told {
  readonly agency: string;
  readonly decision: EntryDecision;
}

/** Whether one agency is told of an event, and what of it the engine lets the agency see. */
export type Teller = (event: PublishedEvent) => EntryDecision | null;

/**
 * The rule for one agency and one subject, its policy built once for every event asked of it: an
 * agency is told of an event when the event is of a kind people are alerted to, the agency holds a
 * view of the subject, it was working with the person when the event was recorded (its caseload
 * row's log position is not after the event's, so the answer is the same however late it is
 * asked), and the sharing engine, asked for the agency as a whole for case management with the
 * subject's consents and concerns as they stand at `now`, lets it read the event. An agency the
 * agreement would let read the event but with no part in the person's case is told nothing. The
 * publishing agency is included: the system that published an arrest is not the officer who needs
 * to hear of it.
 */
export function tellerFor(agency: string, { subject, agreement, now }: Omit<ToldInput, 'event'>): Teller {
  const since = subject.workingWith
    .filter((row) => row.agency === agency)
    .reduce((first, row) => Math.min(first, row.since), Number.POSITIVE_INFINITY);
  if (!Object.hasOwn(subject.views, agency) || since === Number.POSITIVE_INFINITY) return () => null;
  const policy = sharingEngine(agreement).readPolicy(
    { kind: 'agency', id: TOLD_READER.id, agency, role: TOLD_READER.role },
    TOLD_PURPOSE,
    subject.sharing,
    now,
  );
  return (event) => (isAlerting(event.type) && since <= event.position ? decide(policy, event) : null);
}

/**
 * Which agencies are told of an event, in agency order (`tellerFor` asked of each agency holding a
 * view): the one rule behind the Kafka alerts and every person's inbox.
 */
export function agenciesTold(input: ToldInput): Told[] {
  if (!isAlerting(input.event.type)) return [];
  return Object.keys(input.subject.views)
    .sort()
    .flatMap((agency) => {
      const decision = tellerFor(agency, input)(input.event);
      return decision ? [{ agency, decision }] : [];
    });
}

/** Whether one agency is told of the event: the same rule, asked of that agency alone. */
export const isTold = (agency: string, input: ToldInput): boolean =>
  tellerFor(agency, input)(input.event) !== null;

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

/**
 * Which agencies are told of an event, in agency order: the one rule behind the Kafka alerts and
 * every person's inbox. An agency is told when the event is of a kind people are alerted to, the
 * agency was working with the person when it was recorded (its caseload row's log position is not
 * after the event's, so the answer is the same however late it is asked), it holds a view of the
 * subject, and the sharing engine, asked for the agency as a whole for case management with the
 * subject's consents and concerns as they stand, lets it read the event. An agency the agreement
 * would let read the event but with no part in the person's case is told nothing. The publishing
 * agency is included: the system that published an arrest is not the officer who needs to hear it.
 */
export function agenciesTold({ event, subject, agreement, now }: ToldInput): Told[] {
  if (!isAlerting(event.type)) return [];
  const engine = sharingEngine(agreement);
  const working = new Set(
    subject.workingWith.filter(({ since }) => since <= event.position).map(({ agency }) => agency),
  );
  const told: Told[] = [];
  for (const agency of Object.keys(subject.views).sort()) {
    if (!working.has(agency)) continue;
    const policy = engine.readPolicy(
      { kind: 'agency', id: TOLD_READER.id, agency, role: TOLD_READER.role },
      TOLD_PURPOSE,
      subject.sharing,
      now,
    );
    const decision = decide(policy, event);
    if (decision) told.push({ agency, decision });
  }
  return told;
}

/** Whether one agency is told of the event: `agenciesTold` asked of that agency. */
export const isTold = (agency: string, input: ToldInput): boolean =>
  agenciesTold(input).some((told) => told.agency === agency);

import {
  CATALOGUE,
  COHORT_BANDS,
  COHORT_CATEGORIES,
  COHORT_CLASSES,
  type CohortAdoptedV1,
  type CohortDeselectedV1,
  DESELECTION_REASONS,
  type EventType,
  isCalendarDate,
  type MeetingClosedV1,
  type MeetingOpenedV1,
  type TaskingActionAssignedV1,
  type TaskingDecisionRecordedV1,
} from '@throughline/domain';

/** One tasking meeting, folded from the meetings stream. */
export interface Meeting {
  readonly meetingId: string;
  readonly date: string;
  readonly chair: string;
  /** The chair's agency: the agency the platform records the meeting's decisions in the name of. */
  readonly chairAgency: string;
  readonly agenciesPresent: readonly string[];
  /** The cohort classes it covers; empty for the whole cohort. */
  readonly cohortClasses: readonly string[];
  readonly openedAt: string;
  readonly closedAt: string | null;
}

/** An event of the meetings stream as the fold reads it. */
export type MeetingEvent =
  | {
      readonly type: 'iom.meeting.opened.v1';
      readonly data: MeetingOpenedV1;
      readonly agency: string;
      readonly time: string;
    }
  | {
      readonly type: 'iom.meeting.closed.v1';
      readonly data: MeetingClosedV1;
      readonly agency: string;
      readonly time: string;
    };

/** The meetings as the stream has them, in the order they were opened. */
export function evolveMeetings(meetings: readonly Meeting[], event: MeetingEvent): Meeting[] {
  switch (event.type) {
    case 'iom.meeting.opened.v1': {
      const { meetingId, date, chair, agenciesPresent, cohortClasses } = event.data;
      return [
        ...meetings.filter((meeting) => meeting.meetingId !== meetingId),
        {
          meetingId,
          date,
          chair,
          chairAgency: event.agency,
          agenciesPresent,
          cohortClasses,
          openedAt: event.time,
          closedAt: null,
        },
      ];
    }
    case 'iom.meeting.closed.v1':
      return meetings.map((meeting) =>
        meeting.meetingId === event.data.meetingId ? { ...meeting, closedAt: event.time } : meeting,
      );
    default:
      return assertNever(event);
  }
}

/**
 * The meeting before this one, the one its agenda counts changes from: the latest closed meeting
 * held on an earlier date, or on the same date and closed before this one opened.
 */
export function previousMeeting(meetings: readonly Meeting[], meeting: Meeting): Meeting | null {
  const earlier = meetings.filter(
    (other) =>
      other.meetingId !== meeting.meetingId &&
      other.closedAt !== null &&
      (other.date < meeting.date || (other.date === meeting.date && other.closedAt <= meeting.openedAt)),
  );
  return (
    earlier.sort((a, b) => a.date.localeCompare(b.date) || a.closedAt!.localeCompare(b.closedAt!)).at(-1) ??
    null
  );
}

/** Newest first, as the list of meetings shows them. */
export const newestFirst = (meetings: readonly Meeting[]): Meeting[] =>
  [...meetings].sort((a, b) => b.date.localeCompare(a.date) || b.openedAt.localeCompare(a.openedAt));

/** A request the meeting rules refuse: the status, the rule and what to do about it. */
export interface MeetingRefusal {
  readonly refused: true;
  readonly status: 403 | 404 | 409 | 422;
  readonly rule: string;
  readonly title: string;
  readonly detail: string;
}

export const isMeetingRefusal = (value: unknown): value is MeetingRefusal =>
  typeof value === 'object' && value !== null && (value as { refused?: unknown }).refused === true;

const refuse = (
  status: MeetingRefusal['status'],
  rule: string,
  title: string,
  detail: string,
): MeetingRefusal => ({ refused: true, status, rule, title, detail });

/** The person who chairs: the user id and agency the decisions are recorded under. */
export interface Chair {
  readonly id: string;
  readonly agency: string;
}

/** A form's repeated field, or a JSON list: absent, one value or several. */
const listOf = (value: unknown): unknown[] | null =>
  value === undefined || value === ''
    ? []
    : typeof value === 'string'
      ? [value]
      : Array.isArray(value)
        ? value
        : null;

const text = (value: unknown, max: number): string | null => {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed.length > 0 && trimmed.length <= max ? trimmed : null;
};

/** Opening a meeting: a real date, agencies of the agreement present, known cohort classes, none open. */
export function decideOpen(input: {
  readonly chair: Chair;
  readonly meetingId: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly meetings: readonly Meeting[];
  readonly agencies: readonly string[];
}): MeetingOpenedV1 | MeetingRefusal {
  const { chair, body } = input;
  if (!isCalendarDate(body.date))
    return refuse(422, 'meeting-date', 'No meeting date', 'date must be the meeting date (YYYY-MM-DD)');
  const present = listOf(body.agenciesPresent);
  if (
    present === null ||
    !present.every((agency) => typeof agency === 'string' && input.agencies.includes(agency))
  )
    return refuse(
      422,
      'meeting-agencies',
      'Unknown agency',
      `agenciesPresent must name agencies of the agreement: ${input.agencies.join(', ')}`,
    );
  const classes = listOf(body.cohortClasses);
  if (classes === null || !classes.every((c) => (COHORT_CLASSES as readonly unknown[]).includes(c)))
    return refuse(
      422,
      'meeting-cohort',
      'Unknown cohort class',
      `cohortClasses must be cohort classes (${COHORT_CLASSES.join(', ')}), or none for the whole cohort`,
    );
  const open = input.meetings.find((meeting) => meeting.closedAt === null);
  if (open)
    return refuse(
      409,
      'meeting-open',
      'A meeting is open',
      `The meeting of ${open.date} is still open: close it before opening another`,
    );
  // The chair's agency is present at the meeting it chairs.
  const agenciesPresent = [...new Set([chair.agency, ...(present as string[])])].sort();
  return {
    meetingId: input.meetingId,
    date: body.date,
    chair: chair.id,
    agenciesPresent,
    cohortClasses: [...new Set(classes as MeetingOpenedV1['cohortClasses'])],
  };
}

/** Only the chair who opened a meeting records in it, and only while it is open. */
function inOpenMeeting(meeting: Meeting | undefined, chair: Chair): MeetingRefusal | null {
  if (!meeting) return refuse(404, 'meeting-known', 'Meeting not found', 'No meeting with this id');
  if (meeting.chair !== chair.id || meeting.chairAgency !== chair.agency)
    return refuse(
      403,
      'meeting-chair',
      'Not the chair',
      'Only the chair who opened the meeting records in it',
    );
  if (meeting.closedAt !== null)
    return refuse(409, 'meeting-closed', 'Meeting closed', 'The meeting is closed: its minutes are final');
  return null;
}

export function decideClose(meeting: Meeting | undefined, chair: Chair): MeetingClosedV1 | MeetingRefusal {
  return inOpenMeeting(meeting, chair) ?? { meetingId: meeting!.meetingId, closedBy: chair.id };
}

/** What the meeting knows of the person a decision is about. */
export interface DecisionSubject {
  readonly known: boolean;
  readonly cohortStatus: 'referred' | 'adopted' | 'deselected' | null;
}

export const DECISION_KINDS = ['adopt', 'deselect', 'escalate', 'band-change'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

/** The event a decision is recorded as: an existing cohort event naming the meeting, or the meeting's own. */
export type DecidedEvent =
  | { readonly type: 'iom.cohort.adopted.v1'; readonly data: CohortAdoptedV1 }
  | { readonly type: 'iom.cohort.deselected.v1'; readonly data: CohortDeselectedV1 }
  | { readonly type: 'iom.tasking.decision-recorded.v1'; readonly data: TaskingDecisionRecordedV1 };

const field = (name: string, detail: string): MeetingRefusal =>
  refuse(422, 'meeting-decision-field', `Check ${name}`, detail);

const categoryOf = (value: unknown): number | null => {
  const number = typeof value === 'string' && /^[1-4]$/.test(value.trim()) ? Number(value) : value;
  return (COHORT_CATEGORIES as readonly unknown[]).includes(number) ? (number as number) : null;
};

const booleanOf = (value: unknown): boolean | null =>
  typeof value === 'boolean' ? value : value === 'true' ? true : value === 'false' ? false : null;

function decidedEvent(
  kind: DecisionKind,
  meetingId: string,
  body: Readonly<Record<string, unknown>>,
  today: string,
): DecidedEvent | MeetingRefusal {
  switch (kind) {
    case 'adopt': {
      if (!(COHORT_CLASSES as readonly unknown[]).includes(body.cohortClass))
        return field('the cohort class', `cohortClass must be one of ${COHORT_CLASSES.join(', ')}`);
      const category = categoryOf(body.category);
      if (category === null) return field('the category', 'category must be 1, 2, 3 or 4');
      const statutory = booleanOf(body.statutory);
      if (statutory === null) return field('statutory', 'statutory must be true or false');
      if (!isCalendarDate(body.reviewDue) || body.reviewDue <= today)
        return field('the review date', 'reviewDue must be a date after today (YYYY-MM-DD)');
      return {
        type: 'iom.cohort.adopted.v1',
        data: {
          cohortClass: body.cohortClass as CohortAdoptedV1['cohortClass'],
          category: category as CohortAdoptedV1['category'],
          statutory,
          reviewDue: body.reviewDue,
          meeting: meetingId,
        },
      };
    }
    case 'deselect': {
      if (!(DESELECTION_REASONS as readonly unknown[]).includes(body.reason))
        return field('the reason', `reason must be one of ${DESELECTION_REASONS.join(', ')}`);
      const note = body.note === undefined || body.note === '' ? undefined : text(body.note, 1000);
      if (note === null) return field('the note', 'note, if given, must be text of at most 1,000 characters');
      return {
        type: 'iom.cohort.deselected.v1',
        data: {
          reason: body.reason as CohortDeselectedV1['reason'],
          ...(note ? { note } : {}),
          meeting: meetingId,
        },
      };
    }
    case 'escalate':
    case 'band-change': {
      const reason = text(body.reason, 2000);
      if (reason === null) return field('the reason', 'reason must be text of 1 to 2,000 characters');
      if (kind === 'escalate')
        return {
          type: 'iom.tasking.decision-recorded.v1',
          data: { meeting: meetingId, decision: kind, reason },
        };
      if (!(COHORT_BANDS as readonly unknown[]).includes(body.band))
        return field('the band', `band must be one of ${COHORT_BANDS.join(', ')}`);
      return {
        type: 'iom.tasking.decision-recorded.v1',
        data: {
          meeting: meetingId,
          decision: kind,
          band: body.band as TaskingDecisionRecordedV1['band'],
          reason,
        },
      };
    }
    default:
      return assertNever(kind);
  }
}

const mayPublish = (type: EventType, agency: string): boolean => {
  const { publishers } = CATALOGUE[type];
  return publishers === 'any' || (publishers as readonly string[]).includes(agency);
};

/**
 * A decision of the meeting about a person: adopt (or re-class), de-select with a reason, escalate,
 * or a band change agreed. Recorded in the chair's agency's name, so that agency must be one the
 * catalogue lets publish the event (adoption and de-selection: police or probation).
 */
export function decideDecision(input: {
  readonly meeting: Meeting | undefined;
  readonly chair: Chair;
  readonly subject: DecisionSubject;
  readonly body: Readonly<Record<string, unknown>>;
  readonly today: string;
}): DecidedEvent | MeetingRefusal {
  const { meeting, chair, subject, body } = input;
  const closed = inOpenMeeting(meeting, chair);
  if (closed) return closed;
  if (!subject.known)
    return refuse(404, 'meeting-subject-known', 'Subject not found', 'No subject with this id');
  const kind = body.decision;
  if (!(DECISION_KINDS as readonly unknown[]).includes(kind))
    return refuse(
      422,
      'meeting-decision',
      'Unknown decision',
      `decision must be one of ${DECISION_KINDS.join(', ')}`,
    );
  if (kind !== 'adopt' && subject.cohortStatus !== 'adopted')
    return refuse(
      409,
      'meeting-subject-on-cohort',
      'Not on the cohort',
      'Only a person on the cohort can be de-selected, escalated or re-banded',
    );
  const decided = decidedEvent(kind as DecisionKind, meeting!.meetingId, body, input.today);
  if (isMeetingRefusal(decided)) return decided;
  if (!mayPublish(decided.type, chair.agency))
    return refuse(
      403,
      'meeting-decision-publisher',
      'Not your agency’s decision',
      `${decided.type} is published by ${(CATALOGUE[decided.type].publishers as readonly string[]).join(', ')}; the meeting records it in the chair’s agency’s name`,
    );
  return decided;
}

/** An action of the meeting: an agency of the agreement owns it, due today or later, with its text. */
export function decideAction(input: {
  readonly meeting: Meeting | undefined;
  readonly chair: Chair;
  readonly subject: DecisionSubject;
  readonly actionId: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly agencies: readonly string[];
  readonly today: string;
}): TaskingActionAssignedV1 | MeetingRefusal {
  const { meeting, chair, subject, body } = input;
  const closed = inOpenMeeting(meeting, chair);
  if (closed) return closed;
  if (!subject.known)
    return refuse(404, 'meeting-subject-known', 'Subject not found', 'No subject with this id');
  if (typeof body.ownerAgency !== 'string' || !input.agencies.includes(body.ownerAgency))
    return refuse(
      422,
      'meeting-action-owner',
      'Check the owner',
      `ownerAgency must be an agency of the agreement: ${input.agencies.join(', ')}`,
    );
  if (!isCalendarDate(body.due) || body.due < input.today)
    return refuse(422, 'meeting-action-due', 'Check the due date', 'due must be today or later (YYYY-MM-DD)');
  const actionText = text(body.text, 1000);
  if (actionText === null)
    return refuse(422, 'meeting-action-text', 'Check the action', 'text must be 1 to 1,000 characters');
  return {
    actionId: input.actionId,
    meeting: meeting!.meetingId,
    ownerAgency: body.ownerAgency,
    due: body.due,
    text: actionText,
  };
}

function assertNever(value: never): never {
  throw new Error(`Unhandled: ${JSON.stringify(value)}`);
}

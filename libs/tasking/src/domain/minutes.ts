import type { SubjectDisclosure } from '@throughline/audit';
import { type TimelineEntry, withdrawn } from '@throughline/domain';
import { taskingGround } from './disclosure';
import type { Meeting } from './meetings';

/** One decision of the meeting about a person, as the minutes record it. */
export type MinutedDecision =
  | {
      readonly kind: 'adopt';
      readonly cohortClass: string;
      readonly category: number;
      readonly reviewDue: string;
    }
  | { readonly kind: 'deselect'; readonly reason: string; readonly note: string | null }
  | { readonly kind: 'escalate'; readonly reason: string }
  | { readonly kind: 'band-change'; readonly band: string | null; readonly reason: string };

export interface MinutedAction {
  readonly actionId: string;
  readonly ownerAgency: string;
  readonly due: string;
  readonly text: string;
  /** Done since, as the owning agency recorded it. */
  readonly completed: boolean;
}

/** What the minutes hold of one person: their name, and the meeting's decisions and actions about them. */
export interface MinutesPerson {
  readonly subjectId: string;
  readonly name: string | null;
  readonly decisions: readonly (MinutedDecision & { readonly at: string })[];
  readonly actions: readonly (MinutedAction & { readonly at: string })[];
  /** The log positions of the events the minutes show: what their disclosure record names. */
  readonly positions: readonly number[];
}

export interface Minutes {
  readonly meeting: Meeting;
  /** False while the meeting is open: the minutes are a draft until it closes. */
  readonly final: boolean;
  readonly people: readonly MinutesPerson[];
}

/**
 * A person's part of the meeting's minutes, from their timeline as the meeting may see it (what a
 * restriction keeps from the tasking purpose already left out): the events naming the meeting,
 * corrections applied, redactions and erasures left out. Null when the meeting decided nothing
 * about them.
 */
export function minutesOf(
  meetingId: string,
  subjectId: string,
  name: string | null,
  timeline: readonly TimelineEntry[],
): MinutesPerson | null {
  const live = timeline.filter((entry) => !withdrawn(entry));
  const completed = new Set(
    live.flatMap((entry) => (entry.type === 'iom.tasking.action-completed.v1' ? [entry.data.actionId] : [])),
  );
  const decisions: (MinutedDecision & { at: string })[] = [];
  const actions: (MinutedAction & { at: string })[] = [];
  const positions: number[] = [];
  for (const entry of live) {
    const at = entry.meta.time;
    switch (entry.type) {
      case 'iom.cohort.adopted.v1':
        if (entry.data.meeting !== meetingId) continue;
        decisions.push({
          kind: 'adopt',
          cohortClass: entry.data.cohortClass,
          category: entry.data.category,
          reviewDue: entry.data.reviewDue,
          at,
        });
        break;
      case 'iom.cohort.deselected.v1':
        if (entry.data.meeting !== meetingId) continue;
        decisions.push({ kind: 'deselect', reason: entry.data.reason, note: entry.data.note ?? null, at });
        break;
      case 'iom.tasking.decision-recorded.v1':
        if (entry.data.meeting !== meetingId) continue;
        decisions.push(
          entry.data.decision === 'escalate'
            ? { kind: 'escalate', reason: entry.data.reason, at }
            : { kind: 'band-change', band: entry.data.band ?? null, reason: entry.data.reason, at },
        );
        break;
      case 'iom.tasking.action-assigned.v1': {
        if (entry.data.meeting !== meetingId) continue;
        const { actionId, ownerAgency, due, text } = entry.data;
        actions.push({ actionId, ownerAgency, due, text, completed: completed.has(actionId), at });
        break;
      }
      default:
        continue;
    }
    positions.push(entry.position);
  }
  if (positions.length === 0) return null;
  const byTime = (a: { at: string }, b: { at: string }): number => a.at.localeCompare(b.at);
  return {
    subjectId,
    name,
    decisions: decisions.sort(byTime),
    actions: actions.sort(byTime),
    positions,
  };
}

/** The fields the minutes show of a person, by category. */
export const MINUTES_FIELDS: Readonly<Record<string, readonly string[]>> = {
  identity: ['givenName', 'familyName'],
  cohort: [
    'meeting',
    'decision',
    'cohortClass',
    'category',
    'reviewDue',
    'reason',
    'note',
    'band',
    'actionId',
    'ownerAgency',
    'due',
    'text',
  ],
};

/** What opening the minutes discloses of one person: the meeting's decisions and actions, on the meeting's ground. */
export const minutesDisclosure = (person: MinutesPerson): SubjectDisclosure => ({
  subjectId: person.subjectId,
  grounds: [taskingGround(Object.keys(MINUTES_FIELDS))],
  fields: MINUTES_FIELDS,
  positions: person.positions,
});

const DECISION_TEXT: Readonly<Record<MinutedDecision['kind'], string>> = {
  adopt: 'Adopt',
  deselect: 'De-select',
  escalate: 'Escalate',
  'band-change': 'Band change agreed',
};

/** One line of a decision, for the minutes' text and their page alike. */
export function decisionText(decision: MinutedDecision): string {
  switch (decision.kind) {
    case 'adopt':
      return `${DECISION_TEXT.adopt}: ${decision.cohortClass}, category ${decision.category}, review by ${decision.reviewDue}`;
    case 'deselect':
      return `${DECISION_TEXT.deselect}: ${decision.reason}${decision.note ? ` (${decision.note})` : ''}`;
    case 'escalate':
      return `${DECISION_TEXT.escalate}: ${decision.reason}`;
    case 'band-change':
      return `${DECISION_TEXT['band-change']}: ${decision.band ?? 'band not given'}. ${decision.reason}`;
  }
}

/**
 * Markdown keeps its meaning only when text from events cannot become markup. Every value sits
 * inside a line, after its label, so the marks that only count at a line's start (-, +) need none.
 */
const md = (value: string): string =>
  value.replace(/[\\`*_[\]()#|<>~!]/g, (c) => `\\${c}`).replace(/\s+/g, ' ');

/** The minutes as a Markdown document: what the meeting saw and decided, nothing more. */
export function minutesMarkdown(minutes: Minutes): string {
  const { meeting } = minutes;
  const lines = [
    `# Tasking meeting minutes: ${meeting.date}${minutes.final ? '' : ' (draft: the meeting is open)'}`,
    '',
    `- Chair: ${md(meeting.chair)} (${md(meeting.chairAgency)})`,
    `- Agencies present: ${meeting.agenciesPresent.map(md).join(', ')}`,
    `- Cohort: ${meeting.cohortClasses.length === 0 ? 'the whole cohort' : meeting.cohortClasses.map(md).join(', ')}`,
    '',
  ];
  const decided = minutes.people.filter((person) => person.decisions.length > 0);
  lines.push('## Decisions', '');
  if (decided.length === 0) lines.push('None recorded.', '');
  for (const person of decided)
    for (const decision of person.decisions)
      lines.push(`- ${md(person.name ?? 'Name not shared')}: ${md(decisionText(decision))}`);
  if (decided.length > 0) lines.push('');
  const tasked = minutes.people.filter((person) => person.actions.length > 0);
  lines.push('## Actions', '');
  if (tasked.length === 0) lines.push('None recorded.', '');
  else {
    lines.push('| person | owner | due | action | done |', '|---|---|---|---|---|');
    for (const person of tasked)
      for (const action of person.actions)
        lines.push(
          `| ${md(person.name ?? 'Name not shared')} | ${md(action.ownerAgency)} | ${action.due} | ${md(action.text)} | ${action.completed ? 'yes' : 'no'} |`,
        );
    lines.push('');
  }
  return lines.join('\n');
}

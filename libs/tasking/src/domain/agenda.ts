import { LONG_AGO, utcInstant } from '@throughline/domain';
import type { BoardChange, BoardRow } from './board';
import type { Meeting } from './meetings';

/** How far ahead the agenda looks for releases and reviews. */
export const AGENDA_HORIZON_DAYS = 28;

type Band = 'red' | 'amber' | 'green';
const BANDS: readonly Band[] = ['red', 'amber', 'green'];
const RANK: Readonly<Record<Band, number>> = { red: 3, amber: 2, green: 1 };

/** A board row as the agenda reads it: the flags, and what changed since the previous meeting. */
export type AgendaRow = BoardRow & { readonly changes?: readonly BoardChange[] };

export interface AgendaPerson {
  readonly subjectId: string;
  readonly name: string | null;
  readonly band: string | null;
}

/** A person referred to the scheme and not yet adopted: for the meeting to adopt, or not. */
export interface Referral extends AgendaPerson {
  readonly referredAt: string;
  /** The agency that referred them, where the meeting may see it. */
  readonly referredBy: string | null;
}

export interface BandCounts {
  readonly red: number;
  readonly amber: number;
  readonly green: number;
  readonly none: number;
}

export interface Agenda {
  /** The meeting the changes are counted from, read from the log; null when this is the first. */
  readonly previous: { readonly meetingId: string; readonly date: string; readonly closedAt: string } | null;
  /** Each person whose flags changed since the previous meeting, with what changed; null with none. */
  readonly changed: readonly (AgendaPerson & { readonly changes: readonly BoardChange[] })[] | null;
  readonly dueForReview: readonly (AgendaPerson & {
    readonly reviewDue: string;
    readonly overdue: boolean;
  })[];
  readonly overdueActions: readonly (AgendaPerson & {
    readonly actionId: string;
    readonly ownerAgency: string;
    readonly due: string;
    readonly text: string;
  })[];
  readonly releases: readonly (AgendaPerson & { readonly releaseDate: string })[];
  /** Referrals awaiting the meeting's decision, oldest first: they have no class, so every meeting sees them. */
  readonly referrals: readonly Referral[];
  /** Bands at the previous meeting and now, how many rose or fell, and who moved. */
  readonly bandMovement: {
    readonly before: BandCounts | null;
    readonly now: BandCounts;
    readonly rose: number;
    readonly fell: number;
    readonly movers: readonly (AgendaPerson & { readonly from: string | null; readonly to: string | null })[];
  };
  /** Everyone the agenda covers: the meeting's cohort on the board. */
  readonly covered: number;
}

/** The rows of the meeting's cohort: its classes, or everyone on the board when it names none. */
export const inMeetingCohort = <R extends { readonly cohortClass: string | null }>(
  meeting: Pick<Meeting, 'cohortClasses'>,
  rows: readonly R[],
): R[] =>
  meeting.cohortClasses.length === 0
    ? [...rows]
    : rows.filter((row) => row.cohortClass !== null && meeting.cohortClasses.includes(row.cohortClass));

const isBand = (band: unknown): band is Band => BANDS.includes(band as Band);

/** The band a row's history gave at an instant: the last scored at or before it. */
const bandAt = (row: BoardRow, instant: string): Band | null => {
  let band: Band | null = null;
  for (const entry of row.bandHistory)
    if ((utcInstant(entry.at) ?? LONG_AGO) <= instant && isBand(entry.band)) band = entry.band;
  return band;
};

const counts = (bands: readonly (string | null)[]): BandCounts => ({
  red: bands.filter((band) => band === 'red').length,
  amber: bands.filter((band) => band === 'amber').length,
  green: bands.filter((band) => band === 'green').length,
  none: bands.filter((band) => !isBand(band)).length,
});

/** The date `days` after a calendar date. */
export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const person = (row: AgendaRow): AgendaPerson => ({
  subjectId: row.subjectId,
  name: row.name,
  band: row.band,
});

/**
 * The meeting's agenda from the board: who changed since the previous meeting (its close, read from
 * the log), who is due for review and whose actions are overdue, who is released in the next 28 days,
 * referrals awaiting a decision, and band movement since the previous meeting. Only the board's
 * flags: no released detail, and of a referral only who referred and when, never the reason.
 */
export function buildAgenda(input: {
  readonly rows: readonly AgendaRow[];
  readonly previous: Meeting | null;
  readonly today: string;
  readonly referrals?: readonly Referral[];
}): Agenda {
  const { rows, previous, today, referrals = [] } = input;
  const horizon = addDays(today, AGENDA_HORIZON_DAYS);
  const since = previous?.closedAt ?? null;
  const sinceInstant = since === null ? null : (utcInstant(since) ?? LONG_AGO);
  const byName = (a: AgendaPerson, b: AgendaPerson): number => (a.name ?? '').localeCompare(b.name ?? '');
  const movers = sinceInstant
    ? rows
        .map((row) => ({
          ...person(row),
          from: bandAt(row, sinceInstant),
          to: isBand(row.band) ? row.band : null,
        }))
        .filter((row) => row.from !== row.to)
        .sort(byName)
    : [];
  const rank = (band: string | null): number => (isBand(band) ? RANK[band] : 0);
  return {
    previous:
      previous && previous.closedAt
        ? { meetingId: previous.meetingId, date: previous.date, closedAt: previous.closedAt }
        : null,
    changed:
      since === null
        ? null
        : rows
            .filter((row) => (row.changes ?? []).length > 0)
            .map((row) => ({ ...person(row), changes: row.changes ?? [] }))
            .sort(byName),
    dueForReview: rows
      .filter(
        (row): row is AgendaRow & { reviewDue: string } => row.reviewDue !== null && row.reviewDue <= horizon,
      )
      .map((row) => ({ ...person(row), reviewDue: row.reviewDue, overdue: row.reviewDue < today }))
      .sort((a, b) => a.reviewDue.localeCompare(b.reviewDue) || byName(a, b)),
    overdueActions: rows
      .flatMap((row) =>
        row.actions
          .filter((action) => action.overdue)
          .map(({ actionId, ownerAgency, due, text }) => ({
            ...person(row),
            actionId,
            ownerAgency,
            due,
            text,
          })),
      )
      .sort((a, b) => a.due.localeCompare(b.due) || byName(a, b)),
    releases: rows
      .filter(
        (row): row is AgendaRow & { releaseDate: string } =>
          row.releaseDate !== null &&
          row.releaseDate.slice(0, 10) >= today &&
          row.releaseDate.slice(0, 10) <= horizon,
      )
      .map((row) => ({ ...person(row), releaseDate: row.releaseDate }))
      .sort((a, b) => a.releaseDate.localeCompare(b.releaseDate) || byName(a, b)),
    referrals: [...referrals].sort((a, b) => a.referredAt.localeCompare(b.referredAt) || byName(a, b)),
    bandMovement: {
      before: sinceInstant ? counts(rows.map((row) => bandAt(row, sinceInstant))) : null,
      now: counts(rows.map((row) => row.band)),
      rose: movers.filter((row) => rank(row.to) > rank(row.from)).length,
      fell: movers.filter((row) => rank(row.to) < rank(row.from)).length,
      movers,
    },
    covered: rows.length,
  };
}

/**
 * Everyone the agenda names, once each, by name: the people the chair may record a decision or an
 * action about, and the only people the agenda's disclosure record names.
 */
export function agendaPeople(agenda: Agenda): AgendaPerson[] {
  const people = new Map<string, AgendaPerson>();
  for (const person of [
    ...(agenda.changed ?? []),
    ...agenda.dueForReview,
    ...agenda.overdueActions,
    ...agenda.releases,
    ...agenda.referrals,
    ...agenda.bandMovement.movers,
  ])
    if (!people.has(person.subjectId))
      people.set(person.subjectId, { subjectId: person.subjectId, name: person.name, band: person.band });
  return [...people.values()].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
}

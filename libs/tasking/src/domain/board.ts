import type { SubjectRecord } from '@throughline/subjects';

/** One row of the tasking board: the consolidated flags a meeting may see, never the detail behind them. */
export interface BoardRow {
  readonly subjectId: string;
  readonly name: string | null;
  readonly band: string | null;
  readonly trend: string | null;
  readonly bandHistory: readonly { band: string; at: string }[];
  readonly cohortClass: string | null;
  readonly category: number | null;
  readonly inCustody: boolean;
  readonly releaseDate: string | null;
  readonly wanted: boolean;
  readonly openNeeds: readonly string[];
  readonly keyWorkers: readonly { agency: string; worker: string; contact: string }[];
  readonly actions: readonly {
    actionId: string;
    ownerAgency: string;
    due: string;
    text: string;
    overdue: boolean;
  }[];
  readonly overdueActions: number;
  readonly reviewDue: string | null;
  readonly reviewOverdue: boolean;
}

/** The board's flags as they changed since the last meeting (names only, old and new values). */
export interface BoardChange {
  readonly flag: keyof BoardRow;
  readonly before: unknown;
  readonly after: unknown;
}

export function boardRow(record: SubjectRecord, now: string): BoardRow {
  const actions = record.openActions.map((action) => ({ ...action, overdue: action.due < now }));
  return {
    subjectId: record.subjectId,
    name: record.identity ? `${record.identity.givenName} ${record.identity.familyName}` : null,
    band: record.cohort.band,
    trend: record.cohort.trend,
    bandHistory: record.cohort.bandHistory.map(({ band, at }) => ({ band, at })),
    cohortClass: record.cohort.cohortClass,
    category: record.cohort.category,
    inCustody: record.custody.status === 'in-custody',
    releaseDate:
      record.custody.status === 'in-custody'
        ? (record.custody.plannedRelease?.date ?? record.custody.expectedRelease)
        : null,
    wanted: record.wanted !== null,
    openNeeds: record.openNeeds,
    keyWorkers: record.keyWorkers,
    actions,
    overdueActions: actions.filter((action) => action.overdue).length,
    reviewDue: record.cohort.reviewDue,
    reviewOverdue: record.cohort.reviewDue !== null && record.cohort.reviewDue < now,
  };
}

const COMPARED: readonly (keyof BoardRow)[] = [
  'band',
  'trend',
  'cohortClass',
  'category',
  'inCustody',
  'releaseDate',
  'wanted',
  'openNeeds',
  'keyWorkers',
  'overdueActions',
  'reviewDue',
];

export function changesBetween(before: BoardRow | null, after: BoardRow): BoardChange[] {
  return COMPARED.filter(
    (flag) => JSON.stringify(before?.[flag] ?? null) !== JSON.stringify(after[flag]),
  ).map((flag) => ({
    flag,
    before: before?.[flag] ?? null,
    after: after[flag],
  }));
}

import { isCalendarDate } from '@throughline/domain';
import type { BoardEntry } from '@throughline/tasking';
import { ProblemException } from '@throughline/platform';

export const SORT_KEYS = [
  'name',
  'band',
  'cohortClass',
  'category',
  'custody',
  'releaseDate',
  'openNeeds',
  'keyWorkers',
  'overdueActions',
  'reviewDue',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type Direction = 'ascending' | 'descending';

export const FLAGS = {
  'in-custody': 'In custody',
  wanted: 'Wanted',
  'overdue-actions': 'Overdue actions',
  'review-overdue': 'Review overdue',
} as const;
export type Flag = keyof typeof FLAGS;

export interface BoardQuery {
  /** The last meeting's date (YYYY-MM-DD), as typed. */
  readonly since: string | null;
  readonly band: string | null;
  readonly cohortClass: string | null;
  readonly category: number | null;
  readonly flag: Flag | null;
  readonly q: string | null;
  readonly sort: { readonly key: SortKey; readonly direction: Direction } | null;
  /** The page of the list shown, from 1. */
  readonly page: number;
}

/** People a board page lists: a cohort of a thousand is twenty pages, not one of megabytes. */
export const BOARD_PAGE_SIZE = 50;

/** The rows of one page of the arranged board. */
export const pageOf = <T>(rows: readonly T[], page: number): T[] =>
  rows.slice((page - 1) * BOARD_PAGE_SIZE, page * BOARD_PAGE_SIZE);

export const pageCount = (rows: number): number => Math.max(1, Math.ceil(rows / BOARD_PAGE_SIZE));

/** The board's address with this query on another page (the sort and filters kept). */
export function boardHref(query: BoardQuery, page: number): string {
  const params = new URLSearchParams();
  if (query.since) params.set('since', query.since);
  if (query.band) params.set('band', query.band);
  if (query.cohortClass) params.set('cohortClass', query.cohortClass);
  if (query.category !== null) params.set('category', String(query.category));
  if (query.flag) params.set('flag', query.flag);
  if (query.q) params.set('q', query.q);
  if (query.sort) params.set('sort', `${query.sort.key}:${query.sort.direction}`);
  if (page > 1) params.set('page', String(page));
  const search = params.toString();
  return search ? `/app/board?${search}` : '/app/board';
}

const invalid = (detail: string): ProblemException =>
  new ProblemException(400, 'invalid-query', 'Invalid filter', detail);

const text = (raw: string | undefined): string | null => (raw && raw.trim() !== '' ? raw.trim() : null);

/** Reads the board's query string; anything malformed is a 400 that names the field. */
export function parseBoardQuery(raw: Record<string, string | undefined>): BoardQuery {
  const since = text(raw.since);
  if (since !== null && !isCalendarDate(since)) {
    throw invalid('The last meeting date must be a date (YYYY-MM-DD)');
  }
  const band = text(raw.band);
  if (band !== null && !['red', 'amber', 'green'].includes(band))
    throw invalid('band must be red, amber or green');
  const category = text(raw.category);
  if (category !== null && !['1', '2', '3', '4'].includes(category)) throw invalid('category must be 1 to 4');
  const flag = text(raw.flag);
  if (flag !== null && !Object.hasOwn(FLAGS, flag)) throw invalid('Unknown flag filter');
  const sort = text(raw.sort);
  let parsedSort: BoardQuery['sort'] = null;
  if (sort !== null) {
    const [key, direction] = sort.split(':');
    if (
      !(SORT_KEYS as readonly string[]).includes(key ?? '') ||
      (direction !== 'ascending' && direction !== 'descending')
    )
      throw invalid('Unknown sort order');
    parsedSort = { key: key as SortKey, direction };
  }
  const page = text(raw.page);
  if (page !== null && !/^[1-9]\d{0,4}$/.test(page)) throw invalid('page must be a whole number from 1');
  return {
    since,
    band,
    cohortClass: text(raw.cohortClass)?.slice(0, 40) ?? null,
    category: category === null ? null : Number(category),
    flag: flag as Flag | null,
    q: text(raw.q)?.slice(0, 100) ?? null,
    sort: parsedSort,
    page: page === null ? 1 : Number(page),
  };
}

const BAND_RANK: Readonly<Record<string, number>> = { red: 3, amber: 2, green: 1 };

const sortValue = (row: BoardEntry, key: SortKey): string | number | null => {
  switch (key) {
    case 'name':
      return row.name?.toLowerCase() ?? null;
    case 'band':
      return row.band ? (BAND_RANK[row.band] ?? 0) : null;
    case 'cohortClass':
      return row.cohortClass;
    case 'category':
      return row.category;
    case 'custody':
      return (row.inCustody ? 2 : 0) + (row.wanted ? 1 : 0);
    case 'releaseDate':
      return row.releaseDate;
    case 'openNeeds':
      return row.openNeeds.length;
    case 'keyWorkers':
      return row.keyWorkers.length;
    case 'overdueActions':
      return row.overdueActions;
    case 'reviewDue':
      return row.reviewDue;
  }
};

const matches = (row: BoardEntry, query: BoardQuery): boolean => {
  if (query.band && row.band !== query.band) return false;
  if (query.cohortClass && row.cohortClass !== query.cohortClass) return false;
  if (query.category !== null && row.category !== query.category) return false;
  if (query.q && !(row.name ?? '').toLowerCase().includes(query.q.toLowerCase())) return false;
  switch (query.flag) {
    case 'in-custody':
      return row.inCustody;
    case 'wanted':
      return row.wanted;
    case 'overdue-actions':
      return row.overdueActions > 0;
    case 'review-overdue':
      return row.reviewOverdue;
    case null:
      return true;
  }
};

/** Filters, then sorts (empty values last whichever the direction); no sort keeps the board's order. */
export function arrangeBoard(rows: readonly BoardEntry[], query: BoardQuery): BoardEntry[] {
  const kept = rows.filter((row) => matches(row, query));
  const sort = query.sort;
  if (!sort) return kept;
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return kept
    .map((row, index) => ({ row, index, value: sortValue(row, sort.key) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) {
        return a.value === b.value ? a.index - b.index : a.value === null ? 1 : -1;
      }
      const order =
        typeof a.value === 'string' && typeof b.value === 'string'
          ? a.value.localeCompare(b.value)
          : a.value < b.value
            ? -1
            : a.value > b.value
              ? 1
              : 0;
      return order * sign || a.index - b.index;
    })
    .map(({ row }) => row);
}

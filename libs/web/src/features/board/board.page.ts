import type { Principal } from '@throughline/auth';
import type { BoardChange, BoardEntry, Deselection, Meeting } from '@throughline/tasking';
import { bandBadge, dateOnly, fieldLabel, plural, TREND_TEXT, valueText } from '../../html/format';
import { html, type SafeHtml } from '../../html/html';
import { empty, page, tableRegion } from '../../html/layout';
import { BOARD_PAGE_SIZE, boardHref, FLAGS, pageCount, type BoardQuery, type SortKey } from './board-view';
import {
  actionsByOwner,
  cohortCharts,
  DESELECTIONS_SHOWN,
  deselectionRegister,
  releasedToMeeting,
} from './board-sections';
import { sparkline } from './charts';
import type { CohortMetrics } from './cohort-metrics';

export interface BoardPageData {
  readonly principal: Principal;
  readonly csrf: string;
  readonly query: BoardQuery;
  /** The page of rows shown. */
  readonly rows: readonly BoardEntry[];
  /** How many rows the filters match, over every page. */
  readonly matching: number;
  /** Every row before filtering: the filter choices and the headline counts come from it. */
  readonly all: readonly BoardEntry[];
  readonly deselections: readonly Deselection[];
  readonly metrics: CohortMetrics;
  /** The last meeting closed, as the log has it; null before the first. */
  readonly lastMeeting: Meeting | null;
}

const COLUMNS: readonly { key: SortKey; label: string; first: 'ascending' | 'descending' }[] = [
  { key: 'name', label: 'Person', first: 'ascending' },
  { key: 'band', label: 'Band', first: 'descending' },
  { key: 'cohortClass', label: 'Class', first: 'ascending' },
  { key: 'category', label: 'Category', first: 'ascending' },
  { key: 'custody', label: 'Custody', first: 'descending' },
  { key: 'releaseDate', label: 'Release', first: 'ascending' },
  { key: 'openNeeds', label: 'Open needs', first: 'descending' },
  { key: 'keyWorkers', label: 'Key workers', first: 'descending' },
  { key: 'overdueActions', label: 'Overdue', first: 'descending' },
  { key: 'reviewDue', label: 'Review due', first: 'ascending' },
];

function select(
  name: string,
  label: string,
  current: string | null,
  options: readonly [string, string][],
): SafeHtml {
  return html`<div class="field">
    <label for="f-${name}">${label}</label>
    <select id="f-${name}" name="${name}">
      <option value="">Any</option>
      ${options.map(
        ([value, text]) =>
          html`<option value="${value}" ${value === current ? html`selected` : ''}>${text}</option>`,
      )}
    </select>
  </div>`;
}

/**
 * The current sort rides on Apply, the form's default button (first in the page, so Enter presses
 * it too), rather than in a hidden field: a column's sort button then replaces it instead of
 * sending "sort" a second time, which the query string rule refuses.
 */
function filters(data: BoardPageData): SafeHtml {
  const { query } = data;
  const classes = [...new Set(data.all.map((row) => row.cohortClass).filter((c): c is string => !!c))].sort();
  return html`<form
    id="board-filters"
    class="filters"
    method="get"
    action="/app/board"
    aria-label="Filter the board"
  >
    <div class="field">
      <label for="f-since">Changed since the last meeting</label>
      <input type="date" id="f-since" name="since" value="${query.since ?? ''}" />
    </div>
    ${select('band', 'Band', query.band, [
      ['red', 'Red'],
      ['amber', 'Amber'],
      ['green', 'Green'],
    ])}
    ${select(
      'cohortClass',
      'Cohort class',
      query.cohortClass,
      classes.map((c) => [c, c]),
    )}
    ${select('category', 'Category', query.category === null ? null : String(query.category), [
      ['1', '1'],
      ['2', '2'],
      ['3', '3'],
      ['4', '4'],
    ])}
    ${select('flag', 'Flag', query.flag, Object.entries(FLAGS))}
    <div class="field">
      <label for="f-q">Name contains</label>
      <input type="search" id="f-q" name="q" value="${query.q ?? ''}" maxlength="100" />
    </div>
    <div class="actions-inline">
      <button
        type="submit"
        ${query.sort && html`name="sort" value="${query.sort.key}:${query.sort.direction}"`}
      >
        Apply
      </button>
      <a class="button secondary" href="/app/board">Clear</a>
    </div>
  </form>`;
}

function header(column: (typeof COLUMNS)[number], query: BoardQuery): SafeHtml {
  const sorted = query.sort?.key === column.key ? query.sort.direction : null;
  const next = sorted === null ? column.first : sorted === 'ascending' ? 'descending' : 'ascending';
  return html`<th scope="col" ${sorted ? html`aria-sort="${sorted}"` : ''}>
    <button type="submit" form="board-filters" name="sort" value="${column.key}:${next}" class="sort">
      ${column.label}<span class="dir" aria-hidden="true"
        >${sorted === 'ascending' ? ' ▲' : sorted === 'descending' ? ' ▼' : ''}</span
      >
      <span class="visually-hidden">, sort ${next}</span>
    </button>
  </th>`;
}

const changeValue = (flag: string, value: unknown): string =>
  flag === 'keyWorkers' && Array.isArray(value)
    ? value.map((worker: { agency?: string }) => worker.agency ?? '?').join(', ') || 'none'
    : valueText(value);

function changes(list: readonly BoardChange[] | undefined): SafeHtml {
  if (!list || list.length === 0) return html`<span class="muted">new to the board</span>`;
  return html`<ul>
    ${list.map(
      (change) =>
        html`<li>
          ${fieldLabel(change.flag)}: ${changeValue(change.flag, change.before)} →
          ${changeValue(change.flag, change.after)}
        </li>`,
    )}
  </ul>`;
}

function row(entry: BoardEntry, showChanges: boolean): SafeHtml {
  return html`<tr>
    <th scope="row">${entry.name ?? 'Name not shared'}</th>
    <td>
      ${bandBadge(entry.band)}${sparkline(entry.bandHistory)}<br /><span class="muted"
        >${entry.trend ? TREND_TEXT[entry.trend] : ''}</span
      >
    </td>
    <td>${entry.cohortClass ?? '—'}</td>
    <td>${entry.category ?? '—'}</td>
    <td>
      ${entry.inCustody && html`<span class="flag">In custody</span>`}
      ${entry.wanted && html`<span class="flag flag-warn">Wanted</span>`}
      ${!entry.inCustody && !entry.wanted && html`<span class="muted">In community</span>`}
    </td>
    <td>${dateOnly(entry.releaseDate)}</td>
    <td>
      ${entry.openNeeds.length > 0 ? entry.openNeeds.join(', ') : html`<span class="muted">none</span>`}
    </td>
    <td>${keyWorkers(entry)}</td>
    <td>
      ${entry.overdueActions > 0 ? html`<span class="flag flag-warn">${entry.overdueActions} overdue</span>` : html`<span class="muted">0</span>`}
    </td>
    <td>
      ${dateOnly(entry.reviewDue)}${entry.reviewOverdue && html` <span class="flag flag-warn">overdue</span>`}
    </td>
    ${showChanges && html`<td>${changes(entry.changes)}</td>`}
  </tr>`;
}

/** Agencies at a glance; the names behind them one keyboard-operable click away. */
function keyWorkers(entry: BoardEntry): SafeHtml {
  if (entry.keyWorkers.length === 0) return html`<span class="muted">none</span>`;
  return html`<details>
    <summary>${entry.keyWorkers.map((worker) => worker.agency).join(', ')}</summary>
    <ul class="plain">
      ${entry.keyWorkers.map((worker) => html`<li>${worker.agency}: ${worker.worker}</li>`)}
    </ul>
  </details>`;
}

function headline(all: readonly BoardEntry[]): SafeHtml {
  const count = (test: (row: BoardEntry) => boolean): number => all.filter(test).length;
  return html`<p>
    ${plural(all.length, 'person', 'people')} in the cohort: ${bandBadge('red')}
    ${count((r) => r.band === 'red')} ${bandBadge('amber')} ${count((r) => r.band === 'amber')}
    ${bandBadge('green')} ${count((r) => r.band === 'green')}; ${count((r) => r.inCustody)} in custody,
    ${count((r) => r.wanted)} wanted, ${count((r) => r.overdueActions > 0)} with overdue actions,
    ${count((r) => r.reviewOverdue)} overdue for review.
  </p>`;
}

/** The last meeting, read from the log: its agenda, and the board's changes since its date. */
function lastMeetingLine(data: BoardPageData): SafeHtml {
  const meeting = data.lastMeeting;
  if (!meeting) return html`<p><a href="/app/meetings">Tasking meetings</a>: none recorded yet.</p>`;
  return html`<p>
    Last meeting: <a href="/app/meetings/${meeting.meetingId}">${dateOnly(meeting.date)}</a>;
    <a href="/app/board?since=${meeting.date}">who changed since then</a>.
  </p>`;
}

/** Links to the other pages of the list, the filters and sort kept. */
function pager(data: BoardPageData): SafeHtml {
  const pages = pageCount(data.matching);
  if (pages <= 1) return html``;
  const current = data.query.page;
  return html`<nav class="pager" aria-label="Board pages">
    ${current > 1 && html`<a href="${boardHref(data.query, current - 1)}" rel="prev">Previous page</a>`}
    <span>Page ${current} of ${pages}</span>
    ${current < pages && html`<a href="${boardHref(data.query, current + 1)}" rel="next">Next page</a>`}
  </nav>`;
}

export function boardPage(data: BoardPageData): string {
  const showChanges = data.query.since !== null;
  const first = (data.query.page - 1) * BOARD_PAGE_SIZE + 1;
  const range =
    data.matching > data.rows.length
      ? `${first} to ${first + data.rows.length - 1} of ${data.matching}`
      : `${data.rows.length}`;
  const table = html`<table class="compact">
    <caption>
      ${
        showChanges
          ? `People whose flags changed since ${data.query.since} (${range})`
          : `Cohort board (${range}; ${data.all.length} in the cohort)`
      }
    </caption>
    <thead>
      <tr>
        ${COLUMNS.map((column) => header(column, data.query))}
        ${showChanges && html`<th scope="col">Changes</th>`}
      </tr>
    </thead>
    <tbody>
      ${data.rows.map((entry) => row(entry, showChanges))}
    </tbody>
  </table>`;
  const body = html`<h1>Tasking board</h1>
    <p class="lede">
      Consolidated flags for the tasking meeting, folded from every partner's events. The detail behind a flag
      stays with the agency that owns it, unless that agency has released it to the meeting.
    </p>
    ${!showChanges && headline(data.all)} ${lastMeetingLine(data)} ${filters(data)}
    ${
      data.rows.length > 0
        ? html`${tableRegion('Cohort board', table)} ${pager(data)}`
        : empty(
            showChanges
              ? 'No flags changed since that date for the people matching these filters.'
              : 'No one matches these filters.',
          )
    }
    ${actionsByOwner(data.rows)} ${releasedToMeeting(data.rows)}
    ${deselectionRegister(data.deselections, DESELECTIONS_SHOWN)} ${cohortCharts(data.metrics)}`;
  return page({ title: 'Tasking board', body, principal: data.principal, csrf: data.csrf, section: 'board' });
}

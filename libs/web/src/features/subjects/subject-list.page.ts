import type { Principal } from '@throughline/auth';
import type { PurposeOfUse } from '@throughline/domain';
import type { ServedRecord } from '@throughline/subjects';
import { bandBadge, TREND_TEXT, when } from '../../html/format';
import { html, type SafeHtml } from '../../html/html';
import { empty, page, tableRegion } from '../../html/layout';
import { withQuery } from '../../html/query';
import { withheldText } from './basis';
import { purposeSelect } from './purpose-select';
import { type ListFilter, nameOf } from './subject-query';

export interface SubjectListData {
  readonly principal: Principal;
  readonly csrf: string;
  readonly purpose: PurposeOfUse;
  readonly filter: ListFilter;
  readonly records: readonly ServedRecord[];
  /** The cursor of the next page of the list, null on its last page. */
  readonly nextCursor: string | null;
  /** Whether this is a later page than the first. */
  readonly paged: boolean;
}

/** Links to the first and the next page of the list, with the filters and purpose kept. */
function pager(data: SubjectListData): SafeHtml | string {
  if (data.nextCursor === null && !data.paged) return '';
  const { filter } = data;
  const current = {
    purpose: data.purpose,
    band: filter.band,
    cohortClass: filter.cohortClass,
    inCustody: filter.inCustody === null ? null : String(filter.inCustody),
    q: filter.q,
  };
  return html`<nav class="pager" aria-label="Pages of the list">
    ${data.paged && html`<a href="${withQuery('/app/subjects', current, {})}">First page</a>`}
    ${
      data.nextCursor !== null &&
      html`<a rel="next" href="${withQuery('/app/subjects', current, { cursor: data.nextCursor })}"
        >Next page</a
      >`
    }
  </nav>`;
}

function filters(data: SubjectListData): SafeHtml {
  const { filter } = data;
  const option = (value: string, text: string, current: string | null): SafeHtml =>
    html`<option value="${value}" ${value === (current ?? '') ? html`selected` : ''}>${text}</option>`;
  const custody = filter.inCustody === null ? null : String(filter.inCustody);
  return html`<form class="filters" method="get" action="/app/subjects" aria-label="Filter the subjects">
    ${purposeSelect(data.purpose)}
    <div class="field">
      <label for="f-band">Band</label>
      <select id="f-band" name="band">
        ${option('', 'Any', filter.band)} ${option('red', 'Red', filter.band)}
        ${option('amber', 'Amber', filter.band)} ${option('green', 'Green', filter.band)}
      </select>
    </div>
    <div class="field">
      <label for="f-class">Cohort class</label>
      <input type="text" id="f-class" name="cohortClass" value="${filter.cohortClass ?? ''}" maxlength="40" />
    </div>
    <div class="field">
      <label for="f-custody">Custody</label>
      <select id="f-custody" name="inCustody">
        ${option('', 'Any', custody)} ${option('true', 'In custody', custody)}
        ${option('false', 'Not in custody', custody)}
      </select>
    </div>
    <div class="field">
      <label for="f-q">Name or identifier contains</label>
      <input type="search" id="f-q" name="q" value="${filter.q ?? ''}" maxlength="100" />
    </div>
    <div class="actions-inline">
      <button type="submit">Show</button>
      <a class="button secondary" href="/app/subjects">Clear</a>
    </div>
  </form>`;
}

/** A cell's value, or what the reader's basis says in its place when the field is withheld. */
const cell = (record: ServedRecord, path: string, shown: () => SafeHtml | string): SafeHtml | string => {
  const basis = record.withheld[path];
  return basis ? withheldText(basis) : shown();
};

function row(record: ServedRecord, purpose: PurposeOfUse): SafeHtml {
  const href = withQuery(`/app/subjects/${record.subjectId}`, {}, { purpose });
  const { wanted, 'custody.status': custody } = record.withheld;
  return html`<tr>
    <th scope="row"><a href="${href}">${nameOf(record)}</a></th>
    <td>
      ${cell(
        record,
        'cohort.band',
        () =>
          html`${record.cohort.band ? bandBadge(record.cohort.band) : html`<span class="muted">—</span>`}
          ${record.cohort.trend && html`<span class="muted">${TREND_TEXT[record.cohort.trend]}</span>`}`,
      )}
    </td>
    <td>${cell(record, 'cohort.cohortClass', () => record.cohort.cohortClass ?? '—')}</td>
    <td>${cell(record, 'cohort.status', () => record.cohort.status ?? '—')}</td>
    <td>
      ${
        custody
          ? html`Custody: ${withheldText(custody)}<br />`
          : record.custody.status === 'in-custody' && html`<span class="flag">In custody</span>`
      }
      ${
        wanted
          ? html`Wanted: ${withheldText(wanted)}`
          : record.wanted && html`<span class="flag flag-warn">Wanted</span>`
      }
    </td>
    <td>${cell(record, 'openNeeds', () => record.openNeeds?.join(', ') || '—')}</td>
    <td>${when(record.lastEventAt)}</td>
  </tr>`;
}

export function subjectListPage(data: SubjectListData): string {
  const table = html`<table>
    <caption>
      People your agency works with
      (${data.records.length}${data.nextCursor !== null || data.paged ? ' on this page' : ''}), for
      ${data.purpose}
    </caption>
    <thead>
      <tr>
        <th scope="col">Name</th>
        <th scope="col">Band</th>
        <th scope="col">Class</th>
        <th scope="col">Cohort status</th>
        <th scope="col">Custody / wanted</th>
        <th scope="col">Open pathway needs</th>
        <th scope="col">Last event</th>
      </tr>
    </thead>
    <tbody>
      ${data.records.map((record) => row(record, data.purpose))}
    </tbody>
  </table>`;
  const body = html`<h1>Subjects</h1>
    <p class="lede">
      The people your agency works with, as the sharing agreement lets ${data.principal.agency} see them for
      the purpose you choose.
    </p>
    ${filters(data)}
    ${data.records.length > 0 ? tableRegion('Subjects', table) : empty('No one matches these filters.')}
    ${pager(data)}`;
  return page({ title: 'Subjects', body, principal: data.principal, csrf: data.csrf, section: 'subjects' });
}

import type { AuditQuery, AuditRecord, SubjectNames } from '@throughline/audit';
import type { Principal } from '@throughline/auth';
import { PURPOSES_OF_USE } from '@throughline/domain';
import { when } from '../../html/format';
import { html, type SafeHtml } from '../../html/html';
import { empty, page, tableRegion } from '../../html/layout';
import { withQuery } from '../../html/query';
import { NO_NAMES, subjectIdsOf, subjectRef } from './subject-ref';

/** The register's filters as typed (dates as YYYY-MM-DD), kept for the form and the paging links. */
export interface RegisterFilter {
  readonly subjectId: string | null;
  readonly agency: string | null;
  readonly user: string | null;
  readonly purpose: string | null;
  readonly outcome: 'disclosed' | 'refused' | null;
  readonly from: string | null;
  readonly to: string | null;
}

export interface RegisterPageData {
  readonly principal: Principal;
  readonly csrf: string;
  readonly filter: RegisterFilter;
  readonly records: readonly AuditRecord[];
  readonly nextBefore: number | null;
  /** The names of the people the rows list, where the reader's own cut shows them. */
  readonly names: SubjectNames;
}

export const REGISTER_PAGE = 50;

/** The query the store runs for these filters: whole days, in UTC. */
export function toAuditQuery(filter: RegisterFilter, before: number | undefined): AuditQuery {
  return {
    limit: REGISTER_PAGE,
    ...(before ? { beforeSeq: before } : {}),
    ...(filter.subjectId ? { subjectId: filter.subjectId.toLowerCase() } : {}),
    ...(filter.agency ? { agency: filter.agency } : {}),
    ...(filter.user ? { user: filter.user } : {}),
    ...(filter.purpose ? { purpose: filter.purpose } : {}),
    ...(filter.outcome ? { outcome: filter.outcome } : {}),
    ...(filter.from ? { from: `${filter.from}T00:00:00.000Z` } : {}),
    ...(filter.to ? { to: `${filter.to}T23:59:59.999Z` } : {}),
  };
}

function grounds(record: AuditRecord): string {
  const names = new Set(
    record.content.subjects.flatMap((subject) =>
      subject.grounds.map((ground) => ground.clause ?? ground.rule),
    ),
  );
  return [...names].join(', ');
}

function subjects(record: AuditRecord, names: SubjectNames): SafeHtml {
  const ids = subjectIdsOf(record);
  if (ids.length === 0) return html`<span class="muted">none</span>`;
  if (ids.length > 3) return html`${ids.length} people`;
  return html`<ul class="plain targets">
    ${ids.map((id) => html`<li>${subjectRef(id, names, true)}</li>`)}
  </ul>`;
}

/** The rule and clause a refusal names, where a decision named them (break-glass claims and reviews). */
function refusalRule(refusal: AuditRecord['content']['refusal']): SafeHtml | string {
  if (!refusal?.rule) return '';
  return html`<br /><span class="muted"
      >${refusal.rule}${refusal.clause ? `, clause ${refusal.clause}` : ''}</span
    >`;
}

export function registerTable(
  records: readonly AuditRecord[],
  caption: string,
  names: SubjectNames = NO_NAMES,
): SafeHtml {
  return html`<table>
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        <th scope="col">Record</th>
        <th scope="col">When</th>
        <th scope="col">Who</th>
        <th scope="col">Read</th>
        <th scope="col">Outcome</th>
        <th scope="col">Purpose</th>
        <th scope="col">Subjects</th>
        <th scope="col">Basis</th>
      </tr>
    </thead>
    <tbody>
      ${records.map((record) => {
        const { seq, content } = record;
        return html`<tr>
          <th scope="row">${seq}</th>
          <td>${when(content.at)}</td>
          <td>
            ${content.principal.user}<br /><span class="muted"
              >${content.principal.agency} · ${content.principal.role}</span
            >
          </td>
          <td>${content.action}</td>
          <td>
            ${
              content.outcome === 'refused'
                ? html`<span class="flag flag-warn">refused</span> ${content.refusal?.status}
                    ${content.refusal?.reason}${refusalRule(content.refusal)}`
                : html`<span class="flag flag-ok">disclosed</span>`
            }
          </td>
          <td>${content.purpose ?? '—'}</td>
          <td>${subjects(record, names)}</td>
          <td>${grounds(record)}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

function text(name: keyof RegisterFilter, label: string, value: string | null, type = 'text'): SafeHtml {
  return html`<div class="field">
    <label for="r-${name}">${label}</label>
    <input type="${type}" id="r-${name}" name="${name}" value="${value ?? ''}" maxlength="64" />
  </div>`;
}

function choice(
  name: keyof RegisterFilter,
  label: string,
  value: string | null,
  options: readonly string[],
): SafeHtml {
  return html`<div class="field">
    <label for="r-${name}">${label}</label>
    <select id="r-${name}" name="${name}">
      <option value="">Any</option>
      ${options.map((option) => html`<option value="${option}" ${option === value ? html`selected` : ''}>${option}</option>`)}
    </select>
  </div>`;
}

export function registerPage(data: RegisterPageData): string {
  const { filter } = data;
  const older =
    data.nextBefore !== null &&
    withQuery('/app/ig/disclosures', { ...filter }, { before: String(data.nextBefore) });
  const body = html`<h1>Disclosure register</h1>
    <p class="lede">Every read of subject data and every refused attempt, newest first.</p>
    <form class="filters" method="get" action="/app/ig/disclosures" aria-label="Filter the register">
      ${text('subjectId', 'Subject (partnership id)', filter.subjectId)}
      ${text('agency', 'Agency', filter.agency)} ${text('user', 'User', filter.user)}
      ${choice('purpose', 'Purpose', filter.purpose, PURPOSES_OF_USE)}
      ${choice('outcome', 'Outcome', filter.outcome, ['disclosed', 'refused'])}
      ${text('from', 'From', filter.from, 'date')} ${text('to', 'To', filter.to, 'date')}
      <div class="actions-inline">
        <button type="submit">Filter</button>
        <a class="button secondary" href="/app/ig/disclosures">Clear</a>
      </div>
    </form>
    ${
      data.records.length === 0
        ? empty('No records match these filters.')
        : tableRegion(
            'Disclosure register',
            registerTable(data.records, `Disclosures (${data.records.length} shown)`, data.names),
          )
    }
    <nav class="pager" aria-label="Register pages">
      <a href="${withQuery('/app/ig/disclosures', { ...filter }, {})}">Newest</a>
      ${older && html`<a href="${older}">Older records</a>`}
    </nav>`;
  return page({
    title: 'Disclosure register',
    body,
    principal: data.principal,
    csrf: data.csrf,
    section: 'register',
  });
}

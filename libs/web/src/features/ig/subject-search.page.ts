import type { SubjectFound } from '@throughline/audit';
import type { Principal } from '@throughline/auth';
import { dateOnly } from '../../html/format';
import { html, type SafeHtml } from '../../html/html';
import { empty, page, tableRegion } from '../../html/layout';
import { withQuery } from '../../html/query';

/** The search as typed, kept for the form. */
export interface SubjectSearchForm {
  readonly identifier: string | null;
  readonly familyName: string | null;
  readonly givenName: string | null;
  readonly dateOfBirth: string | null;
}

export interface SubjectSearchPageData {
  readonly principal: Principal;
  readonly csrf: string;
  readonly form: SubjectSearchForm;
  /** Null before anything is searched for. */
  readonly found: readonly SubjectFound[] | null;
}

function field(
  name: keyof SubjectSearchForm,
  label: string,
  value: string | null,
  type = 'text',
  hint = '',
): SafeHtml {
  return html`<div class="field">
    <label for="s-${name}">${label}</label>
    <input
      type="${type}"
      id="s-${name}"
      name="${name}"
      value="${value ?? ''}"
      maxlength="100"
      autocomplete="off"
      ${hint ? html`aria-describedby="s-${name}-hint"` : ''}
    />
    ${hint ? html`<span class="muted" id="s-${name}-hint">${hint}</span>` : ''}
  </div>`;
}

/** The two ways to look a person up; each form sends only its own fields. */
export function subjectSearchForms(form: SubjectSearchForm): SafeHtml {
  return html`<form class="filters" method="get" action="/app/ig/subjects" aria-label="Find by identifier">
      ${field('identifier', 'Identifier', form.identifier, 'text', 'pnc:, nhs:, crn:, nomis:, local: or a partnership id')}
      <button type="submit">Find by identifier</button>
    </form>
    <form class="filters" method="get" action="/app/ig/subjects" aria-label="Find by name and date of birth">
      ${field('familyName', 'Family name', form.familyName)}
      ${field('givenName', 'Given name (optional)', form.givenName)}
      ${field('dateOfBirth', 'Date of birth', form.dateOfBirth, 'date')}
      <button type="submit">Find by name and date of birth</button>
    </form>`;
}

function results(found: readonly SubjectFound[]): SafeHtml {
  if (found.length === 0) return empty('Nobody held matches this search.');
  return tableRegion(
    'People found',
    html`<table>
      <caption>
        People found
      </caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Date of birth</th>
          <th scope="col">Partnership id</th>
          <th scope="col">Identifiers</th>
          <th scope="col">Subject access</th>
        </tr>
      </thead>
      <tbody>
        ${found.map(
          (person) =>
            html`<tr>
              <th scope="row">
                ${person.familyName ?? html`<span class="muted">redacted</span>`}${person.givenName ? `, ${person.givenName}` : ''}
              </th>
              <td>${dateOnly(person.dateOfBirth)}</td>
              <td><code>${person.subjectId}</code></td>
              <td>${person.identifiers.map((identifier) => html`<code>${identifier}</code><br />`)}</td>
              <td>
                <a href="${withQuery('/app/ig/access-export', {}, { subjectId: person.subjectId })}"
                  >Download export</a
                ><br />
                <a href="${withQuery('/app/ig/disclosures', {}, { subjectId: person.subjectId })}"
                  >Disclosures</a
                >
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`,
  );
}

export function subjectSearchPage(data: SubjectSearchPageData): string {
  const body = html`<h1>Find a person</h1>
    <p class="lede">
      For a subject access request: find the person by any identifier an agency knows them by, or by family
      name and date of birth. Each search is recorded in the audit log with the people it found.
    </p>
    ${subjectSearchForms(data.form)} ${data.found === null ? '' : results(data.found)}`;
  return page({ title: 'Find a person', body, principal: data.principal, csrf: data.csrf, section: 'ig' });
}

import type { SubjectNames } from '@throughline/audit';
import type { Principal } from '@throughline/auth';
import { DATA_CATEGORIES, PURPOSES_OF_USE } from '@throughline/domain';
import type { DueReview, RestrictionFact } from '@throughline/sharing';
import { dateOnly, when } from '../../html/format';
import { html, type SafeHtml } from '../../html/html';
import { empty, page, tableRegion } from '../../html/layout';
import { CATEGORY_TEXT } from '../subjects/basis';
import { subjectRef } from './subject-ref';

export interface RecordsPageData {
  readonly principal: Principal;
  readonly csrf: string;
  readonly today: string;
  readonly reviews: readonly DueReview[];
  readonly restrictions: readonly (RestrictionFact & { readonly subjectId: string })[];
  /** Set after a decision, to confirm what was recorded. */
  readonly notice: string | null;
  /** The names of the people listed, where the reader's own cut shows them. */
  readonly names: SubjectNames;
}

const TRIGGER_TEXT: Readonly<Record<DueReview['trigger'], string>> = {
  'last-event': 'after your agency’s last event of the category',
  'de-selection': 'after de-selection from the cohort',
  'end-of-order': 'after the order ended',
  'date-of-birth': 'after the date of birth',
  retained: 'the next review set when it was last retained',
};

function why(review: DueReview): SafeHtml {
  return review.trigger === 'retained'
    ? html`Retained on ${dateOnly(review.since)}: ${TRIGGER_TEXT.retained}`
    : html`${review.years} years ${TRIGGER_TEXT[review.trigger]} (${dateOnly(review.since)})`;
}

function retainForm(review: DueReview, csrf: string): SafeHtml {
  const id = `${review.subjectId}-${review.category}`;
  return html`<form
    method="post"
    action="/app/ig/reviews/${review.subjectId}/retain"
    aria-label="Retain ${review.category}"
  >
    <input type="hidden" name="_csrf" value="${csrf}" />
    <input type="hidden" name="category" value="${review.category}" />
    <div class="field">
      <label for="reason-${id}">Why it is still needed</label>
      <textarea id="reason-${id}" name="reason" maxlength="2000" rows="2" required></textarea>
    </div>
    <div class="field">
      <label for="next-${id}">Next review</label>
      <input type="date" id="next-${id}" name="nextReview" required />
    </div>
    <button type="submit">Retain</button>
  </form>`;
}

/** Erasing cannot be undone: the form says so and asks for the decision it carries out. */
function eraseForm(review: DueReview, csrf: string): SafeHtml {
  const id = `${review.subjectId}-${review.category}`;
  return html`<details>
    <summary>Erase instead</summary>
    <form
      method="post"
      action="/app/ig/reviews/${review.subjectId}/erase"
      aria-label="Erase ${review.category}"
    >
      <input type="hidden" name="_csrf" value="${csrf}" />
      <input type="hidden" name="category" value="${review.category}" />
      <p>
        Your agency’s ${CATEGORY_TEXT[review.category]} data about this person is destroyed for good. The
        reason and reference are kept for good: name the grounds, not the person’s data.
      </p>
      <div class="field">
        <label for="erase-reason-${id}">Why it is erased</label>
        <textarea id="erase-reason-${id}" name="reason" maxlength="500" rows="2" required></textarea>
      </div>
      <div class="field">
        <label for="erase-ref-${id}">Decision reference</label>
        <input type="text" id="erase-ref-${id}" name="decisionRef" maxlength="200" required />
      </div>
      <div class="field">
        <input type="checkbox" id="erase-confirm-${id}" name="confirm" value="yes" required />
        <label for="erase-confirm-${id}">This cannot be undone</label>
      </div>
      <button type="submit" class="warning">Erase</button>
    </form>
  </details>`;
}

function reviewsTable(data: RecordsPageData): SafeHtml {
  if (data.reviews.length === 0) return empty('No review of your agency’s data is due.');
  return tableRegion(
    'Reviews due',
    html`<table>
      <caption>
        Your agency’s data due for review on ${dateOnly(data.today)} (${data.reviews.length})
      </caption>
      <thead>
        <tr>
          <th scope="col">Subject</th>
          <th scope="col">Category</th>
          <th scope="col">Due</th>
          <th scope="col">Why</th>
          <th scope="col">Decision</th>
        </tr>
      </thead>
      <tbody>
        ${data.reviews.map(
          (review) =>
            html`<tr>
              <th scope="row">${subjectRef(review.subjectId, data.names)}</th>
              <td>${CATEGORY_TEXT[review.category]}</td>
              <td>${dateOnly(review.dueOn)}</td>
              <td>${why(review)}</td>
              <td>${retainForm(review, data.csrf)} ${eraseForm(review, data.csrf)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`,
  );
}

function restrictForm(csrf: string): SafeHtml {
  return html`<form method="post" action="/app/ig/restrictions" aria-label="Restrict processing">
    <input type="hidden" name="_csrf" value="${csrf}" />
    <div class="field">
      <label for="restrict-subject">Partnership id of the subject</label>
      <input
        type="text"
        id="restrict-subject"
        name="subjectId"
        required
        size="38"
        maxlength="36"
        pattern="[0-9a-fA-F-]{36}"
        autocomplete="off"
      />
    </div>
    <fieldset>
      <legend>Your agency’s data to restrict</legend>
      ${DATA_CATEGORIES.map(
        (category) =>
          html`<label
            ><input type="checkbox" name="categories" value="${category}" /> ${CATEGORY_TEXT[category]}</label
          > `,
      )}
    </fieldset>
    <fieldset>
      <legend>Purposes it may still be used for (none: no use at all)</legend>
      ${PURPOSES_OF_USE.map(
        (purpose) =>
          html`<label><input type="checkbox" name="purposes" value="${purpose}" /> ${purpose}</label> `,
      )}
    </fieldset>
    <div class="field">
      <label for="restrict-reason">Why</label>
      <textarea id="restrict-reason" name="reason" maxlength="2000" rows="2" required></textarea>
    </div>
    <div class="field">
      <label for="restrict-basis">Legal basis</label>
      <input
        type="text"
        id="restrict-basis"
        name="legalBasis"
        maxlength="200"
        value="DPA 2018 s.47"
        required
      />
    </div>
    <button type="submit" class="warning">Restrict</button>
  </form>`;
}

function restrictionsTable(data: RecordsPageData): SafeHtml {
  if (data.restrictions.length === 0) return empty('Your agency has no restriction in force.');
  return tableRegion(
    'Restrictions in force',
    html`<table>
      <caption>
        Your agency’s restrictions in force (${data.restrictions.length})
      </caption>
      <thead>
        <tr>
          <th scope="col">Subject</th>
          <th scope="col">Categories</th>
          <th scope="col">Still allowed for</th>
          <th scope="col">Restricted</th>
          <th scope="col">Why</th>
          <th scope="col">Lift</th>
        </tr>
      </thead>
      <tbody>
        ${data.restrictions.map(
          (restriction) =>
            html`<tr>
              <th scope="row">${subjectRef(restriction.subjectId, data.names)}</th>
              <td>${restriction.categories.map((category) => CATEGORY_TEXT[category]).join(', ')}</td>
              <td>${restriction.purposes.length === 0 ? 'No purpose' : restriction.purposes.join(', ')}</td>
              <td>${when(restriction.restrictedAt)} by ${restriction.restrictedBy}</td>
              <td>${restriction.reason} (${restriction.legalBasis})</td>
              <td>
                <form
                  method="post"
                  action="/app/ig/restrictions/${restriction.subjectId}/${restriction.restrictionId}/lift"
                  aria-label="Lift restriction"
                >
                  <input type="hidden" name="_csrf" value="${data.csrf}" />
                  <div class="field">
                    <label for="lift-${restriction.restrictionId}">Why it ends</label>
                    <textarea
                      id="lift-${restriction.restrictionId}"
                      name="reason"
                      maxlength="2000"
                      rows="2"
                      required
                    ></textarea>
                  </div>
                  <button type="submit">Lift</button>
                </form>
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`,
  );
}

/** The IG lead's records management: reviews due under the retention schedule, and restrictions. */
export function recordsPage(data: RecordsPageData): string {
  const body = html`<h1>Records management</h1>
    <p class="lede">
      Your agency’s data about each person is reviewed when the agreement’s retention schedule says (MoPI for
      police data). Retain it with the reason and the next review date, erase it for good, or restrict its
      processing. Every decision is recorded as an event and on the audit log.
    </p>
    ${data.notice && html`<div class="notice ok" role="status">${data.notice}</div>`}
    <section aria-labelledby="reviews">
      <h2 id="reviews">Reviews due</h2>
      ${reviewsTable(data)}
    </section>
    <section aria-labelledby="restrict">
      <h2 id="restrict">Restrict processing</h2>
      ${restrictForm(data.csrf)}
    </section>
    <section aria-labelledby="restrictions">
      <h2 id="restrictions">Restrictions in force</h2>
      ${restrictionsTable(data)}
    </section>`;
  return page({
    title: 'Records management',
    body,
    principal: data.principal,
    csrf: data.csrf,
    section: 'ig',
  });
}

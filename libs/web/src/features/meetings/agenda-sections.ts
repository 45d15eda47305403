import type { Agenda, AgendaPerson, AgendaRead } from '@throughline/tasking';
import { bandBadge, dateOnly, fieldLabel, plural, valueText } from '../../html/format';
import { html, type SafeHtml } from '../../html/html';
import { empty, tableRegion } from '../../html/layout';

export const personName = (person: { name: string | null }): string => person.name ?? 'Name not shared';

function peopleTable(
  label: string,
  caption: string,
  headings: readonly string[],
  rows: readonly { person: AgendaPerson; cells: readonly SafeHtml[] }[],
  none: string,
): SafeHtml {
  if (rows.length === 0) return empty(none);
  return tableRegion(
    label,
    html`<table class="compact">
      <caption>
        ${caption}
      </caption>
      <thead>
        <tr>
          <th scope="col">Person</th>
          <th scope="col">Band</th>
          ${headings.map((heading) => html`<th scope="col">${heading}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          ({ person, cells }) =>
            html`<tr>
              <th scope="row">${personName(person)}</th>
              <td>${bandBadge(person.band)}</td>
              ${cells.map((cell) => html`<td>${cell}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>`,
  );
}

function bandMovement(agenda: Agenda): SafeHtml {
  const { before, now, rose, fell, movers } = agenda.bandMovement;
  const row = (label: string, counts: typeof now): SafeHtml =>
    html`<tr>
      <th scope="row">${label}</th>
      <td>${counts.red}</td>
      <td>${counts.amber}</td>
      <td>${counts.green}</td>
      <td>${counts.none}</td>
    </tr>`;
  return html`<h2 id="bands">Band movement since the last meeting</h2>
    ${
      before === null
        ? empty('There is no earlier meeting to compare with: this is the first on the record.')
        : html`<p>
            ${plural(rose, 'person', 'people')} rose and ${fell} fell a band since the last meeting.
          </p>`
    }
    ${tableRegion(
      'Bands',
      html`<table class="compact">
        <caption>
          People in the meeting's cohort by band
        </caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Red</th>
            <th scope="col">Amber</th>
            <th scope="col">Green</th>
            <th scope="col">No band</th>
          </tr>
        </thead>
        <tbody>
          ${before && row('At the last meeting', before)} ${row('Now', now)}
        </tbody>
      </table>`,
    )}
    ${
      movers.length > 0 &&
      html`<details>
        <summary>Who moved (${movers.length})</summary>
        <ul>
          ${movers.map(
            (mover) => html`<li>${personName(mover)}: ${bandBadge(mover.from)} → ${bandBadge(mover.to)}</li>`,
          )}
        </ul>
      </details>`
    }`;
}

/** The agenda's sections: band movement, changes, reviews, overdue actions, releases, referrals. */
export function agendaSections(read: AgendaRead): SafeHtml {
  const { agenda } = read;
  return html`${bandMovement(agenda)}
    <h2 id="changed">Changed since the last meeting</h2>
    ${
      agenda.changed === null
        ? empty('There is no earlier meeting to count changes from.')
        : peopleTable(
            'Changed since the last meeting',
            `Flags changed since ${agenda.previous?.date ?? ''} (${agenda.changed.length})`,
            ['What changed'],
            agenda.changed.map((person) => ({
              person,
              cells: [
                html`<ul class="plain">
                  ${person.changes.map(
                    (change) =>
                      html`<li>
                        ${fieldLabel(change.flag)}: ${valueText(change.before)} → ${valueText(change.after)}
                      </li>`,
                  )}
                </ul>`,
              ],
            })),
            'No flags changed since the last meeting.',
          )
    }
    <h2 id="reviews">Due for review</h2>
    ${peopleTable(
      'Due for review',
      `Reviews due in the next 28 days or overdue (${agenda.dueForReview.length})`,
      ['Review due'],
      agenda.dueForReview.map((person) => ({
        person,
        cells: [
          html`${dateOnly(person.reviewDue)}${person.overdue && html` <span class="flag flag-warn">overdue</span>`}`,
        ],
      })),
      'No reviews are due.',
    )}
    <h2 id="overdue">Overdue actions</h2>
    ${peopleTable(
      'Overdue actions',
      `Actions past their due date (${agenda.overdueActions.length})`,
      ['Owner', 'Action', 'Due'],
      agenda.overdueActions.map((action) => ({
        person: action,
        cells: [html`${action.ownerAgency}`, html`${action.text}`, dateOnly(action.due)],
      })),
      'No action is overdue.',
    )}
    <h2 id="releases">Releases in the next 28 days</h2>
    ${peopleTable(
      'Releases in the next 28 days',
      `Release dates on or before ${read.today.slice(0, 10)} + 28 days (${agenda.releases.length})`,
      ['Release'],
      agenda.releases.map((person) => ({ person, cells: [dateOnly(person.releaseDate)] })),
      'No one is due for release in the next 28 days.',
    )}
    <h2 id="referrals">Referrals awaiting a decision</h2>
    ${peopleTable(
      'Referrals awaiting a decision',
      `Referred to the scheme and not yet adopted, oldest first (${agenda.referrals.length})`,
      ['Referred by', 'Referred'],
      agenda.referrals.map((person) => ({
        person,
        cells: [html`${person.referredBy ?? 'Not shared'}`, dateOnly(person.referredAt)],
      })),
      'No referral awaits a decision.',
    )}`;
}

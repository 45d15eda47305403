import type { Principal } from '@throughline/auth';
import { decisionText, type Minutes } from '@throughline/tasking';
import { dateOnly, when } from '../../html/format';
import { html, type SafeHtml } from '../../html/html';
import { empty, page, tableRegion } from '../../html/layout';
import { personName } from './agenda-sections';

/** The decisions and actions of the minutes, under headings of the level given. */
export function minutesBody(minutes: Minutes, level: 2 | 3): SafeHtml {
  const decisions = minutes.people.flatMap((person) =>
    person.decisions.map((decision) => ({ person, decision })),
  );
  const actions = minutes.people.flatMap((person) => person.actions.map((action) => ({ person, action })));
  const heading = (id: string, text: string): SafeHtml =>
    level === 2 ? html`<h2 id="${id}">${text}</h2>` : html`<h3 id="${id}">${text}</h3>`;
  return html`${heading('decisions', 'Decisions')}
  ${
    decisions.length === 0
      ? empty('No decision recorded.')
      : tableRegion(
          'Decisions',
          html`<table>
            <caption>
              Decisions (${decisions.length})
            </caption>
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Decision</th>
              </tr>
            </thead>
            <tbody>
              ${decisions.map(
                ({ person, decision }) =>
                  html`<tr>
                    <th scope="row">${personName(person)}</th>
                    <td>${decisionText(decision)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`,
        )
  }
  ${heading('actions', 'Actions')}
  ${
    actions.length === 0
      ? empty('No action set.')
      : tableRegion(
          'Actions',
          html`<table>
            <caption>
              Actions (${actions.length})
            </caption>
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Owner</th>
                <th scope="col">Due</th>
                <th scope="col">Action</th>
                <th scope="col">Done</th>
              </tr>
            </thead>
            <tbody>
              ${actions.map(
                ({ person, action }) =>
                  html`<tr>
                    <th scope="row">${personName(person)}</th>
                    <td>${action.ownerAgency}</td>
                    <td>${dateOnly(action.due)}</td>
                    <td>${action.text}</td>
                    <td>${action.completed ? 'Yes' : 'No'}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`,
        )
  }`;
}

/** The minutes, ready to print: what the meeting saw and decided, and nothing more. */
export function minutesPage(data: { principal: Principal; csrf: string; minutes: Minutes }): string {
  const { meeting } = data.minutes;
  const body = html`<article class="minutes">
    <h1>Minutes: tasking meeting, ${when(meeting.date)}</h1>
    ${
      !data.minutes.final &&
      html`<p class="notice">Draft: the meeting is still open, so more may be recorded.</p>`
    }
    <dl class="facts">
      <dt>Date</dt>
      <dd>${when(meeting.date)}</dd>
      <dt>Chair</dt>
      <dd>${meeting.chair} (${meeting.chairAgency})</dd>
      <dt>Agencies present</dt>
      <dd>${meeting.agenciesPresent.join(', ')}</dd>
      <dt>Cohort</dt>
      <dd>${meeting.cohortClasses.length === 0 ? 'The whole cohort' : meeting.cohortClasses.join(', ')}</dd>
    </dl>
    ${minutesBody(data.minutes, 2)}
    <p class="actions-inline no-print">
      <a class="button" href="/app/meetings/${meeting.meetingId}/minutes.md" download>Download (Markdown)</a>
      <a class="button secondary" href="/app/meetings/${meeting.meetingId}">Back to the meeting</a>
      <span class="muted">Print from your browser: the page prints without its navigation.</span>
    </p>
    <p class="muted print-only">
      Opening these minutes was recorded in the partnership's audit log. They hold only what the meeting was
      allowed to see.
    </p>
  </article>`;
  return page({
    title: `Minutes ${meeting.date}`,
    body,
    principal: data.principal,
    csrf: data.csrf,
    section: 'meetings',
  });
}

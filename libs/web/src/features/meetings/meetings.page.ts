import type { Principal } from '@throughline/auth';
import { COHORT_BANDS, COHORT_CLASSES, DESELECTION_REASONS } from '@throughline/domain';
import {
  type AgendaPerson,
  agendaPeople,
  type AgendaRead,
  type Meeting,
  type Minutes,
} from '@throughline/tasking';
import { plural, when } from '../../html/format';
import { html, type SafeHtml } from '../../html/html';
import { empty, page, tableRegion } from '../../html/layout';
import { agendaSections, personName } from './agenda-sections';
import { minutesBody } from './minutes.page';

const cohortText = (meeting: Meeting): string =>
  meeting.cohortClasses.length === 0 ? 'The whole cohort' : meeting.cohortClasses.join(', ');

function checkboxes(
  name: string,
  legend: string,
  options: readonly string[],
  checked: readonly string[],
): SafeHtml {
  return html`<fieldset class="field">
    <legend>${legend}</legend>
    <div class="actions-inline">
      ${options.map(
        (option) =>
          html`<label
            ><input
              type="checkbox"
              name="${name}"
              value="${option}"
              ${checked.includes(option) ? html`checked` : ''}
            />
            ${option}</label
          >`,
      )}
    </div>
  </fieldset>`;
}

export interface MeetingListData {
  readonly principal: Principal;
  readonly csrf: string;
  readonly meetings: readonly Meeting[];
  readonly agencies: readonly string[];
  readonly today: string;
}

export function meetingListPage(data: MeetingListData): string {
  const open = data.meetings.find((meeting) => meeting.closedAt === null);
  const body = html`<h1>Tasking meetings</h1>
    <p class="lede">
      Each meeting is recorded on the log: its date, chair, the agencies present and the cohort it covers. Its
      agenda is built from the board; its decisions and actions are recorded about each person, and its
      minutes hold only what the meeting was allowed to see.
    </p>
    ${
      open
        ? html`<p class="notice">
            The meeting of ${when(open.date)} is open:
            <a href="/app/meetings/${open.meetingId}">go to its agenda</a>.
          </p>`
        : html`<h2 id="open">Open a meeting</h2>
            <form method="post" action="/app/meetings" class="filters" aria-label="Open a meeting">
              <input type="hidden" name="_csrf" value="${data.csrf}" />
              <div class="field">
                <label for="m-date">Date</label>
                <input type="date" id="m-date" name="date" value="${data.today}" required />
              </div>
              ${checkboxes('agenciesPresent', 'Agencies present', data.agencies, [data.principal.agency])}
              ${checkboxes('cohortClasses', 'Cohort classes covered (none: the whole cohort)', COHORT_CLASSES, [])}
              <div class="actions-inline"><button type="submit">Open the meeting</button></div>
            </form>`
    }
    <h2 id="meetings">Meetings</h2>
    ${
      data.meetings.length === 0
        ? empty('No meeting has been recorded yet.')
        : tableRegion(
            'Meetings',
            html`<table>
              <caption>
                ${plural(data.meetings.length, 'meeting')}, newest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Chair</th>
                  <th scope="col">Agencies present</th>
                  <th scope="col">Cohort</th>
                  <th scope="col">Status</th>
                  <th scope="col">Minutes</th>
                </tr>
              </thead>
              <tbody>
                ${data.meetings.map(
                  (meeting) =>
                    html`<tr>
                      <th scope="row">
                        <a href="/app/meetings/${meeting.meetingId}">${when(meeting.date)}</a>
                      </th>
                      <td>${meeting.chair} (${meeting.chairAgency})</td>
                      <td>${meeting.agenciesPresent.join(', ')}</td>
                      <td>${cohortText(meeting)}</td>
                      <td>
                        ${meeting.closedAt === null ? html`<span class="flag flag-warn">Open</span>` : 'Closed'}
                      </td>
                      <td><a href="/app/meetings/${meeting.meetingId}/minutes">Minutes</a></td>
                    </tr>`,
                )}
              </tbody>
            </table>`,
          )
    }`;
  return page({
    title: 'Tasking meetings',
    body,
    principal: data.principal,
    csrf: data.csrf,
    section: 'meetings',
  });
}

const option = (value: string, text: string = value): SafeHtml =>
  html`<option value="${value}">${text}</option>`;

function personSelect(id: string, people: readonly AgendaPerson[]): SafeHtml {
  return html`<div class="field">
    <label for="${id}">Person</label>
    <select id="${id}" name="subjectId" required>
      ${people.map((person) => option(person.subjectId, personName(person)))}
    </select>
  </div>`;
}

function forms(
  meeting: Meeting,
  csrf: string,
  people: readonly AgendaPerson[],
  agencies: readonly string[],
): SafeHtml {
  if (people.length === 0)
    return empty('The agenda names no one, so there is no one to record a decision about.');
  return html`<div class="grid">
    <form
      method="post"
      action="/app/meetings/${meeting.meetingId}/decisions"
      class="card"
      aria-labelledby="decide"
    >
      <h3 id="decide">Record a decision</h3>
      <input type="hidden" name="_csrf" value="${csrf}" />
      ${personSelect('d-person', people)}
      <div class="field">
        <label for="d-decision">Decision</label>
        <select id="d-decision" name="decision" required>
          ${option('escalate', 'Escalate')} ${option('band-change', 'Band change agreed')}
          ${option('deselect', 'De-select')} ${option('adopt', 'Adopt or re-class')}
        </select>
      </div>
      <div class="field">
        <label for="d-text">Reason (escalation, band change) or note (de-selection)</label>
        <textarea id="d-text" name="text" maxlength="2000"></textarea>
      </div>
      <fieldset class="field">
        <legend>For a band change</legend>
        <label for="d-band">Band agreed</label>
        <select id="d-band" name="band">
          ${option('', '—')} ${COHORT_BANDS.map((band) => option(band))}
        </select>
      </fieldset>
      <fieldset class="field">
        <legend>For a de-selection</legend>
        <label for="d-reason">Reason</label>
        <select id="d-reason" name="deselectReason">
          ${option('', '—')} ${DESELECTION_REASONS.map((reason) => option(reason))}
        </select>
      </fieldset>
      <fieldset class="field">
        <legend>For an adoption</legend>
        <label for="d-class">Cohort class</label>
        <select id="d-class" name="cohortClass">
          ${option('', '—')} ${COHORT_CLASSES.map((c) => option(c))}
        </select>
        <label for="d-category">Category</label>
        <select id="d-category" name="category">
          ${option('', '—')} ${['1', '2', '3', '4'].map((c) => option(c))}
        </select>
        <label for="d-statutory">Statutory</label>
        <select id="d-statutory" name="statutory">
          ${option('false', 'No')} ${option('true', 'Yes')}
        </select>
        <label for="d-review">Review due</label>
        <input type="date" id="d-review" name="reviewDue" />
      </fieldset>
      <button type="submit">Record the decision</button>
    </form>
    <form
      method="post"
      action="/app/meetings/${meeting.meetingId}/actions"
      class="card"
      aria-labelledby="act"
    >
      <h3 id="act">Set an action</h3>
      <input type="hidden" name="_csrf" value="${csrf}" />
      ${personSelect('a-person', people)}
      <div class="field">
        <label for="a-owner">Owner agency</label>
        <select id="a-owner" name="ownerAgency" required>
          ${agencies.map((agency) => option(agency))}
        </select>
      </div>
      <div class="field">
        <label for="a-due">Due</label>
        <input type="date" id="a-due" name="due" required />
      </div>
      <div class="field">
        <label for="a-text">Action</label>
        <textarea id="a-text" name="text" maxlength="1000" required></textarea>
      </div>
      <button type="submit">Set the action</button>
    </form>
  </div>`;
}

export interface MeetingPageData {
  readonly principal: Principal;
  readonly csrf: string;
  readonly read: AgendaRead;
  readonly minutes: Minutes;
  readonly agencies: readonly string[];
  readonly notice: string | null;
}

export function meetingPage(data: MeetingPageData): string {
  const { meeting, agenda } = data.read;
  const open = meeting.closedAt === null;
  const chairing =
    open && meeting.chair === data.principal.id && meeting.chairAgency === data.principal.agency;
  const body = html`<h1>Tasking meeting, ${when(meeting.date)}</h1>
    <p class="lede">
      ${open ? 'Open.' : html`Closed ${when(meeting.closedAt)}.`} The agenda is built from the board's flags
      for the meeting's cohort (${plural(agenda.covered, 'person', 'people')}); the detail behind a flag stays
      with the agency that owns it.
    </p>
    ${data.notice && html`<p class="notice ok" role="status">${data.notice}</p>`}
    <dl class="facts">
      <dt>Chair</dt>
      <dd>${meeting.chair} (${meeting.chairAgency})</dd>
      <dt>Agencies present</dt>
      <dd>${meeting.agenciesPresent.join(', ')}</dd>
      <dt>Cohort</dt>
      <dd>${cohortText(meeting)}</dd>
      <dt>Last meeting</dt>
      <dd>
        ${
          agenda.previous
            ? html`<a href="/app/meetings/${agenda.previous.meetingId}">${when(agenda.previous.date)}</a>,
                closed ${when(agenda.previous.closedAt)}`
            : 'None on the record'
        }
      </dd>
    </dl>
    <p class="actions-inline">
      <a class="button secondary" href="/app/meetings/${meeting.meetingId}/minutes">Minutes</a>
    </p>
    ${agendaSections(data.read)}
    ${
      chairing &&
      html`<h2 id="record">Decisions and actions</h2>
        ${forms(meeting, data.csrf, agendaPeople(agenda), data.agencies)}`
    }
    <h2 id="recorded">Recorded in this meeting</h2>
    ${minutesBody(data.minutes, 3)}
    ${
      chairing &&
      html`<form method="post" action="/app/meetings/${meeting.meetingId}/close">
        <input type="hidden" name="_csrf" value="${data.csrf}" />
        <button type="submit" class="warning">Close the meeting</button>
      </form>`
    }`;
  return page({
    title: `Tasking meeting ${meeting.date}`,
    body,
    principal: data.principal,
    csrf: data.csrf,
    section: 'meetings',
  });
}

import type { Principal } from '@throughline/auth';
import type { PurposeOfUse } from '@throughline/domain';
import type { DisclosedSubject, SubjectRecord } from '@throughline/subjects';
import { bandBadge, dateOnly, TREND_TEXT, when } from '../../html/format';
import { html, type Renderable, type SafeHtml } from '../../html/html';
import { page } from '../../html/layout';
import { withQuery } from '../../html/query';
import { sparkline } from '../board/charts';
import { purposeSelect } from './purpose-select';
import { nameOf } from './subject-query';
import { alertsList, timelineList } from './timeline';

export interface SubjectPageData {
  readonly principal: Principal;
  readonly csrf: string;
  readonly purpose: PurposeOfUse;
  readonly subject: DisclosedSubject;
  readonly disclosureId: string | null;
}

type Fact = readonly [string, Renderable];

/*
 * Facts appear only when the record holds them. An empty value is never shown as "no" or "0":
 * for a reader who may not see a category the record is simply silent, and the page must not
 * turn that silence into a claim (a mentor is never told "not wanted" or "0 arrests").
 */
function card(
  title: string,
  facts: readonly (Fact | false | null | undefined | '')[],
  extra?: SafeHtml,
): SafeHtml {
  const shown = facts.filter(
    (fact): fact is Fact => !!fact && fact[1] !== null && fact[1] !== undefined && fact[1] !== '',
  );
  return html`<section class="card" aria-label="${title}">
    <h2>${title}</h2>
    ${
      shown.length > 0 || extra
        ? html`${
            shown.length > 0 &&
            html`<dl class="facts">
              ${shown.map(
                ([label, value]) =>
                  html`<dt>${label}</dt>
                    <dd>${value}</dd>`,
              )}
            </dl>`
          }${extra}`
        : html`<p class="muted">Nothing recorded.</p>`
    }
  </section>`;
}

const count = (label: string, value: number): Fact | false => value > 0 && [label, value];

function identity(record: SubjectRecord): SafeHtml {
  return card('Identity', [
    record.identity && ['Date of birth', dateOnly(record.identity.dateOfBirth)],
    record.identity?.gender !== undefined && ['Gender', record.identity?.gender],
    record.identifiers.length > 0 && [
      'Identifiers',
      html`${record.identifiers.map((id) => html`${id.scheme}: ${id.value}<br />`)}`,
    ],
  ]);
}

function cohort(record: SubjectRecord): SafeHtml {
  const c = record.cohort;
  return card('Cohort', [
    c.status && ['Status', c.status],
    c.band && [
      'Band',
      html`${bandBadge(c.band)}${sparkline(c.bandHistory)} ${c.trend ? TREND_TEXT[c.trend] : ''}`,
    ],
    c.score !== null && ['Score', `${c.score} of 64`],
    c.cohortClass && ['Class', c.cohortClass],
    c.category !== null && ['Category', c.category],
    c.adoptedAt && ['Adopted', dateOnly(c.adoptedAt)],
    c.reviewDue && ['Review due', dateOnly(c.reviewDue)],
    c.deselection && ['De-selected', html`${dateOnly(c.deselection.at)}: ${c.deselection.reason}`],
  ]);
}

function custody(record: SubjectRecord): SafeHtml {
  const c = record.custody;
  const status =
    c.status === 'in-custody' ? 'In custody' : c.status === 'in-community' ? 'In the community' : null;
  return card('Custody', [
    status !== null && ['Status', status],
    c.establishment && ['Establishment', c.establishment],
    c.custodyType && ['Custody type', c.custodyType],
    c.receivedAt && ['Received', dateOnly(c.receivedAt)],
    c.expectedRelease && ['Expected release', dateOnly(c.expectedRelease)],
    c.plannedRelease && [
      'Planned release',
      html`${dateOnly(c.plannedRelease.date)} (${c.plannedRelease.type})`,
    ],
    c.releasedAt && ['Released', dateOnly(c.releasedAt)],
    c.onLicence && ['On licence', 'yes'],
    record.wanted && [
      'Wanted',
      html`<span class="flag flag-warn">Wanted</span> since ${dateOnly(record.wanted.since)}:
        ${record.wanted.reason}`,
    ],
  ]);
}

function supervision(record: SubjectRecord): SafeHtml {
  const s = record.supervision;
  const appointments = s.upcomingAppointments.slice(0, 5);
  return card(
    'Supervision',
    [
      s.order && ['Order', s.order],
      s.requirements.length > 0 && ['Requirements', s.requirements.join(', ')],
      s.licenceConditions.length > 0 && ['Licence conditions', s.licenceConditions.join(', ')],
      s.licenceEnds && ['Licence ends', dateOnly(s.licenceEnds)],
      count('Appointments attended', s.attended),
      count('Appointments missed', s.missed),
      count('Breaches', s.breaches),
      count('Recalls', s.recalls),
      s.lastHomeVisit && [
        'Last home visit',
        html`${dateOnly(s.lastHomeVisit.at)}: ${s.lastHomeVisit.outcome}`,
      ],
      record.risk && ['Risk', `${record.risk.tool}: ${record.risk.roshLevel}`],
    ],
    appointments.length > 0
      ? html`<h3>Next appointments</h3>
          <ul>
            ${appointments.map((a) => html`<li>${when(a.at)} with ${a.with}: ${a.purpose}</li>`)}
          </ul>`
      : undefined,
  );
}

function pathways(record: SubjectRecord): SafeHtml {
  const needs = Object.entries(record.pathwayNeeds).sort(([a], [b]) => a.localeCompare(b));
  return card('Pathway needs', [
    ...needs.map(([pathway, level]): Fact => [pathway, level === 'none' ? 'no need' : `${level} need`]),
    record.accommodation && [
      'Accommodation',
      `${record.accommodation.status}${record.accommodation.tenancyAtRisk ? ', tenancy at risk' : ''}`,
    ],
    record.treatment && [
      'Treatment',
      `${record.treatment.modality} (${record.treatment.status}${record.treatment.endedReason ? `: ${record.treatment.endedReason}` : ''})`,
    ],
    record.lastDrugTest && [
      'Last drug test',
      html`${dateOnly(record.lastDrugTest.at)} (${record.lastDrugTest.context}):
      ${record.lastDrugTest.positive.length > 0 ? `positive for ${record.lastDrugTest.positive.join(', ')}` : 'negative'}`,
    ],
    record.employment && ['Employment', record.employment.status],
  ]);
}

function keyWorkers(record: SubjectRecord): SafeHtml {
  return card(
    'Key workers',
    record.keyWorkers.map((worker): Fact => [worker.agency, `${worker.worker} (${worker.contact})`]),
  );
}

function actions(record: SubjectRecord): SafeHtml {
  if (record.openActions.length === 0) return html``;
  return card(
    'Open tasking actions',
    record.openActions.map((action): Fact => [
      action.ownerAgency,
      html`${action.text} (due ${dateOnly(action.due)})`,
    ]),
  );
}

export function subjectPage(data: SubjectPageData): string {
  const { record, entries } = data.subject;
  const timelineHref = withQuery(`/app/subjects/${record.subjectId}/timeline`, {}, { purpose: data.purpose });
  const body = html`<p>
      <a href="${withQuery('/app/subjects', {}, { purpose: data.purpose })}">All subjects</a>
    </p>
    <h1>${nameOf(record)}</h1>
    <p class="lede">
      What ${data.principal.agency} may see for ${data.purpose}, as of ${when(new Date().toISOString())}.
    </p>
    <form
      class="filters"
      method="get"
      action="/app/subjects/${record.subjectId}"
      aria-label="Choose the purpose"
    >
      ${purposeSelect(data.purpose)}
      <div class="actions-inline"><button type="submit">Show</button></div>
    </form>
    <section aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">Alerts</h2>
      ${alertsList(entries)}
    </section>
    <div class="grid">
      ${identity(record)} ${cohort(record)} ${custody(record)} ${supervision(record)} ${pathways(record)}
      ${keyWorkers(record)} ${actions(record)}
    </div>
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Latest on the timeline</h2>
      ${timelineList(entries, 15)}
      ${entries.length > 15 && html`<p><a href="${timelineHref}">The full timeline (${entries.length} entries)</a></p>`}
    </section>
    ${
      data.disclosureId
        ? html`<p class="muted">
            This view is recorded in the audit log as disclosure ${data.disclosureId}.
          </p>`
        : ''
    }`;
  return page({
    title: nameOf(record),
    body,
    principal: data.principal,
    csrf: data.csrf,
    section: 'subjects',
  });
}

import type { Principal } from '@throughline/auth';
import type { DataCategory, PurposeOfUse } from '@throughline/domain';
import type { WithheldBasis } from '@throughline/sharing';
import type { DisclosedSubject, ServedRecord } from '@throughline/subjects';
import { bandBadge, dateOnly, TREND_TEXT, when } from '../../html/format';
import { html, type Renderable, type SafeHtml } from '../../html/html';
import { page, tableRegion } from '../../html/layout';
import { withQuery } from '../../html/query';
import { sparkline } from '../board/charts';
import { BASIS_TEXT, CATEGORY_TEXT, withheldText } from './basis';
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

/** One line of a card: the record field it shows, its label and its value (falsy when it holds none). */
type Item = readonly [path: string, label: string, value: Renderable | false | null | undefined];

const present = (value: Item[2]): value is Renderable =>
  value !== false && value !== null && value !== undefined && value !== '';

/*
 * A field the reader's basis withholds says so, with the basis, whatever the subject holds; only
 * a field served and empty is left out, and "Nothing recorded" is said only when every field of
 * the card is served. A mentor is never told "not wanted", "0 arrests" or "nothing recorded" for
 * what the agreement does not share with them. Withheld fields are named together under their
 * basis, so a card of them stays short.
 */
function card(record: ServedRecord, title: string, items: readonly Item[], extra?: SafeHtml): SafeHtml {
  const facts: Fact[] = [];
  const withheld = new Map<WithheldBasis, string[]>();
  for (const [path, label, value] of items) {
    const basis = record.withheld[path];
    if (!basis) {
      if (present(value)) facts.push([label, value]);
      continue;
    }
    const labels = withheld.get(basis) ?? [];
    if (!labels.includes(label)) labels.push(label);
    withheld.set(basis, labels);
  }
  const wholly = facts.length === 0 && !extra && items.every(([path]) => record.withheld[path]);
  const notes = [...withheld].map(([basis, labels]) =>
    wholly && withheld.size === 1
      ? html`<p>${withheldText(basis)}.</p>`
      : html`<p>${withheldText(basis)}: ${sentence(labels)}.</p>`,
  );
  return html`<section class="card" aria-label="${title}">
    <h2>${title}</h2>
    ${
      facts.length > 0 || extra || notes.length > 0
        ? html`${
            facts.length > 0 &&
            html`<dl class="facts">
              ${facts.map(
                ([label, value]) =>
                  html`<dt>${label}</dt>
                    <dd>${value}</dd>`,
              )}
            </dl>`
          }${extra}${notes}`
        : html`<p class="muted">Nothing recorded.</p>`
    }
  </section>`;
}

/** "Order, requirements and recalls": the first label as written, the rest in lower case. */
const sentence = (labels: readonly string[]): string => {
  const words = labels.map((label, index) => (index === 0 ? label : label.toLowerCase()));
  return words.length > 1
    ? `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`
    : (words[0] ?? '');
};

const count = (value: number | null): number | false => value !== null && value > 0 && value;

function identity(record: ServedRecord): SafeHtml {
  return card(record, 'Identity', [
    ['identity', 'Date of birth', record.identity && dateOnly(record.identity.dateOfBirth)],
    ['identity', 'Gender', record.identity?.gender],
    [
      'identifiers',
      'Identifiers',
      record.identifiers &&
        record.identifiers.length > 0 &&
        html`${record.identifiers.map((id) => html`${id.scheme}: ${id.value}<br />`)}`,
    ],
  ]);
}

function cohort(record: ServedRecord): SafeHtml {
  const c = record.cohort;
  return card(record, 'Cohort', [
    ['cohort.status', 'Status', c.status],
    [
      'cohort.band',
      'Band',
      c.band &&
        html`${bandBadge(c.band)}${sparkline(c.bandHistory ?? [])} ${c.trend ? TREND_TEXT[c.trend] : ''}`,
    ],
    ['cohort.score', 'Score', c.score !== null && `${c.score} of 64`],
    ['cohort.cohortClass', 'Class', c.cohortClass],
    ['cohort.category', 'Category', c.category],
    ['cohort.adoptedAt', 'Adopted', c.adoptedAt && dateOnly(c.adoptedAt)],
    ['cohort.reviewDue', 'Review due', c.reviewDue && dateOnly(c.reviewDue)],
    [
      'cohort.deselection',
      'De-selected',
      c.deselection && html`${dateOnly(c.deselection.at)}: ${c.deselection.reason}`,
    ],
  ]);
}

function custody(record: ServedRecord): SafeHtml {
  const c = record.custody;
  const status =
    c.status === 'in-custody' ? 'In custody' : c.status === 'in-community' ? 'In the community' : null;
  return card(record, 'Custody', [
    ['custody.status', 'Status', status],
    ['custody.establishment', 'Establishment', c.establishment],
    ['custody.custodyType', 'Custody type', c.custodyType],
    ['custody.receivedAt', 'Received', c.receivedAt && dateOnly(c.receivedAt)],
    ['custody.expectedRelease', 'Expected release', c.expectedRelease && dateOnly(c.expectedRelease)],
    [
      'custody.plannedRelease',
      'Planned release',
      c.plannedRelease &&
        html`${dateOnly(c.plannedRelease.date)}${c.plannedRelease.type ? ` (${c.plannedRelease.type})` : ''}`,
    ],
    ['custody.releasedAt', 'Released', c.releasedAt && dateOnly(c.releasedAt)],
    ['custody.onLicence', 'On licence', c.onLicence && 'yes'],
    [
      'wanted',
      'Wanted',
      record.wanted &&
        html`<span class="flag flag-warn">Wanted</span> since ${dateOnly(record.wanted.since)}:
          ${record.wanted.reason}`,
    ],
    ['arrests', 'Arrests', count(record.arrests)],
  ]);
}

const offences = (list: readonly { offence: string }[]): string => list.map((o) => o.offence).join('; ');

function offending(record: ServedRecord): SafeHtml {
  const arrest = record.lastArrest;
  return card(record, 'Offending', [
    [
      'lastArrest',
      'Last arrest',
      arrest && html`${when(arrest.arrestedAt)}: ${arrest.offence} (${arrest.custodySuite})`,
    ],
    ...(record.charges === null
      ? [['charges', 'Charges', null] as const]
      : record.charges.map((charge): Item => [
          'charges',
          charge.outcome === 'remanded' ? 'Charged, remanded' : 'Charged, bailed',
          html`${dateOnly(charge.at)}: ${offences(charge.offences)}, to
          ${charge.court}${charge.firstHearing && html`, first hearing ${dateOnly(charge.firstHearing)}`}`,
        ])),
    ...(record.convictions === null
      ? [['convictions', 'Convictions', null] as const]
      : record.convictions.map((conviction): Item => [
          'convictions',
          'Convicted',
          html`${dateOnly(conviction.convictedOn)}: ${offences(conviction.offences)} at ${conviction.court};
          ${conviction.sentenceSummary}`,
        ])),
  ]);
}

function safeguarding(record: ServedRecord): SafeHtml {
  return card(
    record,
    'Open safeguarding concerns',
    record.safeguardingConcerns === null
      ? [['safeguardingConcerns', 'Safeguarding concerns', null]]
      : record.safeguardingConcerns.map((concern): Item => [
          'safeguardingConcerns',
          concern.kind,
          html`raised ${dateOnly(concern.raisedAt)}, open until ${dateOnly(concern.expires)}`,
        ]),
  );
}

/** The consents in force that open another agency's data to the reader: what the reader sees by consent rests on these. */
function consents(record: ServedRecord): SafeHtml {
  return card(
    record,
    'Consents in force for your agency',
    record.consentsInForce.map((consent): Item => [
      'consentsInForce',
      `${consent.controller}: ${consent.category}`,
      consent.expires
        ? html`for ${consent.purpose}, until ${dateOnly(consent.expires)}`
        : `for ${consent.purpose}, no expiry`,
    ]),
    record.consentsInForce.length === 0
      ? html`<p class="muted">None in force for your agency.</p>`
      : undefined,
  );
}

function supervision(record: ServedRecord): SafeHtml {
  const s = record.supervision;
  const appointments = (s.upcomingAppointments ?? []).slice(0, 5);
  // Latest first: the ones most likely still to be closed.
  const awaiting = (s.awaitingOutcome ?? []).slice(-5).reverse();
  return card(
    record,
    'Supervision',
    [
      ['supervision.order', 'Order', s.order],
      ['supervision.requirements', 'Requirements', s.requirements?.join(', ')],
      ['supervision.licenceConditions', 'Licence conditions', s.licenceConditions?.join(', ')],
      ['supervision.licenceEnds', 'Licence ends', s.licenceEnds && dateOnly(s.licenceEnds)],
      ['supervision.attended', 'Appointments attended', count(s.attended)],
      ['supervision.missed', 'Appointments missed', count(s.missed)],
      ['supervision.breaches', 'Breaches', count(s.breaches)],
      ['supervision.recalls', 'Recalls', count(s.recalls)],
      [
        'supervision.lastHomeVisit',
        'Last home visit',
        s.lastHomeVisit && html`${dateOnly(s.lastHomeVisit.at)}: ${s.lastHomeVisit.outcome}`,
      ],
      ['supervision.upcomingAppointments', 'Next appointments', false],
      ['supervision.awaitingOutcome', 'Appointments awaiting an outcome', false],
      ['risk', 'Risk', record.risk && `${record.risk.tool}: ${record.risk.roshLevel}`],
    ],
    appointments.length > 0 || awaiting.length > 0
      ? html`${
          appointments.length > 0
            ? html`<h3>Next appointments</h3>
                <ul>
                  ${appointments.map((a) => html`<li>${when(a.at)} with ${a.with}: ${a.purpose}</li>`)}
                </ul>`
            : ''
        }
        ${
          awaiting.length > 0
            ? html`<h3>Awaiting an outcome</h3>
                <ul>
                  ${awaiting.map((a) => html`<li>${when(a.at)} with ${a.with}: ${a.purpose}</li>`)}
                </ul>`
            : ''
        }`
      : undefined,
  );
}

function pathways(record: ServedRecord): SafeHtml {
  const needs = Object.entries(record.pathwayNeeds ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return card(record, 'Pathway needs', [
    ...(record.pathwayNeeds === null
      ? [['pathwayNeeds', 'Pathway needs', null] as const]
      : needs.map(([pathway, level]): Item => [
          'pathwayNeeds',
          pathway,
          level === 'none' ? 'no need' : `${level} need`,
        ])),
    [
      'accommodation',
      'Accommodation',
      record.accommodation &&
        `${record.accommodation.status}${record.accommodation.tenancyAtRisk ? ', tenancy at risk' : ''}`,
    ],
    ['currentAddress', 'Current address', record.currentAddress?.address],
    [
      'treatment',
      'Treatment',
      record.treatment &&
        `${record.treatment.modality} (${record.treatment.status}${record.treatment.endedReason ? `: ${record.treatment.endedReason}` : ''})`,
    ],
    [
      'lastDrugTest',
      'Last drug test',
      record.lastDrugTest &&
        html`${dateOnly(record.lastDrugTest.at)} (${record.lastDrugTest.context}):
        ${record.lastDrugTest.positive.length > 0 ? `positive for ${record.lastDrugTest.positive.join(', ')}` : 'negative'}`,
    ],
    ['employment', 'Employment', record.employment?.status],
  ]);
}

function keyWorkers(record: ServedRecord): SafeHtml {
  return card(
    record,
    'Key workers',
    record.keyWorkers === null
      ? [['keyWorkers', 'Key workers', null]]
      : record.keyWorkers.map((worker): Item => [
          'keyWorkers',
          worker.agency,
          `${worker.worker} (${worker.contact})`,
        ]),
  );
}

function actions(record: ServedRecord): SafeHtml {
  // Withheld, the card is shown whatever the subject holds; served, only when there are actions.
  if (record.openActions !== null && record.openActions.length === 0) return html``;
  return card(
    record,
    'Open tasking actions',
    record.openActions === null
      ? [['openActions', 'Open tasking actions', null]]
      : record.openActions.map((action): Item => [
          'openActions',
          action.ownerAgency,
          html`${action.text} (due ${dateOnly(action.due)})`,
        ]),
  );
}

/** The reader's basis for every category, from the agreement and the sharing state alone. */
function bases(record: ServedRecord): SafeHtml {
  const rows = (Object.keys(CATEGORY_TEXT) as DataCategory[]).map(
    (category) =>
      html`<tr>
        <th scope="row">${CATEGORY_TEXT[category]}</th>
        <td>${BASIS_TEXT[record.bases[category]]}</td>
      </tr>`,
  );
  return html`<details class="bases">
    <summary>What the agreement lets your agency see, category by category</summary>
    ${tableRegion(
      'Sharing basis by category',
      html`<table>
        <caption>
          Your basis for each category of other agencies’ information
        </caption>
        <thead>
          <tr>
            <th scope="col">Category</th>
            <th scope="col">Basis</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>`,
    )}
  </details>`;
}

/**
 * Data erased by its publisher is gone for good; the page says which categories, by whom, when and
 * under what decision, so that what the cards count is not read as all there was (decision 0026).
 */
function erasures(record: ServedRecord): SafeHtml | '' {
  const byErasure = new Map<
    string,
    { agency: string; at: string; decisionRef: string; categories: string[] }
  >();
  for (const [category, marks] of Object.entries(record.erased)) {
    for (const mark of marks ?? []) {
      const key = `${mark.agency} ${mark.at} ${mark.decisionRef}`;
      const entry = byErasure.get(key) ?? { ...mark, categories: [] };
      entry.categories.push(category);
      byErasure.set(key, entry);
    }
  }
  if (byErasure.size === 0) return '';
  return html`<section class="card" aria-label="Erased data">
    <h2>Erased data</h2>
    ${[...byErasure.values()].map(
      (erasure) =>
        html`<p>
          ${erasure.agency} erased its ${sentence(erasure.categories)} data about this person
          ${when(erasure.at)} (decision ${erasure.decisionRef}): what follows is shown without it.
        </p>`,
    )}
  </section>`;
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
    ${erasures(record)}
    <section aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">Alerts</h2>
      ${alertsList(entries)}
    </section>
    <div class="grid">
      ${identity(record)} ${cohort(record)} ${custody(record)} ${offending(record)} ${supervision(record)}
      ${pathways(record)} ${safeguarding(record)} ${consents(record)} ${keyWorkers(record)} ${actions(record)}
    </div>
    ${bases(record)}
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

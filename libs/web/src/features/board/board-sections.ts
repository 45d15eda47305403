import type { BoardEntry, Deselection } from '@throughline/tasking';
import { dateOnly, eventLabel, plural, when } from '../../html/format';
import { dataList } from '../subjects/timeline';
import { html, type SafeHtml } from '../../html/html';
import { empty, tableRegion } from '../../html/layout';
import { arrestsChart, BAND_SERIES, FLOW_SERIES, legend, monthlyChart, shortMonth } from './charts';
import type { CohortMetrics } from './cohort-metrics';

/** Open actions grouped by the agency that owns them, soonest due first. */
export function actionsByOwner(rows: readonly BoardEntry[]): SafeHtml {
  const byOwner = new Map<string, { person: string; text: string; due: string; overdue: boolean }[]>();
  for (const row of rows) {
    for (const action of row.actions) {
      const list = byOwner.get(action.ownerAgency) ?? [];
      list.push({
        person: row.name ?? 'Name not shared',
        text: action.text,
        due: action.due,
        overdue: action.overdue,
      });
      byOwner.set(action.ownerAgency, list);
    }
  }
  const owners = [...byOwner.keys()].sort();
  return html`<h2 id="actions">Actions by owner</h2>
    ${
      owners.length === 0
        ? empty('No open actions for the people shown.')
        : owners.map((owner) => {
            const actions = byOwner.get(owner)!.sort((a, b) => a.due.localeCompare(b.due));
            const overdue = actions.filter((action) => action.overdue).length;
            return tableRegion(
              `Actions owned by ${owner}`,
              html`<table>
                <caption>
                  ${owner}: ${plural(actions.length, 'open action')}, ${overdue} overdue
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Person</th>
                    <th scope="col">Action</th>
                    <th scope="col">Due</th>
                  </tr>
                </thead>
                <tbody>
                  ${actions.map(
                    (action) =>
                      html`<tr>
                        <th scope="row">${action.person}</th>
                        <td>${action.text}</td>
                        <td>
                          ${dateOnly(action.due)}${action.overdue && html` <span class="flag flag-warn">overdue</span>`}
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>`,
            );
          })
    }`;
}

/**
 * Detail the owning agencies have released to the meeting, person by person: each release names the
 * agency, the meeting it is for, its legal basis and expiry; its events are on the person's own page,
 * one link away, so the board stays one small page however much is released.
 */
export function releasedToMeeting(rows: readonly BoardEntry[]): SafeHtml {
  const people = rows.filter((row) => row.released.length > 0);
  return html`<h2 id="released">Released to the meeting</h2>
    ${
      people.length === 0
        ? empty('No agency has released detail to the meeting for the people shown.')
        : html`<ul class="plain">
            ${people.map(
              (row) =>
                html`<li>
                  <a href="/app/board/released/${row.subjectId}">${row.name ?? 'Name not shared'}</a>:
                  ${row.released.map(
                    (release, index) =>
                      html`${index > 0 ? '; ' : ''}released by ${release.agency}
                      (${release.categories.join(', ')}) until ${when(release.expires)}`,
                  )}
                </li>`,
            )}
          </ul>`
    }`;
}

/** One person's released detail: each live release and the events it shows. */
export function releasedDetailOf(row: BoardEntry): SafeHtml {
  const person = row.name ?? 'Name not shared';
  return html`${
    row.released.length === 0
      ? empty('No agency has released detail about this person to the meeting.')
      : row.released.map(
          (release) =>
            html`<section class="release" aria-label="${person}: released by ${release.agency}">
              <h2>Released by ${release.agency}</h2>
              <p class="meta">
                ${release.meeting} · ${release.categories.join(', ')} · ${release.legalBasis} · until
                ${when(release.expires)}
              </p>
              ${
                release.events.length === 0
                  ? empty('Nothing recorded in these categories yet.')
                  : html`<ol class="timeline">
                      ${release.events.map(
                        (event) =>
                          html`<li>
                            <strong>${eventLabel(event.type)}</strong>
                            <div class="meta">${when(event.time)} · ${event.category}</div>
                            ${dataList(event.data)}
                          </li>`,
                      )}
                    </ol>`
              }
            </section>`,
        )
  }`;
}

/** The newest entries of the register the board page lists; the whole register is one link away. */
export const DESELECTIONS_SHOWN = 20;

/** Who left the cohort, when and why (the register the field never had, 001:773). */
export function deselectionRegister(
  deselections: readonly Deselection[],
  shown = deselections.length,
): SafeHtml {
  const listed = deselections.slice(0, shown);
  const reasons = new Map<string, number>();
  for (const item of deselections) reasons.set(item.reason, (reasons.get(item.reason) ?? 0) + 1);
  return html`<h2 id="deselections">De-selection register</h2>
    ${
      deselections.length === 0
        ? empty('No one has been de-selected.')
        : html`<p>
              By reason:
              ${[...reasons]
                .sort((a, b) => b[1] - a[1])
                .map(([reason, count], index) => html`${index > 0 ? ', ' : ''}${reason} ${count}`)}
            </p>
            ${tableRegion(
              'De-selection register',
              html`<table>
                <caption>
                  De-selections, newest first
                  (${listed.length < deselections.length ? `${listed.length} of ${deselections.length}` : deselections.length})
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Person</th>
                    <th scope="col">Class</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Note</th>
                    <th scope="col">De-selected</th>
                  </tr>
                </thead>
                <tbody>
                  ${listed.map(
                    (item) =>
                      html`<tr>
                        <th scope="row">${item.name ?? 'Name not shared'}</th>
                        <td>${item.cohortClass ?? '—'}</td>
                        <td>${item.reason}</td>
                        <td>${item.note ?? ''}</td>
                        <td>${dateOnly(item.at)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`,
            )}
            ${
              listed.length < deselections.length &&
              html`<p><a href="/app/board/deselections">The whole register (${deselections.length})</a></p>`
            }`
    }`;
}

function dataTable(metrics: CohortMetrics): SafeHtml {
  return html`<details>
    <summary>The numbers behind the monthly charts</summary>
    ${tableRegion(
      'Cohort measures by month',
      html`<table>
        <caption>
          Cohort by month
        </caption>
        <thead>
          <tr>
            <th scope="col">Month</th>
            <th scope="col">Red</th>
            <th scope="col">Amber</th>
            <th scope="col">Green</th>
            <th scope="col">No band</th>
            <th scope="col">Adopted</th>
            <th scope="col">De-selected</th>
          </tr>
        </thead>
        <tbody>
          ${metrics.months.map(
            (m) =>
              html`<tr>
                <th scope="row">${shortMonth(m.month)}</th>
                <td>${m.red}</td>
                <td>${m.amber}</td>
                <td>${m.green}</td>
                <td>${m.unbanded}</td>
                <td>${m.adopted}</td>
                <td>${m.deselected}</td>
              </tr>`,
          )}
        </tbody>
      </table>`,
    )}
  </details>`;
}

function arrestsFigure(metrics: CohortMetrics): SafeHtml {
  const { people, before, after } = metrics.arrests;
  if (people === 0) {
    return empty(
      'No one yet has a full year on record both before and after adoption, so there is nothing to compare.',
    );
  }
  const change = before === 0 ? null : Math.round(((after - before) / before) * 100);
  const summary = `${people} people with a full year on record before and after adoption: ${before} arrests in the 12 months before adoption, ${after} in the 12 months after${change === null ? '' : ` (${change > 0 ? '+' : ''}${change}%)`}.`;
  return html`<figure>
    <figcaption id="chart-arrests">${summary}</figcaption>
    <div class="chart-wrap">${arrestsChart(metrics.arrests, 'chart-arrests')}</div>
  </figure>`;
}

/** Band movement, recruitment and de-selection by month, and arrests around adoption. */
export function cohortCharts(metrics: CohortMetrics): SafeHtml {
  const first = metrics.months[0];
  const last = metrics.months[metrics.months.length - 1];
  const range = first && last ? `${shortMonth(first.month)} to ${shortMonth(last.month)}` : '';
  return html`<h2 id="measures">Cohort measures</h2>
    <p class="lede">
      Recomputed from the event log for every view (counts only), so the method never changes between
      meetings. ${range}.
    </p>
    <div class="grid">
      <figure>
        <figcaption id="chart-bands">People in the cohort at each month end, by band</figcaption>
        ${legend(BAND_SERIES)}
        <div class="chart-wrap">
          ${monthlyChart(metrics.months, BAND_SERIES, { stacked: true, labelledBy: 'chart-bands' })}
        </div>
      </figure>
      <figure>
        <figcaption id="chart-flow">Recruitment (adoptions) and de-selections per month</figcaption>
        ${legend(FLOW_SERIES)}
        <div class="chart-wrap">
          ${monthlyChart(metrics.months, FLOW_SERIES, { stacked: false, labelledBy: 'chart-flow' })}
        </div>
      </figure>
    </div>
    <h3>Arrests in the 12 months before and after adoption</h3>
    ${arrestsFigure(metrics)} ${dataTable(metrics)}`;
}

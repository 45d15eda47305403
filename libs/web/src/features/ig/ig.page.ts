import type { AuditRecord, SubjectNames, UnusualAccess, VerifyResult } from '@throughline/audit';
import type { Principal } from '@throughline/auth';
import { when } from '../../html/format';
import { html, type SafeHtml } from '../../html/html';
import { empty, page, tableRegion } from '../../html/layout';
import type { ClaimUnderReview } from '@throughline/audit';
import { registerTable } from './register.page';
import { subjectRef } from './subject-ref';
import { subjectSearchForms } from './subject-search.page';

export interface IgPageData {
  readonly principal: Principal;
  readonly csrf: string;
  readonly verification: VerifyResult;
  readonly awaiting: readonly ClaimUnderReview[];
  readonly reviewed: readonly ClaimUnderReview[];
  readonly refusals: readonly AuditRecord[];
  readonly unusual: readonly UnusualAccess[];
  /** The names of the people listed, where the reader's own cut shows them. */
  readonly names: SubjectNames;
  /** Set after a review, to confirm what was recorded. */
  readonly notice: string | null;
}

function verification(result: VerifyResult): SafeHtml {
  return html`<section aria-labelledby="verify-heading">
    <h2 id="verify-heading">Audit log verification</h2>
    ${
      result.ok
        ? html`<div class="notice ok">
            <strong>The audit log verifies.</strong> ${result.records} records, ${result.checkpoints} signed
            checkpoints; the chain ends at record ${result.lastSeq}, hash
            <code>${result.lastHash.slice(0, 16)}…</code>.
          </div>`
        : html`<div class="notice bad" role="alert">
            <strong>The audit log does not verify.</strong>
            ${
              result.firstFault
                ? html`First fault at record ${result.firstFault.seq} (${result.firstFault.kind}):
                  ${result.firstFault.detail}.`
                : ''
            }
            Keep the stored files as they are and tell the partnership's data protection officer.
          </div>`
    }
  </section>`;
}

function seenTable(claim: ClaimUnderReview): SafeHtml {
  if (claim.seen.length === 0) return html`<p class="muted">Nothing has been read under this claim.</p>`;
  return tableRegion(
    `Reads under the claim by ${claim.user}`,
    html`<table>
      <caption>
        What was seen under the claim (${claim.seen.length} reads)
      </caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Read</th>
          <th scope="col">Categories</th>
          <th scope="col">Fields</th>
        </tr>
      </thead>
      <tbody>
        ${claim.seen.map(
          (read) =>
            html`<tr>
              <th scope="row">${when(read.at)}</th>
              <td>${read.action}</td>
              <td>${read.categories.join(', ')}</td>
              <td>
                ${read.categories.map((category) => html`${category}: ${(read.fields[category] ?? []).join(', ')}<br />`)}
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`,
  );
}

function claimCard(claim: ClaimUnderReview, csrf: string, names: SubjectNames): SafeHtml {
  const id = `claim-${claim.eventId}`;
  return html`<article class="card" aria-labelledby="${id}">
    <h3 id="${id}">${claim.user} (${claim.agency}) claimed ${claim.categories.join(', ')}</h3>
    <dl class="facts">
      <dt>Subject</dt>
      <dd>${subjectRef(claim.subjectId, names)}</dd>
      <dt>Claimed</dt>
      <dd>${when(claim.claimedAt)}</dd>
      <dt>Expires</dt>
      <dd>${when(claim.expiresAt)}</dd>
      <dt>Justification</dt>
      <dd>${claim.justification}</dd>
    </dl>
    ${seenTable(claim)}
    <form method="post" action="/app/ig/break-glass/${claim.eventId}/review">
      <input type="hidden" name="_csrf" value="${csrf}" />
      <div class="field">
        <label for="note-${claim.eventId}">Review note (needed to flag a claim; kept with the review)</label>
        <textarea id="note-${claim.eventId}" name="note" maxlength="2000" rows="2"></textarea>
      </div>
      <p class="actions-inline">
        <button type="submit" name="outcome" value="approved">Approve</button>
        <button type="submit" name="outcome" value="flagged" class="warning">Flag for follow-up</button>
      </p>
    </form>
  </article>`;
}

function reviewedTable(claims: readonly ClaimUnderReview[], names: SubjectNames): SafeHtml {
  if (claims.length === 0) return empty('No claims have been reviewed yet.');
  return tableRegion(
    'Reviewed claims',
    html`<table>
      <caption>
        Recently reviewed claims
      </caption>
      <thead>
        <tr>
          <th scope="col">Claimed by</th>
          <th scope="col">Subject</th>
          <th scope="col">Categories</th>
          <th scope="col">Claimed</th>
          <th scope="col">Outcome</th>
          <th scope="col">Reviewer</th>
          <th scope="col">Note</th>
        </tr>
      </thead>
      <tbody>
        ${claims.map(
          (claim) =>
            html`<tr>
              <th scope="row">${claim.user} (${claim.agency})</th>
              <td>${subjectRef(claim.subjectId, names, true)}</td>
              <td>${claim.categories.join(', ')}</td>
              <td>${when(claim.claimedAt)}</td>
              <td>
                <span class="flag ${claim.status === 'flagged' ? 'flag-warn' : 'flag-ok'}"
                  >${claim.status}</span
                >
              </td>
              <td>${claim.review?.reviewer ?? ''}</td>
              <td>${claim.review?.note ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>`,
  );
}

function unusualList(findings: readonly UnusualAccess[]): SafeHtml {
  if (findings.length === 0) return empty('Nothing unusual in the last seven days.');
  return html`<ul>
    ${findings.map(
      (finding) =>
        html`<li>
          <strong>${finding.kind}</strong>: ${finding.user} (${finding.agency}), ${finding.detail} —
          <a href="/app/ig/disclosures?user=${encodeURIComponent(finding.user)}">their disclosures</a>
        </li>`,
    )}
  </ul>`;
}

export function igPage(data: IgPageData): string {
  const body = html`<h1>Information governance</h1>
    <p class="lede">
      Who saw what, about whom, for what purpose and on what basis; what was refused; and the evidence that
      the record has not been altered.
    </p>
    ${data.notice && html`<div class="notice ok" role="status">${data.notice}</div>`}
    ${verification(data.verification)}
    <section aria-labelledby="break-glass">
      <h2 id="break-glass">Break-glass claims awaiting review (${data.awaiting.length})</h2>
      ${
        data.awaiting.length === 0
          ? empty('No claims are waiting for review.')
          : data.awaiting.map((claim) => claimCard(claim, data.csrf, data.names))
      }
      <h3>Reviewed</h3>
      ${reviewedTable(data.reviewed, data.names)}
    </section>
    <section aria-labelledby="records">
      <h2 id="records">Records management</h2>
      <p>
        <a href="/app/ig/records">Reviews due under the retention schedule, and restrictions of processing</a>
        of your agency’s data.
      </p>
    </section>
    <section aria-labelledby="refusals">
      <h2 id="refusals">Refused attempts</h2>
      ${
        data.refusals.length === 0
          ? empty('No refused attempts.')
          : tableRegion(
              'Refused attempts',
              registerTable(data.refusals, 'Latest refused attempts', data.names),
            )
      }
      <p><a href="/app/ig/disclosures?outcome=refused">All refused attempts in the register</a></p>
    </section>
    <section aria-labelledby="unusual">
      <h2 id="unusual">Unusual access</h2>
      ${unusualList(data.unusual)}
    </section>
    <section aria-labelledby="sar">
      <h2 id="sar">Subject access export</h2>
      <p>
        Everything held about a person and every disclosure of it, as JSON (UK GDPR Art 15), with nothing
        about anyone else. Find the person first; the search and the export are each recorded as a disclosure.
      </p>
      ${subjectSearchForms({ identifier: null, familyName: null, givenName: null, dateOfBirth: null })}
      <form class="filters" method="get" action="/app/ig/access-export" aria-label="Subject access export">
        <div class="field">
          <label for="sar-subject">Partnership id of the subject</label>
          <input
            type="text"
            id="sar-subject"
            name="subjectId"
            required
            size="38"
            maxlength="36"
            pattern="[0-9a-fA-F-]{36}"
            autocomplete="off"
          />
        </div>
        <button type="submit">Download export</button>
      </form>
    </section>`;
  return page({ title: 'IG console', body, principal: data.principal, csrf: data.csrf, section: 'ig' });
}

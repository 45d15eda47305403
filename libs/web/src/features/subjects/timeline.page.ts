import type { Principal } from '@throughline/auth';
import type { PurposeOfUse } from '@throughline/domain';
import type { DisclosedEntry } from '@throughline/subjects';
import { html } from '../../html/html';
import { page } from '../../html/layout';
import { withQuery } from '../../html/query';
import { timelineList } from './timeline';

export const TIMELINE_PAGE = 50;

export interface TimelinePageData {
  readonly principal: Principal;
  readonly csrf: string;
  readonly purpose: PurposeOfUse;
  readonly subjectId: string;
  /** This page's entries, newest first. */
  readonly entries: readonly DisclosedEntry[];
  readonly nextBefore: number | null;
}

export function timelinePage(data: TimelinePageData): string {
  const base = `/app/subjects/${data.subjectId}`;
  const older =
    data.nextBefore &&
    withQuery(`${base}/timeline`, {}, { purpose: data.purpose, before: String(data.nextBefore) });
  const body = html`<p>
      <a href="${withQuery(base, {}, { purpose: data.purpose })}">Back to the record</a>
    </p>
    <h1>Timeline</h1>
    <p class="lede">Every event ${data.principal.agency} may see for ${data.purpose}, newest first.</p>
    ${timelineList(data.entries)}
    <nav class="pager" aria-label="Timeline pages">
      <a href="${withQuery(`${base}/timeline`, {}, { purpose: data.purpose })}">Newest</a>
      ${older && html`<a href="${older}">Older entries</a>`}
    </nav>`;
  return page({
    title: 'Timeline',
    body,
    principal: data.principal,
    csrf: data.csrf,
    section: 'subjects',
  });
}

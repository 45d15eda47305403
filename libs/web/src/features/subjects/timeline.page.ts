import type { Principal } from '@throughline/auth';
import { isDataCategory, type PurposeOfUse } from '@throughline/domain';
import {
  type DisclosedEntry,
  isFiltered,
  type TimelineFilter,
  type TimelineSummary,
} from '@throughline/subjects';
import { eventLabel, plural } from '../../html/format';
import { html, type SafeHtml } from '../../html/html';
import { page } from '../../html/layout';
import { withQuery } from '../../html/query';
import { CATEGORY_TEXT } from './basis';
import { purposeSelect } from './purpose-select';
import { timelineList } from './timeline';

export const TIMELINE_PAGE = 50;

export interface TimelinePageData {
  readonly principal: Principal;
  readonly csrf: string;
  readonly purpose: PurposeOfUse;
  readonly subjectId: string;
  readonly filter: TimelineFilter;
  /** The values the reader may filter by, and how many entries match the filter. */
  readonly summary: TimelineSummary;
  /** This page's entries, newest first. */
  readonly entries: readonly DisclosedEntry[];
  readonly nextBefore: number | null;
}

const categoryText = (category: string): string =>
  isDataCategory(category) ? CATEGORY_TEXT[category] : category;

interface Choice {
  readonly name: keyof TimelineFilter;
  readonly label: string;
  readonly any: string;
  readonly offered: readonly string[];
  readonly text: (value: string) => string;
}

/**
 * One select of the filter. Only values among the entries the reader may see are offered; a value
 * asked for in the address that is not among them is kept selected, said to match nothing.
 */
function select(choice: Choice, current: string | null): SafeHtml {
  const values =
    current === null || choice.offered.includes(current) ? choice.offered : [...choice.offered, current];
  const id = `f-${choice.name}`;
  return html`<div class="field">
    <label for="${id}">${choice.label}</label>
    <select id="${id}" name="${choice.name}">
      <option value="" ${current === null ? html`selected` : ''}>${choice.any}</option>
      ${values.map(
        (value) =>
          html`<option value="${value}" ${value === current ? html`selected` : ''}>
            ${choice.text(value)}${choice.offered.includes(value) ? '' : ' (none you may see)'}
          </option>`,
      )}
    </select>
  </div>`;
}

/** The filter's values as query parameters, with the purpose: every link of the page keeps them. */
const paramsOf = (data: TimelinePageData): Record<string, string | null> => ({
  purpose: data.purpose,
  category: data.filter.category,
  agency: data.filter.agency,
  type: data.filter.type,
});

function filters(data: TimelinePageData, path: string): SafeHtml {
  const { summary, filter } = data;
  return html`<form class="filters" method="get" action="${path}" aria-label="Filter the timeline">
    ${purposeSelect(data.purpose)}
    ${select(
      {
        name: 'category',
        label: 'Category',
        any: 'Any category',
        offered: summary.categories,
        text: categoryText,
      },
      filter.category,
    )}
    ${select(
      {
        name: 'agency',
        label: 'Agency',
        any: 'Any agency',
        offered: summary.agencies,
        text: (value) => value,
      },
      filter.agency,
    )}
    ${select({ name: 'type', label: 'Type', any: 'Any type', offered: summary.types, text: eventLabel }, filter.type)}
    <div class="actions-inline">
      <button type="submit">Filter</button>
      <a class="button secondary" href="${withQuery(path, {}, { purpose: data.purpose })}">Clear</a>
    </div>
  </form>`;
}

/** How many entries the filter matches, in words, naming what it filters by. */
function count(data: TimelinePageData): SafeHtml {
  const { filter, summary } = data;
  const by = [
    filter.category && `category ${categoryText(filter.category)}`,
    filter.agency && `published by ${filter.agency}`,
    filter.type && `of type ${eventLabel(filter.type)}`,
  ].filter((part): part is string => typeof part === 'string' && part !== '');
  const entries = plural(summary.matching, 'entry', 'entries');
  return html`<p class="count" role="status">
    ${
      isFiltered(filter)
        ? html`${entries} ${summary.matching === 1 ? 'matches' : 'match'}: ${by.join(', ')}.`
        : html`${entries} in all.`
    }
  </p>`;
}

export function timelinePage(data: TimelinePageData): string {
  const base = `/app/subjects/${data.subjectId}`;
  const path = `${base}/timeline`;
  const current = paramsOf(data);
  const older = data.nextBefore && withQuery(path, current, { before: String(data.nextBefore) });
  const body = html`<p>
      <a href="${withQuery(base, {}, { purpose: data.purpose })}">Back to the record</a>
    </p>
    <h1>Timeline</h1>
    <p class="lede">Every event ${data.principal.agency} may see for ${data.purpose}, newest first.</p>
    ${filters(data, path)} ${count(data)}
    ${timelineList(data.entries, undefined, isFiltered(data.filter) ? 'Nothing on the timeline matches these filters.' : undefined)}
    <nav class="pager" aria-label="Timeline pages">
      <a href="${withQuery(path, current, {})}">Newest</a>
      ${older && html`<a rel="next" href="${older}">Older entries</a>`}
    </nav>`;
  return page({
    title: 'Timeline',
    body,
    principal: data.principal,
    csrf: data.csrf,
    section: 'subjects',
  });
}

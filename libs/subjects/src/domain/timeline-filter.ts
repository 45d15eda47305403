import {
  AGENCY_ID_PATTERN,
  DATA_CATEGORIES,
  type DataCategory,
  type EventType,
  isDataCategory,
  isEventType,
} from '@throughline/domain';

/** Which entries of a timeline to serve: each field that is set must match; null matches any. */
export interface TimelineFilter {
  readonly category: DataCategory | null;
  readonly agency: string | null;
  readonly type: EventType | null;
}

export const ANY_ENTRY: TimelineFilter = { category: null, agency: null, type: null };

/** The filter's query parameters as they arrive (absent or empty means any). */
export interface TimelineFilterParams {
  readonly category?: string | undefined;
  readonly agency?: string | undefined;
  readonly type?: string | undefined;
}

export interface TimelineFilterFault {
  readonly field: keyof TimelineFilter;
  readonly message: string;
}

export type ParsedTimelineFilter =
  | { readonly ok: true; readonly filter: TimelineFilter }
  | { readonly ok: false; readonly faults: readonly TimelineFilterFault[] };

const given = (raw: string | undefined): string | null => (raw === undefined || raw === '' ? null : raw);

/**
 * The one reading of the timeline filter, for the API and the pages alike. A value is refused when it
 * cannot name anything (not a data category, not a catalogue type, not an agency id); a well-formed
 * agency that has published nothing the reader may see simply matches no entry. No message repeats
 * the value given, so a hostile one is never echoed back.
 */
export function parseTimelineFilter(params: TimelineFilterParams): ParsedTimelineFilter {
  const faults: TimelineFilterFault[] = [];
  const category = given(params.category);
  const agency = given(params.agency);
  const type = given(params.type);
  if (category !== null && !isDataCategory(category)) {
    faults.push({ field: 'category', message: `category must be one of ${DATA_CATEGORIES.join(', ')}` });
  }
  if (agency !== null && !AGENCY_ID_PATTERN.test(agency)) {
    faults.push({
      field: 'agency',
      message: 'agency must be an agency id: 2-32 lower-case letters, digits and hyphens',
    });
  }
  if (type !== null && !isEventType(type)) {
    faults.push({
      field: 'type',
      message: 'type must be an event type of the catalogue, such as iom.arrest.recorded.v1',
    });
  }
  if (faults.length > 0) return { ok: false, faults };
  return {
    ok: true,
    filter: {
      category: category as DataCategory | null,
      agency,
      type: type as EventType | null,
    },
  };
}

export const isFiltered = (filter: TimelineFilter): boolean =>
  filter.category !== null || filter.agency !== null || filter.type !== null;

/** What a filter looks at of an entry: its type, and the category and publisher its envelope names. */
export interface FilterableEntry {
  readonly type: string;
  readonly meta: { readonly category: string; readonly agency: string };
}

export const matchesTimelineFilter = (filter: TimelineFilter, entry: FilterableEntry): boolean =>
  (filter.category === null || entry.meta.category === filter.category) &&
  (filter.agency === null || entry.meta.agency === filter.agency) &&
  (filter.type === null || entry.type === filter.type);

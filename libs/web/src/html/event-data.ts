import { describeSchema, EVENT_TYPES, type FieldDescription, isEventType, specOf } from '@throughline/domain';
import { fieldLabel, when } from './format';
import { html, type SafeHtml } from './html';

/**
 * Each catalogue type's fields, read once from its schema: their order, which are dates, which take
 * one of a list of words, and the fields of nested objects. A new type renders without page code.
 */
const FIELDS: ReadonlyMap<string, readonly FieldDescription[]> = new Map(
  EVENT_TYPES.map((type) => [type, describeSchema(specOf(type).schema)]),
);

const DATE_RULES = new Set(['isCalendarDate', 'isInstant', 'isDateOrInstant']);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/;

const ruled = (field: FieldDescription | undefined, names: ReadonlySet<string>): boolean =>
  !!field && field.constraints.some((constraint) => names.has(constraint.name));
const IS_IN = new Set(['isIn']);

type Scalar = string | number | boolean;
const isScalar = (value: unknown): value is Scalar =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** One value as text: dates as dates, yes or no, a word from a fixed list with its hyphens as spaces. */
function scalar(value: Scalar, field: FieldDescription | undefined): SafeHtml | string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return String(value);
  if (ruled(field, DATE_RULES) || ISO_DATE.test(value)) return when(value);
  if (ruled(field, IS_IN)) return value.replace(/-/g, ' ');
  return value;
}

function valueOf(value: unknown, field: FieldDescription | undefined): SafeHtml | string {
  if (value === null || value === undefined) return '—';
  if (isScalar(value)) return scalar(value, field);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    if (value.every((item) => item === null || isScalar(item))) {
      return html`${value.map((item, index) => html`${index > 0 ? ', ' : ''}${valueOf(item, field)}`)}`;
    }
    return html`<ul class="plain entries">
      ${value.map((item) => html`<li>${valueOf(item, field)}</li>`)}
    </ul>`;
  }
  if (typeof value === 'object') return facts(value as Record<string, unknown>, field?.nested);
  return typeof value === 'bigint' ? value.toString() : '—';
}

/**
 * Fields as a definition list, in the catalogue's order where it names them (`fields`), then any it
 * does not (a nested object the catalogue leaves open, such as a correction's replacement data).
 */
function facts(values: Record<string, unknown>, fields: readonly FieldDescription[] | undefined): SafeHtml {
  const known = (fields ?? []).filter((field) => Object.hasOwn(values, field.name));
  const named = new Set(known.map((field) => field.name));
  const rows: [string, FieldDescription | undefined][] = [
    ...known.map((field): [string, FieldDescription] => [field.name, field]),
    ...Object.keys(values)
      .filter((name) => !named.has(name))
      .map((name): [string, undefined] => [name, undefined]),
  ];
  if (rows.length === 0) return html``;
  return html`<dl class="facts">
    ${rows.map(
      ([name, field]) =>
        html`<dt>${fieldLabel(name)}</dt>
          <dd>${valueOf(values[name], field)}</dd>`,
    )}
  </dl>`;
}

/** The fields the catalogue gives a type, or none for a type it does not name. */
const fieldsOf = (type: string | undefined): readonly FieldDescription[] | undefined =>
  type !== undefined && isEventType(type) ? FIELDS.get(type) : undefined;

/**
 * An event's data as HTML: a definition list in the catalogue's field order, nested objects as
 * nested lists, lists of objects as lists, dates as `<time>`; never JSON. Only the fields present
 * are shown: the reader's cut has already removed the rest.
 */
export function eventData(data: unknown, type?: string): SafeHtml {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return data === null || data === undefined ? html`` : html`<p>${valueOf(data, undefined)}</p>`;
  }
  return facts(data as Record<string, unknown>, fieldsOf(type));
}

/** The same data on one line (alerts): top-level fields by label, nested values in brief. */
export function eventDataLine(data: unknown, type?: string): SafeHtml {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return html``;
  const values = data as Record<string, unknown>;
  const fields = fieldsOf(type) ?? [];
  const names = [
    ...fields.map((field) => field.name).filter((name) => Object.hasOwn(values, name)),
    ...Object.keys(values).filter((name) => !fields.some((field) => field.name === name)),
  ];
  return html`${names.map(
    (name, index) =>
      html`${index > 0 ? ' · ' : ''}<span class="muted">${fieldLabel(name)}:</span> ${inline(
          values[name],
          fields.find((field) => field.name === name),
        )}`,
  )}`;
}

/** A value in running text: objects as "label value" pairs, lists joined. */
function inline(value: unknown, field: FieldDescription | undefined): SafeHtml | string {
  if (value === null || value === undefined) return '—';
  if (isScalar(value)) return scalar(value, field);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    return html`${value.map((item, index) => html`${index > 0 ? '; ' : ''}${inline(item, field)}`)}`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return html`${entries.map(
      ([name, item], index) =>
        html`${index > 0 ? ', ' : ''}${fieldLabel(name).toLowerCase()}
        ${inline(
          item,
          field?.nested?.find((nested) => nested.name === name),
        )}`,
    )}`;
  }
  return typeof value === 'bigint' ? value.toString() : '—';
}

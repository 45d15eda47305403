import { html, type SafeHtml } from './html';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const ZONE = 'Europe/London';

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: ZONE,
});
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: ZONE,
});

/** A `<time>` element: machine-readable value, UK wall-clock text. Date-only values stay dates. */
export function when(value: string | null | undefined, fallback = '—'): SafeHtml {
  if (!value) return html`${fallback}`;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) return html`${value}`;
  const text = DATE_ONLY.test(value)
    ? dateFormat.format(new Date(`${value}T12:00:00Z`))
    : dateTimeFormat.format(new Date(parsed));
  return html`<time datetime="${value}">${text}</time>`;
}

export const dateOnly = (value: string | null | undefined): SafeHtml => {
  if (!value) return html`—`;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) return html`${value}`;
  return html`<time datetime="${value}">${dateFormat.format(new Date(parsed))}</time>`;
};

/** `iom.key-worker.assigned.v1` reads as "Key worker assigned". */
export function eventLabel(type: string): string {
  const words = type
    .replace(/^iom\./, '')
    .replace(/\.v\d+$/, '')
    .split(/[.-]/)
    .join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** `arrestedAt` reads as "Arrested at". */
export function fieldLabel(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A value as text: scalars as they are, lists joined, objects as "label value" pairs; never JSON. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    const scalars = value.every((item) => item === null || typeof item !== 'object');
    return value.length === 0 ? 'none' : value.map(valueText).join(scalars ? ', ' : '; ');
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([name, item]) => `${fieldLabel(name).toLowerCase()} ${valueText(item)}`)
      .join(', ');
  }
  return typeof value === 'bigint' ? value.toString() : '—';
}

export const plural = (count: number, one: string, many = `${one}s`): string =>
  `${count} ${count === 1 ? one : many}`;

/** A band shown as words and colour, never colour alone. */
export function bandBadge(band: string | null | undefined): SafeHtml {
  if (!band) return html`<span class="badge badge-none">no band</span>`;
  return html`<span class="badge badge-${band}">${band}</span>`;
}

export const TREND_TEXT: Readonly<Record<string, string>> = {
  rising: '▲ rising',
  falling: '▼ falling',
  steady: '▶ steady',
};

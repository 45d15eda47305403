const SAFE = Symbol('safe-html');

/** Markup that is already escaped; only `html` and `trusted` make one. */
export interface SafeHtml {
  readonly [SAFE]: true;
  readonly value: string;
}

export type Renderable = SafeHtml | string | number | boolean | null | undefined | readonly Renderable[];

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
  '=': '&#61;',
};

/** Escapes text for element content and quoted attribute values alike. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"'`=]/g, (c) => ENTITIES[c] ?? c);

const safe = (value: string): SafeHtml => ({ [SAFE]: true, value });

const isSafe = (value: unknown): value is SafeHtml =>
  typeof value === 'object' && value !== null && SAFE in value;

function render(value: Renderable): string {
  if (value === null || value === undefined || typeof value === 'boolean') return '';
  if (typeof value === 'number') return escapeHtml(String(value));
  if (typeof value === 'string') return escapeHtml(value);
  if (isSafe(value)) return value.value;
  return value.map(render).join('');
}

/**
 * The only way pages build markup: every interpolated value is escaped unless it is itself the
 * result of `html`, so data from events can never become markup. `false`, null and undefined
 * render as nothing, which keeps conditionals short (`${flag && html`...`}`).
 */
export function html(strings: TemplateStringsArray, ...values: readonly Renderable[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return safe(out);
}

/** For constants written in this code base (the stylesheet); never for data. */
export const trusted = (constant: string): SafeHtml => safe(constant);

export const toHtmlString = (markup: SafeHtml): string => markup.value;

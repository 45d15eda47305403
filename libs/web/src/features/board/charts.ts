import { html, type SafeHtml } from '../../html/html';
import type { ArrestComparison, MonthCounts } from './cohort-metrics';

/*
 * Inline SVG charts: no script, no assets. Each has a text alternative (aria-label or a caption),
 * and the board puts the numbers behind every chart in a table as well.
 */

const COLOURS = {
  red: '#b10e1e',
  amber: '#f47738',
  green: '#00703c',
  adopted: '#1d4f91',
  deselected: '#b1b4b6',
};
const Y_OF_BAND: Readonly<Record<string, number>> = { red: 3, amber: 9, green: 15 };
const BAND_COLOUR: Readonly<Record<string, string>> = {
  red: COLOURS.red,
  amber: COLOURS.amber,
  green: COLOURS.green,
};

/** The band's path across scorings: up is worse. */
export function sparkline(history: readonly { band: string; at: string }[]): SafeHtml {
  const points = history.slice(-12);
  if (points.length === 0) return html``;
  const width = 64;
  const step = points.length > 1 ? (width - 6) / (points.length - 1) : 0;
  const coords = points.map((point, index) => ({
    x: 3 + index * step,
    y: Y_OF_BAND[point.band] ?? 9,
    band: point.band,
  }));
  const last = coords[coords.length - 1]!;
  const label = `Band history, oldest first: ${points.map((point) => point.band).join(', ')}`;
  return html`<svg
    class="spark"
    width="${width}"
    height="18"
    viewBox="0 0 ${width} 18"
    role="img"
    aria-label="${label}"
  >
    <title>${label}</title>
    <line x1="0" y1="3" x2="${width}" y2="3" stroke="#f3d6d8" stroke-width="1" />
    <line x1="0" y1="15" x2="${width}" y2="15" stroke="#d9eadf" stroke-width="1" />
    ${
      coords.length > 1 &&
      html`<polyline
        points="${coords.map((c) => `${c.x.toFixed(1)},${c.y}`).join(' ')}"
        fill="none"
        stroke="#0b0c0c"
        stroke-width="1.5"
      />`
    }
    <circle cx="${last.x.toFixed(1)}" cy="${last.y}" r="3" fill="${BAND_COLOUR[last.band] ?? '#505a5f'}" />
  </svg>`;
}

const shortMonth = (month: string): string => {
  const [year, number] = month.split('-');
  const names = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${names[Number(number) - 1] ?? number} ${year?.slice(2) ?? ''}`;
};

interface Series {
  readonly key: keyof typeof COLOURS;
  readonly label: string;
  readonly value: (month: MonthCounts) => number;
}

const PLOT = { left: 34, top: 10, height: 160, slot: 30 };

function axis(max: number, width: number): SafeHtml {
  const ticks = [0, Math.round(max / 2), max].filter((tick, index, all) => all.indexOf(tick) === index);
  return html`${ticks.map((tick) => {
    const y = PLOT.top + PLOT.height - (max === 0 ? 0 : (tick / max) * PLOT.height);
    return html`<line x1="${PLOT.left}" x2="${width}" y1="${y}" y2="${y}" stroke="#dcdcdc" />
      <text x="${PLOT.left - 4}" y="${y + 4}" text-anchor="end" font-size="11" fill="#505a5f">${tick}</text>`;
  })}`;
}

function monthLabels(months: readonly MonthCounts[]): SafeHtml {
  return html`${months.map((month, index) =>
    index % 3 === 0
      ? html`<text
          x="${PLOT.left + index * PLOT.slot + PLOT.slot / 2}"
          y="${PLOT.top + PLOT.height + 16}"
          text-anchor="middle"
          font-size="11"
          fill="#0b0c0c"
          >${shortMonth(month.month)}</text
        >`
      : '',
  )}`;
}

/** Stacked (one column per month) or grouped (the series side by side) bars. */
export function monthlyChart(
  months: readonly MonthCounts[],
  series: readonly Series[],
  options: { stacked: boolean; labelledBy: string },
): SafeHtml {
  const width = PLOT.left + months.length * PLOT.slot + 6;
  const totals = months.map((month) =>
    options.stacked
      ? series.reduce((sum, s) => sum + s.value(month), 0)
      : Math.max(0, ...series.map((s) => s.value(month))),
  );
  const max = Math.max(1, ...totals);
  const scale = (value: number): number => (value / max) * PLOT.height;
  const bars = months.map((month, index) => {
    const x = PLOT.left + index * PLOT.slot + 4;
    let base = PLOT.top + PLOT.height;
    return series.map((s, position) => {
      const value = s.value(month);
      const h = scale(value);
      const barWidth = options.stacked ? PLOT.slot - 8 : (PLOT.slot - 8) / series.length;
      const bx = options.stacked ? x : x + position * barWidth;
      const y = options.stacked ? (base -= h) : PLOT.top + PLOT.height - h;
      return value === 0
        ? ''
        : html`<rect
            x="${bx.toFixed(1)}"
            y="${y.toFixed(1)}"
            width="${barWidth.toFixed(1)}"
            height="${h.toFixed(1)}"
            fill="${COLOURS[s.key]}"
          >
            <title>${shortMonth(month.month)}: ${value} ${s.label}</title>
          </rect>`;
    });
  });
  return html`<svg
    class="chart"
    width="${width}"
    height="${PLOT.top + PLOT.height + 24}"
    viewBox="0 0 ${width} ${PLOT.top + PLOT.height + 24}"
    role="img"
    aria-labelledby="${options.labelledBy}"
  >
    ${axis(max, width)} ${bars} ${monthLabels(months)}
  </svg>`;
}

export const BAND_SERIES: readonly Series[] = [
  { key: 'green', label: 'green', value: (m) => m.green },
  { key: 'amber', label: 'amber', value: (m) => m.amber },
  { key: 'red', label: 'red', value: (m) => m.red },
];

export const FLOW_SERIES: readonly Series[] = [
  { key: 'adopted', label: 'adopted', value: (m) => m.adopted },
  { key: 'deselected', label: 'de-selected', value: (m) => m.deselected },
];

export function legend(series: readonly Series[]): SafeHtml {
  return html`<ul class="legend">
    ${series.map((s) => html`<li><span class="key key-${s.key}" aria-hidden="true"></span>${s.label}</li>`)}
  </ul>`;
}

/** Arrests in the 12 months before and after adoption, as two labelled bars. */
export function arrestsChart(arrests: ArrestComparison, labelledBy: string): SafeHtml {
  const max = Math.max(1, arrests.before, arrests.after);
  const bar = (label: string, value: number, y: number, colour: string): SafeHtml =>
    html`<text x="0" y="${y + 15}" font-size="13" fill="#0b0c0c">${label}</text>
      <rect x="130" y="${y}" width="${((value / max) * 300).toFixed(1)}" height="22" fill="${colour}" />
      <text x="${(136 + (value / max) * 300).toFixed(1)}" y="${y + 16}" font-size="13" fill="#0b0c0c"
        >${value}</text
      >`;
  return html`<svg
    class="chart"
    width="480"
    height="70"
    viewBox="0 0 480 70"
    role="img"
    aria-labelledby="${labelledBy}"
  >
    ${bar('12 months before', arrests.before, 6, '#505a5f')}
    ${bar('12 months after', arrests.after, 40, '#1d4f91')}
  </svg>`;
}

export { shortMonth };

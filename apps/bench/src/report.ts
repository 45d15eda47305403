import { formatLoad, type Machine } from './machine';

/** One measured figure: absolute numbers, a baseline measured in the same run, and the target. */
export interface Figure {
  readonly kind: 'figure';
  readonly key: string;
  readonly title: string;
  /** The issue's number, or its name where it has none. */
  readonly issue: number | string;
  readonly result: string;
  /** What the baseline (mostly the raw store) did in the same run, which the ratio divides by. */
  readonly baseline: string;
  readonly ratio: number;
  readonly target: string;
  /** Reported, never asserted: a busy machine should not turn a benchmark into a failure. */
  readonly met: boolean;
  readonly details: readonly string[];
}

/** A figure the bench has a place for but does not measure yet. */
export interface Pending {
  readonly kind: 'pending';
  readonly key: string;
  readonly title: string;
  readonly issue: number | string;
  readonly what: string;
}

/** A figure whose measurement threw: the rest of the run still reports. */
export interface Failed {
  readonly kind: 'failed';
  readonly key: string;
  readonly title: string;
  readonly issue: number | string;
  readonly error: string;
}

export type Outcome = Figure | Pending | Failed;

export const fmt = (value: number, digits = 0): string =>
  Number.isFinite(value)
    ? value.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : 'n/a';

/**
 * An events-per-second target, as the issues set it for SQLite, the embedded default; another
 * backend's figure is shown against it for comparison.
 */
export const rateTarget = (target: number, backend: string): string =>
  `>= ${fmt(target)} events/s${backend === 'SQLite' ? '' : ' (set for SQLite; shown for comparison)'}`;

const issueOf = (outcome: Outcome): string =>
  typeof outcome.issue === 'number' ? `#${outcome.issue}` : outcome.issue;

const statusOf = (outcome: Outcome): string =>
  outcome.kind === 'figure'
    ? outcome.met
      ? 'met'
      : 'not met'
    : outcome.kind === 'pending'
      ? 'not measured yet'
      : 'failed';

/** Collects the outcomes, prints each as it arrives, and renders the same content as Markdown. */
export class Report {
  readonly outcomes: Outcome[] = [];
  readonly notes: string[] = [];

  constructor(
    readonly command: string,
    readonly machine: Machine,
    private readonly out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  printHeader(): void {
    const m = this.machine;
    this.out(`$ ${this.command}`);
    this.out(`machine   ${m.cpu}, ${m.cores} cores, ${fmt(m.memoryGiB, 1)} GiB, ${m.os}`);
    this.out(`node      ${m.node}`);
    this.out(`date      ${m.date}`);
    this.out(`commit    ${m.commit}`);
    this.out(`load avg  ${formatLoad(m.loadAtStart)} (1, 5, 15 min) at start`);
    this.out('');
  }

  add(outcome: Outcome): void {
    this.outcomes.push(outcome);
    this.out(`[${outcome.key}] ${outcome.title} (issue ${issueOf(outcome)})`);
    if (outcome.kind === 'pending') this.out(`    not measured yet: ${outcome.what}`);
    else if (outcome.kind === 'failed') this.out(`    FAILED: ${outcome.error}`);
    else {
      this.out(`    result     ${outcome.result}`);
      this.out(`    baseline   ${outcome.baseline}`);
      this.out(`    ratio      ${fmt(outcome.ratio, 3)}`);
      this.out(`    target     ${outcome.target}: ${statusOf(outcome)}`);
      for (const detail of outcome.details) this.out(`    - ${detail}`);
    }
    this.out('');
  }

  /** Progress while a long step runs; not part of the written report. */
  step(text: string): void {
    this.out(`... ${text}`);
  }

  note(text: string): void {
    this.notes.push(text);
    this.out(`note: ${text}`);
  }

  /** The whole report as docs/benchmarks.md: summary, details, then how each figure is measured. */
  markdown(method: string): string {
    const m = this.machine;
    const cell = (text: string): string => text.replace(/\|/g, '\\|');
    // Figures finish in the order their measurements allow; the document lists them by number.
    const outcomes = [...this.outcomes].sort((a, b) => Number(a.key) - Number(b.key));
    const lines = [
      '# Benchmarks',
      '',
      'Written by `npm run bench` from its last run; rerun it to refresh. Figures are reported, never',
      'asserted: each is set against a baseline measured in the same run (the raw store, or the same work',
      'without the step under test), so a busy or slower machine moves both sides. Targets come from the',
      'issues named beside each figure.',
      '',
      '## The run',
      '',
      '| | |',
      '|---|---|',
      `| command | \`${this.command}\` |`,
      `| CPU | ${m.cpu} |`,
      `| cores | ${m.cores} |`,
      `| memory | ${fmt(m.memoryGiB, 1)} GiB |`,
      `| OS | ${m.os} |`,
      `| Node | ${m.node} |`,
      `| date | ${m.date} |`,
      `| commit | ${m.commit} |`,
      `| load average at start (1, 5, 15 min) | ${formatLoad(m.loadAtStart)} |`,
      '',
      '## Summary',
      '',
      '| # | figure | issue | result | baseline, same run | ratio | target | |',
      '|---|---|---|---|---|---|---|---|',
      ...outcomes.map((o) =>
        o.kind === 'figure'
          ? `| ${o.key} | ${o.title} | ${issueOf(o)} | ${cell(o.result)} | ${cell(o.baseline)} | ${fmt(o.ratio, 3)} | ${cell(o.target)} | ${statusOf(o)} |`
          : `| ${o.key} | ${o.title} | ${issueOf(o)} | ${statusOf(o)} | | | | |`,
      ),
      '',
      '## Details',
      '',
      ...outcomes.flatMap((o) => [`### ${o.key}. ${o.title}`, '', ...detailsOf(o), '']),
      ...(this.notes.length > 0
        ? ['## Notes from this run', '', ...this.notes.map((n) => `- ${n}`), '']
        : []),
      method.trim(),
      '',
    ];
    return lines.join('\n');
  }
}

function detailsOf(outcome: Outcome): string[] {
  switch (outcome.kind) {
    case 'pending':
      return [`Not measured yet: ${outcome.what}`];
    case 'failed':
      return [`The measurement failed in this run: \`${outcome.error.replace(/`/g, "'")}\``];
    case 'figure':
      return [
        `- result: ${outcome.result}`,
        `- baseline, same run: ${outcome.baseline}`,
        `- ratio: ${fmt(outcome.ratio, 3)}`,
        `- target: ${outcome.target} (${statusOf(outcome)})`,
        ...outcome.details.map((detail) => `- ${detail}`),
      ];
  }
}

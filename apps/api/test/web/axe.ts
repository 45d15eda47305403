import { readFileSync } from 'node:fs';
import type { AxeResults, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';

/** The WCAG success criteria the pages are held to: 2.0, 2.1 and 2.2 at levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] as const;

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** One violation, as a reader of a failed test needs it: the rule, what it asks, and where. */
export interface AxeFinding {
  readonly rule: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: readonly string[];
}

/**
 * Runs axe-core over the page as it stands and returns its WCAG A and AA violations. The script is
 * evaluated through the browser's debugging protocol, not added as a script element: the pages'
 * Content-Security-Policy allows no script, and the check must not need it loosened.
 */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const options: RunOptions = {
    runOnly: { type: 'tag', values: [...WCAG_TAGS] },
    resultTypes: ['violations'],
  };
  const results = await page.evaluate<AxeResults>(`window.axe.run(document, ${JSON.stringify(options)})`);
  return results.violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact ?? null,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(' ')),
  }));
}

/** Fails the test, naming each rule and element, when the page has any WCAG A or AA violation. */
export async function expectAccessible(page: Page): Promise<void> {
  const findings = await axeViolations(page);
  // The page's address rides along so a failure says which page it was.
  expect({ page: new URL(page.url()).pathname, findings }).toEqual({
    page: new URL(page.url()).pathname,
    findings: [],
  });
}

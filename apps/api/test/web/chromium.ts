import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, which CI installs (`apt-get install -y chromium`). */
export const CHROMIUM = '/usr/bin/chromium';

/** Where the browser tests write the pages' screenshots for the docs. */
export const SCREENSHOTS = join(__dirname, '..', '..', '..', '..', 'docs', 'screenshots');

const present = existsSync(CHROMIUM);
// Without Chromium a browser suite says so instead of failing or passing silently.
if (!present) console.warn(`Browser tests skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);

/** `describe` when Chromium is installed, `describe.skip` (having said why) when it is not. */
export const describeWithChromium = present ? describe : describe.skip;

/** Headless Chromium as every browser suite runs it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWorkerThread } from '@throughline/platform';
import type { PressureReport } from './testing/heap-pressure.worker';

/**
 * The served documents and the projection runner under real heap pressure: a thread with a heap
 * of its own, filled past half its limit with ballast, over real SQLite files.
 */
describe('caches under heap pressure (SQLite files, a thread with a small heap)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-pressure-'));
  let report: PressureReport;

  beforeAll(async () => {
    const thread = startWorkerThread(
      join(__dirname, 'testing', 'heap-pressure.worker'),
      __filename,
      { dir },
      { aliases: true, resourceLimits: { maxOldGenerationSizeMb: 512 } },
    );
    [report] = (await once(thread, 'message')) as [PressureReport];
    await once(thread, 'exit');
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the same parsed documents until the heap is under pressure, then parses them again', () => {
    expect(report.pressureAtStart).toBe(false);
    expect(report.sameDocumentBefore).toBe(true);
    expect(report.pressureAfterBallast).toBe(true);
    expect(report.equalDocumentAfter).toBe(true);
    expect(report.sameDocumentAfter).toBe(false);
    // Let go of as they are, every document is still served.
    expect(report.allAfter).toEqual([{ n: 1 }, { n: 2 }]);
    expect(report.allAfter).toEqual(report.allBefore);
  });

  it('lets the runner load a document again after a write under pressure, and count on', () => {
    expect(report.loadsBefore).toBe(0);
    expect(report.loadsAfter).toBe(1);
    expect(report.count).toBe(4);
  });
});

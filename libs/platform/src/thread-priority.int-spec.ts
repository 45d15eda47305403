import { once } from 'node:events';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import type { BackgroundThreadReport } from './testing/background-thread.worker';
import { BACKGROUND_NICENESS, runAsBackgroundThread } from './thread-priority';
import { startWorkerThread } from './worker-thread';

describe('runAsBackgroundThread', () => {
  it('leaves the main thread, and so the process, as it was', () => {
    const before = getPriority();
    expect(runAsBackgroundThread()).toBe(false);
    expect(getPriority()).toBe(before);
  });

  (process.platform === 'linux' ? it : it.skip)(
    'lowers the calling worker thread alone, on Linux',
    async () => {
      const main = getPriority();
      const thread = startWorkerThread(
        join(__dirname, 'testing', 'background-thread.worker'),
        __filename,
        {},
      );
      const [report] = (await once(thread, 'message')) as [BackgroundThreadReport];
      await once(thread, 'exit');
      expect(report).toEqual({ before: main, lowered: true, after: main + BACKGROUND_NICENESS });
      expect(getPriority()).toBe(main);
    },
    30_000,
  );
});

import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** How often a process beats; a health check allows a few missed beats (`HEARTBEAT_MAX_AGE_SECONDS`). */
export const HEARTBEAT_INTERVAL_MS = 5_000;
export const HEARTBEAT_MAX_AGE_SECONDS = 30;

/** What a heartbeat file holds: who writes it and when it last did. */
interface Beat {
  readonly pid: number;
  readonly at: number;
}

export type HeartbeatCheck =
  | { readonly ok: true; readonly pid: number; readonly ageSeconds: number }
  | { readonly ok: false; readonly reason: string };

/**
 * A process's sign of life under DATA_DIR, for a health check without HTTP: the worker listens on
 * nothing. The beat is written from the main event loop, so a loop that is stuck stops beating.
 * The file is replaced whole (written aside, then renamed), so a reader never sees half of one.
 */
export class Heartbeat {
  private constructor(
    private readonly file: string,
    private readonly timer: NodeJS.Timeout,
  ) {}

  static file(dataDir: string, name: string): string {
    return join(dataDir, `${name}.heartbeat`);
  }

  static start(dataDir: string, name: string, intervalMs = HEARTBEAT_INTERVAL_MS): Heartbeat {
    const file = Heartbeat.file(dataDir, name);
    const write = () => {
      const next = `${file}.${process.pid}`;
      writeFileSync(next, JSON.stringify({ pid: process.pid, at: Date.now() } satisfies Beat), {
        mode: 0o600,
      });
      renameSync(next, file);
    };
    write();
    // A beat that cannot be written (a full disk) leaves the file to age: the check then fails,
    // which is the truth, rather than the worker dying of it.
    const timer = setInterval(() => {
      try {
        write();
      } catch {
        /* the next beat tries again */
      }
    }, intervalMs);
    // The beat never keeps a process alive that has nothing else to do.
    timer.unref();
    return new Heartbeat(file, timer);
  }

  /** Stops beating and removes the file: a process that stopped is not healthy. */
  stop(): void {
    clearInterval(this.timer);
    rmSync(this.file, { force: true });
  }

  /** Healthy when the file names a live process and was written within `maxAgeSeconds`. */
  static check(dataDir: string, name: string, maxAgeSeconds: number, now = Date.now()): HeartbeatCheck {
    const file = Heartbeat.file(dataDir, name);
    let beat: Beat;
    try {
      beat = JSON.parse(readFileSync(file, 'utf8')) as Beat;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return {
        ok: false,
        reason:
          code === 'ENOENT'
            ? `No ${name} heartbeat at ${file}: no ${name} runs on this DATA_DIR, or it has not started`
            : `The ${name} heartbeat at ${file} cannot be read: ${(error as Error).message}`,
      };
    }
    if (!Number.isInteger(beat.pid) || typeof beat.at !== 'number')
      return { ok: false, reason: `The ${name} heartbeat at ${file} is not one this platform writes` };
    const ageSeconds = Math.max(0, (now - beat.at) / 1000);
    if (!isAlive(beat.pid))
      return { ok: false, reason: `The ${name} that wrote ${file} (pid ${beat.pid}) is no longer running` };
    if (ageSeconds > maxAgeSeconds)
      return {
        ok: false,
        reason: `The ${name} (pid ${beat.pid}) last beat ${ageSeconds.toFixed(1)} s ago, more than ${maxAgeSeconds} s: its event loop is stuck`,
      };
    return { ok: true, pid: beat.pid, ageSeconds };
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

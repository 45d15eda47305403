import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLOSE_TIMEOUT_MS = 10_000;

/**
 * Everything a run creates outside the repository (temp directories, PostgreSQL databases) is
 * registered here and removed in reverse order at the end, also when a figure fails or the run
 * is interrupted, so repeated runs leave nothing behind. What is open at that moment (the API, the
 * stores) is closed first: a database dropped under a live pool makes the pool throw.
 */
export class Scratch {
  private readonly cleanups: { readonly what: string; readonly run: () => Promise<void> }[] = [];
  private readonly open = new Map<number, { readonly what: string; readonly close: () => Promise<void> }>();
  private nextId = 0;
  private disposed = false;

  async tempDir(label: string): Promise<string> {
    this.assertLive();
    const dir = await mkdtemp(join(tmpdir(), `throughline-bench-${label}-`));
    this.defer(`remove temp dir ${label}`, () => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  /** Registers a clean-up; register it before creating the thing, so that nothing escapes it. */
  defer(what: string, run: () => Promise<void>): void {
    this.assertLive();
    this.cleanups.push({ what, run });
  }

  /** After an interrupt the run goes on until its next step; this stops it creating anything more. */
  private assertLive(): void {
    if (this.disposed) throw new Error('the run was stopped');
  }

  /** Runs `work` with something open, closing it afterwards, or in dispose() if the run stops first. */
  async using<T, R>(
    what: string,
    resource: T,
    close: (resource: T) => Promise<void>,
    work: (resource: T) => Promise<R>,
  ): Promise<R> {
    if (this.disposed) {
      await close(resource);
      throw new Error('the run was stopped');
    }
    const id = this.nextId++;
    // One close, shared: dispose() must wait for a close already under way, not skip it.
    let closing: Promise<void> | undefined;
    this.open.set(id, { what, close: () => (closing ??= close(resource)) });
    try {
      return await work(resource);
    } finally {
      await (closing ??= close(resource));
      this.open.delete(id);
    }
  }

  /** Closes what is open, then runs every clean-up even if some fail; returns what could not be done. */
  async dispose(): Promise<string[]> {
    this.disposed = true;
    const failures: string[] = [];
    const attempt = async (what: string, run: () => Promise<void>): Promise<void> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${CLOSE_TIMEOUT_MS} ms`)), CLOSE_TIMEOUT_MS);
      });
      try {
        await Promise.race([run(), timeout]);
      } catch (error) {
        failures.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        clearTimeout(timer);
      }
    };
    const open = [...this.open.values()].reverse();
    this.open.clear();
    for (const { what, close } of open) await attempt(`close ${what}`, close);
    for (const { what, run } of this.cleanups.splice(0).reverse()) await attempt(what, run);
    return failures;
  }
}

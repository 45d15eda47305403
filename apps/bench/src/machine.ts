import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';

/** What the figures were measured on: they mean little without it. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly date: string;
  /** The 1, 5 and 15 minute load averages when the run started: other work skews the figures. */
  readonly loadAtStart: readonly [number, number, number];
  readonly commit: string;
}

export function describeMachine(now = new Date()): Machine {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()}`,
    node: process.version,
    date: now.toISOString(),
    loadAtStart: [one, five, fifteen],
    commit: gitCommit(),
  };
}

/** The commit measured, and whether the working tree differed from it. */
function gitCommit(): string {
  try {
    const run = (...args: string[]): string =>
      execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = run('rev-parse', '--short', 'HEAD');
    return run('status', '--porcelain').length > 0 ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export const formatLoad = (load: readonly number[]): string =>
  load.map((value) => value.toFixed(2)).join(', ');

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CONFIG_ENV_VARS } from '@throughline/platform';

export const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'bin', 'throughline.js');

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The built CLI as an operator runs it, from the repository root unless told otherwise, with its exit status and both
 * streams. Only `env` configures it: a developer's DATABASE_URL or DATA_DIR cannot leak in.
 */
export function cli(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
  cwd = ROOT,
): CliRun {
  const clean: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
  for (const name of CONFIG_ENV_VARS) if (name !== 'LOG_LEVEL') delete clean[name];
  const run = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...clean, ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

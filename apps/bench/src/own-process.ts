import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

/** The compiled tree the bench runs from, onto which the launcher maps the `@throughline/*` aliases. */
const DIST = join(__dirname, '..', '..', '..');

/**
 * Runs a bench module in a Node process of its own: sends it `job`, and resolves with the one
 * message it answers. A module failing, or the process ending without an answer, rejects.
 */
export async function inProcessOfItsOwn<Job, Result>(module: string, job: Job): Promise<Result> {
  const launcher = `
require('tsconfig-paths').register({ baseUrl: ${JSON.stringify(DIST)}, paths: { '@throughline/*': ['libs/*/src'] } });
require(${JSON.stringify(join(__dirname, `${module}.js`))});
`;
  const child = spawn(process.execPath, ['-e', launcher], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const answered = once(child, 'message') as Promise<[Result]>;
  child.send(job as object);
  const first = await Promise.race([answered, exited.then(([code, signal]) => ({ code, signal }))]);
  if (!Array.isArray(first)) {
    throw new Error(`${module} ended without an answer (exit ${first.code ?? first.signal})`);
  }
  await exited;
  return first[0];
}

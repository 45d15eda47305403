import { extname, join } from 'node:path';
import { type ResourceLimits, Worker } from 'node:worker_threads';

/** The tree the caller runs from: the repository (sources) or the compiled `dist`. */
const ROOT = join(__dirname, '..', '..', '..');

/** Maps the `@throughline/*` aliases onto ROOT, as the launcher does for the main thread. */
const ALIASES = `
require('tsconfig-paths').register({ baseUrl: ${JSON.stringify(ROOT)}, paths: { '@throughline/*': ['libs/*/src'] } });
`;

/*
 * Run from TypeScript sources (the test runner), a worker's module is transpiled as it loads, with
 * the decorator metadata Nest's injection reads.
 */
const TRANSPILE = `
const { readFileSync } = require('node:fs');
const ts = require('typescript');
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    },
  });
  module._compile(outputText, filename);
};
`;

/**
 * Starts a worker thread on a module beside the caller: `file` is the caller's `__dirname` joined
 * with the module's name, and `caller` its `__filename`, whose extension tells compiled code from
 * sources. A thread does not inherit the main thread's module hooks: a module that imports through
 * the path aliases asks for them with `aliases`; one that does not starts faster without. A thread
 * may be given a heap of its own size with `resourceLimits`.
 */
export function startWorkerThread(
  file: string,
  caller: string,
  workerData: unknown,
  options: { readonly aliases?: boolean; readonly resourceLimits?: ResourceLimits } = {},
): Worker {
  const extension = extname(caller);
  const fromSources = extension === '.ts';
  const { resourceLimits } = options;
  if (!fromSources && !options.aliases)
    return new Worker(`${file}${extension}`, { workerData, resourceLimits });
  const code = [
    fromSources ? TRANSPILE : '',
    options.aliases ? ALIASES : '',
    `require(${JSON.stringify(`${file}${extension}`)});`,
  ].join('');
  return new Worker(code, { eval: true, workerData, resourceLimits });
}

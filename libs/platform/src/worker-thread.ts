import { extname, join } from 'node:path';
import { type ResourceLimits, Worker } from 'node:worker_threads';

/** The tree the caller runs from: the repository (sources) or the compiled `dist`. */
const ROOT = join(__dirname, '..', '..', '..');

/**
 * Maps the `@throughline/*` aliases onto ROOT, as the launcher does for the main thread. A thread
 * evaluated from a string resolves bare names from the working directory, so each module is named
 * by the path this file resolves it to: the process may start from any directory.
 */
const ALIASES = `
require(${JSON.stringify(require.resolve('tsconfig-paths'))}).register({ baseUrl: ${JSON.stringify(ROOT)}, paths: { '@throughline/*': ['libs/*/src'] } });
`;

/*
 * Run from TypeScript sources (the test runner), a worker's module is transpiled as it loads, with
 * the decorator metadata Nest's injection reads.
 */
const transpile = (): string => `
const { readFileSync } = require('node:fs');
const ts = require(${JSON.stringify(require.resolve('typescript'))});
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
 * Code that loads a module beside the caller in a fresh thread or process: `file` is the caller's
 * `__dirname` joined with the module's name, and `caller` its `__filename`, whose extension tells
 * compiled code from sources. A new thread or process has none of this one's module hooks: a module
 * that imports through the path aliases asks for them with `aliases`.
 */
export function moduleLoader(
  file: string,
  caller: string,
  options: { readonly aliases?: boolean } = {},
): string {
  const extension = extname(caller);
  return [
    extension === '.ts' ? transpile() : '',
    options.aliases ? ALIASES : '',
    `require(${JSON.stringify(`${file}${extension}`)});`,
  ].join('');
}

/**
 * Starts a worker thread on a module beside the caller (see `moduleLoader`); a module that does not
 * need the aliases starts faster without. A thread may be given a heap of its own size with
 * `resourceLimits`.
 */
export function startWorkerThread(
  file: string,
  caller: string,
  workerData: unknown,
  options: { readonly aliases?: boolean; readonly resourceLimits?: ResourceLimits } = {},
): Worker {
  const extension = extname(caller);
  const { resourceLimits } = options;
  if (extension !== '.ts' && !options.aliases)
    return new Worker(`${file}${extension}`, { workerData, resourceLimits });
  return new Worker(moduleLoader(file, caller, options), { eval: true, workerData, resourceLimits });
}

import { extname } from 'node:path';
import { Worker } from 'node:worker_threads';

/*
 * Run from TypeScript sources (the test runner), a worker's module is transpiled as it loads. Such a
 * module may import only relative modules and packages: the path aliases are not mapped there.
 */
const FROM_SOURCES = (file: string): string => `
const { readFileSync } = require('node:fs');
const ts = require('typescript');
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};
require(${JSON.stringify(file)});
`;

/**
 * Starts a worker thread on a module beside the caller: `file` is the caller's `__dirname` joined
 * with the module's name, and `caller` its `__filename`, whose extension tells compiled code from
 * sources.
 */
export function startWorkerThread(file: string, caller: string, workerData: unknown): Worker {
  const extension = extname(caller);
  if (extension === '.ts') return new Worker(FROM_SOURCES(`${file}.ts`), { eval: true, workerData });
  return new Worker(`${file}${extension}`, { workerData });
}

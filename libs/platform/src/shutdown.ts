import { Logger } from '@nestjs/common';
import { stopTracing } from './tracing';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

export interface StopOnSignalsOptions {
  /** Finishes what the process accepted and closes its stores. */
  readonly stop: (signal: NodeJS.Signals) => Promise<void>;
  /** How long `stop` may take before the process exits anyway. */
  readonly graceMs: number;
  /** What is still unfinished, named in the log when the grace period runs out. */
  readonly unfinished?: () => readonly string[];
  readonly logger?: Logger;
  readonly exit?: (code: number) => void;
}

/**
 * Stops the process on SIGTERM or SIGINT: `stop`, then exit 0. A stop that outlasts the grace
 * period, or a second signal, exits 1 at once, naming what was abandoned, so a supervisor never
 * waits on a process that cannot finish. Returns a function that stops listening.
 */
export function stopOnSignals({
  stop,
  graceMs,
  unfinished = () => [],
  logger = new Logger('Shutdown'),
  exit = (code) => process.exit(code),
}: StopOnSignalsOptions): () => void {
  let stopping = false;
  let deadline: NodeJS.Timeout | undefined;
  const abandon = (why: string): void => {
    const left = unfinished();
    logger.error(
      `${why}; exiting with ${left.length > 0 ? `unfinished: ${left.join(', ')}` : 'nothing left unfinished'}`,
    );
    exit(1);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return abandon(`${signal} received again while stopping`);
    stopping = true;
    logger.log(`${signal} received: stopping, within ${graceMs / 1000} s`);
    // Kept referenced: a stop stalled on a promise nothing will settle would otherwise let the
    // process drift out silently, with nothing logged about what it left.
    deadline = setTimeout(() => abandon(`Not stopped within ${graceMs / 1000} s`), graceMs);
    stop(signal)
      // The spans of the stop itself go out with the rest, before the process ends.
      .then(() => stopTracing())
      .then(
        () => {
          clearTimeout(deadline);
          logger.log('Stopped');
          exit(0);
        },
        (error: unknown) => {
          clearTimeout(deadline);
          logger.error(`Stopping failed: ${error instanceof Error ? error.message : String(error)}`);
          exit(1);
        },
      );
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return () => {
    clearTimeout(deadline);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
}

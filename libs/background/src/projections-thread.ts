import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import type { EventStore } from '@throughline/event-store';
import type { KafkaSettings } from '@throughline/kafka';
import { startWorkerThread, type ThroughlineConfig } from '@throughline/platform';
import type { ProjectionProgress, ProjectionRunner } from '@throughline/projections';

export type ToProjectionsThread = { readonly kind: 'appended' } | { readonly kind: 'stop' };
export type FromProjectionsThread =
  | { readonly kind: 'started' }
  | { readonly kind: 'progress'; readonly progress: ProjectionProgress }
  | { readonly kind: 'relay'; readonly relay: RelayProgress };

/** The alerts relay on the thread, as it last reported itself. */
export interface RelayProgress {
  readonly role: 'leader' | 'standby' | 'stopped';
  /** The last log position whose alerts are acknowledged. */
  readonly position: number;
  /** Alerts sent since the thread started. */
  readonly sent: number;
}

export interface ProjectionsThread {
  /** The alerts relay's progress, when the thread runs it. */
  readonly relay: () => RelayProgress | undefined;
}

/** How long a stopping thread may take to finish its batch and close its stores. */
const STOP_TIMEOUT_MS = 10_000;
/** How long after an unexpected exit the thread is started again. */
const RESTART_DELAY_MS = 1_000;

/**
 * Runs the projections on a thread of their own, beside a process that appends (the API, or the
 * worker's Kafka ingestion): a burst of appends is projected on the machine's other core while
 * this thread goes on answering. The thread opens its own connections to the log and the read
 * models; `runner`, this process's, follows it, so status, readiness and `waitFor` read as before.
 * Appends made through `store` wake the thread at once rather than at its next poll. A thread that
 * dies is started again from the checkpoints.
 *
 * With `relay` settings, the thread runs the alerts relay too, after the projections it waits
 * for: both follow the log, so neither takes time from the thread that takes appends.
 */
export async function startProjectionsThread(
  config: ThroughlineConfig,
  store: EventStore,
  runner: ProjectionRunner,
  options: { readonly relay?: KafkaSettings } = {},
): Promise<ProjectionsThread> {
  const logger = new Logger('ProjectionsThread');
  let relay: RelayProgress | undefined;
  let worker: Worker | undefined;
  let stopping = false;
  let restart: NodeJS.Timeout | undefined;

  const start = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const thread = startWorkerThread(
        join(__dirname, 'projections-thread.worker'),
        __filename,
        { config, relay: options.relay },
        { aliases: true },
      );
      worker = thread;
      thread.on('message', (message: FromProjectionsThread) => {
        if (message.kind === 'started') resolve();
        else if (message.kind === 'relay') relay = message.relay;
        else runner.applyProgress(message.progress);
      });
      thread.on('error', (error) => {
        logger.error(`The projections thread failed: ${error.message}`);
        reject(error);
      });
      thread.on('exit', (code) => {
        if (worker === thread) worker = undefined;
        if (stopping) return;
        const reason = `the projections thread stopped (exit code ${code})`;
        for (const name of runner.names) runner.applyFailure(name, reason);
        reject(new Error(reason));
        logger.error(`${reason}; starting it again in ${RESTART_DELAY_MS} ms`);
        restart = setTimeout(() => void start().catch(() => undefined), RESTART_DELAY_MS);
      });
    });

  const unsubscribe = store.onAppended(() =>
    worker?.postMessage({ kind: 'appended' } satisfies ToProjectionsThread),
  );
  const stop = async (): Promise<void> => {
    stopping = true;
    clearTimeout(restart);
    unsubscribe();
    const thread = worker;
    if (!thread) return;
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    thread.postMessage({ kind: 'stop' } satisfies ToProjectionsThread);
    let terminated = false;
    const timer = setTimeout(() => {
      terminated = true;
      void thread.terminate();
    }, STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    if (terminated)
      logger.warn(`Projections thread ended after ${STOP_TIMEOUT_MS} ms; its leases lapse when they expire`);
    else logger.log('Projections stopped: batches in hand committed, leases released');
  };
  runner.follow({ stop });
  try {
    await start();
  } catch (error) {
    await runner.stop();
    throw error;
  }
  return { relay: () => relay };
}

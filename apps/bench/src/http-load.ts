import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FloodJob, FloodResult, GetJob, JobResult, PostJob, SpreadJob } from './http-worker';

/** Load generators still running, so an interrupted run can stop them before closing the API. */
const running = new Set<Worker>();

export async function stopLoadGenerators(): Promise<void> {
  await Promise.all([...running].map((worker) => worker.terminate()));
}

/** Runs one load job in a worker thread and resolves with what it measured. */
export function runHttpJob(job: PostJob | SpreadJob | GetJob): Promise<JobResult>;
export function runHttpJob(job: FloodJob): Promise<FloodResult>;
export function runHttpJob(job: PostJob | SpreadJob | GetJob | FloodJob): Promise<JobResult | FloodResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'http-worker.js'), { workerData: job });
    running.add(worker);
    worker.once('exit', () => running.delete(worker));
    worker.once(
      'message',
      (message: { ok: true; result: JobResult | FloodResult } | { ok: false; error: string }) => {
        if (message.ok) resolve(message.result);
        else reject(new Error(`load generator failed: ${message.error}`));
      },
    );
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with code ${code}`));
    });
  });
}

/** The q-quantile by nearest rank, in the latencies' unit. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

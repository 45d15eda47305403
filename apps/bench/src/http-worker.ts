import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * The load generator, run in a worker thread so that sending requests and parsing answers never
 * shares the event loop with the API under test (which runs on the main thread). It imports
 * nothing from the project, so it needs no alias registration.
 */

export interface PostJob {
  readonly kind: 'post';
  readonly url: string;
  readonly contentType: string;
  readonly posts: readonly { readonly token: string; readonly body: string }[];
}

export interface GetJob {
  readonly kind: 'get';
  readonly baseUrl: string;
  readonly paths: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly connections: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface JobResult {
  readonly requests: number;
  readonly elapsedMs: number;
  /** Milliseconds per request, in completion order (measured requests only). */
  readonly latenciesMs: number[];
  readonly statuses: Record<string, number>;
  readonly firstError?: string;
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

function send(
  agent: Agent,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends the batches one after another, as one agency gateway would, and times the whole run. */
async function runPosts(job: PostJob): Promise<JobResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(job.url);
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  let firstError: string | undefined;
  // Encoded before the clock starts, as the bodies were serialised: an agency system sends bytes.
  const bodies = job.posts.map((post) => Buffer.from(post.body, 'utf8'));
  const started = performance.now();
  for (const [index, post] of job.posts.entries()) {
    const body = bodies[index]!;
    const sent = performance.now();
    const answer = await send(
      agent,
      url,
      'POST',
      {
        authorization: `Bearer ${post.token}`,
        'content-type': job.contentType,
        'content-length': String(body.length),
      },
      body,
    );
    latenciesMs.push(performance.now() - sent);
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    if (answer.status !== 200) firstError ??= `${answer.status}: ${answer.body.slice(0, 500)}`;
  }
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return {
    requests: job.posts.length,
    elapsedMs,
    latenciesMs,
    statuses,
    ...(firstError ? { firstError } : {}),
  };
}

/**
 * Closed loop: each connection sends its next request as soon as the previous answer arrives, so
 * the offered load adapts to the server and latency is not hidden by a queue in the client.
 */
async function runGets(job: GetJob): Promise<JobResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  let firstError: string | undefined;
  let next = 0;
  const start = performance.now();
  const measureFrom = start + job.warmupMs;
  const end = measureFrom + job.durationMs;
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      const path = job.paths[next++ % job.paths.length]!;
      const sent = performance.now();
      const answer = await send(agent, new URL(path, job.baseUrl), 'GET', { ...job.headers });
      const done = performance.now();
      if (sent < measureFrom || done > end) continue;
      latenciesMs.push(done - sent);
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      if (answer.status !== 200) firstError ??= `${answer.status}: ${answer.body.slice(0, 500)}`;
    }
  };
  await Promise.all(Array.from({ length: job.connections }, loop));
  agent.destroy();
  const requests = latenciesMs.length;
  return {
    requests,
    elapsedMs: job.durationMs,
    latenciesMs,
    statuses,
    ...(firstError ? { firstError } : {}),
  };
}

const job = workerData as PostJob | GetJob;
(job.kind === 'post' ? runPosts(job) : runGets(job)).then(
  (result) => parentPort?.postMessage({ ok: true, result }),
  (error: unknown) =>
    parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.stack : String(error) }),
);

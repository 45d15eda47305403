import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { type ThreadTimes, threadTimes, timesBetween } from './thread-cpu';

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

/**
 * Agency systems posting at once to API processes behind a balancer: the phases run one after
 * another; in each, every client sends its own batches one at a time (so an agency's events keep
 * their order), its n-th batch to `urls[(client + n) % urls.length]`.
 */
export interface SpreadJob {
  readonly kind: 'spread';
  readonly urls: readonly string[];
  readonly contentType: string;
  readonly phases: readonly (readonly (readonly { readonly token: string; readonly body: string }[])[])[];
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

/**
 * One credential floods one subject: batch after batch, each of `batchSize` copies of `event` with
 * fresh ids, until `durationMs` has passed or `maxBatches` were sent. Meanwhile `readers` read the
 * subject (each its own credential, one read every `readEveryMs`) and `/health/live` is asked
 * every `probeEveryMs`.
 */
export interface FloodJob {
  readonly kind: 'flood';
  readonly baseUrl: string;
  readonly token: string;
  /** A CloudEvent as JSON; its `id` is replaced in each copy. */
  readonly event: string;
  readonly batchSize: number;
  readonly maxBatches: number;
  readonly durationMs: number;
  readonly readers: readonly { readonly token: string; readonly paths: readonly string[] }[];
  readonly readEveryMs: number;
  readonly probeEveryMs: number;
}

export interface FloodResult {
  readonly elapsedMs: number;
  readonly batches: number;
  /** Posts by status. */
  readonly posts: Record<string, number>;
  /** Events in the batches answered 200. */
  readonly eventsStored: number;
  readonly reads: Record<string, number>;
  readonly readLatenciesMs: number[];
  readonly healthLatenciesMs: number[];
  readonly firstUnexpected?: string;
}

export interface JobResult {
  readonly requests: number;
  readonly elapsedMs: number;
  /** Milliseconds per request, in completion order (measured requests only). */
  readonly latenciesMs: number[];
  readonly statuses: Record<string, number>;
  readonly firstError?: string;
  /** The load generator's own thread over the measured window (GET jobs, where the OS tells). */
  readonly generator?: ThreadTimes;
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

async function runSpread(job: SpreadJob): Promise<JobResult> {
  const urls = job.urls.map((url) => new URL(url));
  const clients = Math.max(...job.phases.map((phase) => phase.length));
  const agent = new Agent({ keepAlive: true, maxSockets: clients * urls.length });
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  let firstError: string | undefined;
  const phases = job.phases.map((phase) =>
    phase.map((posts) => posts.map((post) => ({ token: post.token, body: Buffer.from(post.body, 'utf8') }))),
  );
  const started = performance.now();
  for (const phase of phases) {
    await Promise.all(
      phase.map(async (posts, client) => {
        for (const [n, post] of posts.entries()) {
          const sent = performance.now();
          const answer = await send(
            agent,
            urls[(client + n) % urls.length]!,
            'POST',
            {
              authorization: `Bearer ${post.token}`,
              'content-type': job.contentType,
              'content-length': String(post.body.length),
            },
            post.body,
          );
          latenciesMs.push(performance.now() - sent);
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
          if (answer.status !== 200) firstError ??= `${answer.status}: ${answer.body.slice(0, 500)}`;
        }
      }),
    );
  }
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return {
    requests: latenciesMs.length,
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
  let atStart: ThreadTimes | undefined;
  let generator: ThreadTimes | undefined;
  const atFrom = setTimeout(() => (atStart = threadTimes()), job.warmupMs);
  const atEnd = setTimeout(() => (generator = timesBetween(atStart, threadTimes())), end - start);
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
  clearTimeout(atFrom);
  clearTimeout(atEnd);
  agent.destroy();
  const requests = latenciesMs.length;
  return {
    requests,
    elapsedMs: job.durationMs,
    latenciesMs,
    statuses,
    ...(firstError ? { firstError } : {}),
    ...(generator ? { generator } : {}),
  };
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function runFlood(job: FloodJob): Promise<FloodResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 2 + job.readers.length });
  const started = performance.now();
  const end = started + job.durationMs;
  const posts: Record<string, number> = {};
  const reads: Record<string, number> = {};
  const readLatenciesMs: number[] = [];
  const healthLatenciesMs: number[] = [];
  let batches = 0;
  let eventsStored = 0;
  let firstUnexpected: string | undefined;
  const template = JSON.parse(job.event) as Record<string, unknown>;
  const url = new URL('/v1/events', job.baseUrl);
  const flood = async (): Promise<void> => {
    while (performance.now() < end && batches < job.maxBatches) {
      const events = Array.from({ length: job.batchSize }, (_, i) => ({
        ...template,
        id: `flood-${batches}-${i}`,
      }));
      batches++;
      const body = Buffer.from(JSON.stringify(events), 'utf8');
      const answer = await send(
        agent,
        url,
        'POST',
        {
          authorization: `Bearer ${job.token}`,
          'content-type': 'application/cloudevents-batch+json',
          'content-length': String(body.length),
        },
        body,
      );
      posts[answer.status] = (posts[answer.status] ?? 0) + 1;
      if (answer.status === 200) eventsStored += job.batchSize;
      else if (answer.status !== 429)
        firstUnexpected ??= `POST ${answer.status}: ${answer.body.slice(0, 300)}`;
    }
  };
  const read = async (reader: FloodJob['readers'][number]): Promise<void> => {
    for (let n = 0; performance.now() < end; n++) {
      const path = reader.paths[n % reader.paths.length]!;
      const sent = performance.now();
      const answer = await send(agent, new URL(path, job.baseUrl), 'GET', {
        authorization: `Bearer ${reader.token}`,
        'x-purpose-of-use': 'case-management',
      });
      readLatenciesMs.push(performance.now() - sent);
      reads[answer.status] = (reads[answer.status] ?? 0) + 1;
      if (answer.status !== 200)
        firstUnexpected ??= `GET ${path} ${answer.status}: ${answer.body.slice(0, 300)}`;
      await pause(job.readEveryMs);
    }
  };
  const probe = async (): Promise<void> => {
    const health = new URL('/health/live', job.baseUrl);
    while (performance.now() < end) {
      const sent = performance.now();
      const answer = await send(agent, health, 'GET', {});
      healthLatenciesMs.push(performance.now() - sent);
      if (answer.status !== 200) firstUnexpected ??= `GET /health/live ${answer.status}`;
      await pause(job.probeEveryMs);
    }
  };
  await Promise.all([flood(), probe(), ...job.readers.map(read)]);
  agent.destroy();
  return {
    elapsedMs: performance.now() - started,
    batches,
    posts,
    eventsStored,
    reads,
    readLatenciesMs,
    healthLatenciesMs,
    ...(firstUnexpected ? { firstUnexpected } : {}),
  };
}

const job = workerData as PostJob | SpreadJob | GetJob | FloodJob;
(job.kind === 'post'
  ? runPosts(job)
  : job.kind === 'spread'
    ? runSpread(job)
    : job.kind === 'get'
      ? runGets(job)
      : runFlood(job)
).then(
  (result) => parentPort?.postMessage({ ok: true, result }),
  (error: unknown) =>
    parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.stack : String(error) }),
);

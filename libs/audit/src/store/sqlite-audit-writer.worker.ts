import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { SqliteAuditWriter, type WriterReply, type WriterRequest } from './sqlite-audit-writer';

/**
 * Under load, how long the thread waits for more appends before it commits, so that one commit and
 * its fsync serve several reads instead of one each. A commit costs the machine about as much CPU
 * for one record as for several, and that CPU is taken from the thread answering requests.
 */
const GATHER_MS = 1;
/** Under load means: the previous commit finished less than this long ago. An idle log commits at once. */
const BUSY_WITHIN_MS = 10;

/**
 * The writer thread of a SqliteAuditStore. Appends that arrive while a commit is under way, or within
 * GATHER_MS of the first when the log is busy, are taken together into the next commit (group
 * commit), in the order asked; one reply answers them all.
 */
const port = parentPort!;
const { file, autocheckpointPages } = workerData as {
  readonly file: string;
  readonly autocheckpointPages: number;
};
const writer = new SqliteAuditWriter(file, autocheckpointPages);
const nap = new Int32Array(new SharedArrayBuffer(4));
let lastCommitAt = Number.NEGATIVE_INFINITY;

port.on('message', (first: WriterRequest) => {
  // Blocking is this thread's whole job: nothing else runs on it.
  if (first.kind === 'append' && performance.now() - lastCommitAt < BUSY_WITHIN_MS) {
    Atomics.wait(nap, 0, 0, GATHER_MS);
  }
  const requests = [first];
  for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
    requests.push(next.message as WriterRequest);
  }
  const appends = requests.filter((request) => request.kind === 'append');
  const results =
    appends.length > 0 ? writer.appendGroups(appends.map(({ rows, once }) => ({ rows, once }))) : [];
  lastCommitAt = performance.now();
  const answered = [
    ...appends.map((request, index) => ({ id: request.id, result: results[index]! })),
    // After the appends: a checkpoint signs records already durable.
    ...requests
      .filter((request) => request.kind === 'checkpoint')
      .map((request) => ({ id: request.id, result: writer.addCheckpoint(request.checkpoint) })),
  ];
  const reply: WriterReply = answered.map(({ id, result }) =>
    'error' in result ? { id, error: result.error } : { id, links: result },
  );
  if (reply.length > 0) port.postMessage(reply);
  if (requests.some((request) => request.kind === 'close')) {
    writer.close();
    port.close();
  }
});

import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { SqliteAuditWriter, type WriterReply, type WriterRequest } from './sqlite-audit-writer';

/**
 * The writer thread of a SqliteAuditStore. Appends that arrive while a commit is under way are taken
 * together into the next commit (group commit), in the order asked; one reply answers them all.
 */
const port = parentPort!;
const writer = new SqliteAuditWriter((workerData as { readonly file: string }).file);

port.on('message', (first: WriterRequest) => {
  const requests = [first];
  for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
    requests.push(next.message as WriterRequest);
  }
  const appends = requests.filter((request) => request.kind === 'append');
  const results = writer.appendGroups(appends.map((request) => request.rows));
  const reply: WriterReply = results.map((links, index) => {
    const { id } = appends[index]!;
    return 'error' in links ? { id, error: links.error } : { id, links };
  });
  if (reply.length > 0) port.postMessage(reply);
  if (requests.some((request) => request.kind === 'close')) {
    writer.close();
    port.close();
  }
});

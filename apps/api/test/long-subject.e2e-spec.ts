import { randomUUID } from 'node:crypto';
import { subjectStream } from '@throughline/domain';
import { EventStore, type EventToAppend } from '@throughline/event-store';
import { POLICE, SubjectJourney } from './cloud-events';
import { startTestApp, type TestApp } from './test-app';

const BATCH = 'application/cloudevents-batch+json';
const LONG = 20_000;

/** Runs `work` while /health/live is asked every few milliseconds; answers with the slowest answer. */
async function whileProbing<T>(
  t: TestApp,
  work: () => Promise<T>,
): Promise<{ result: T; slowestHealthMs: number }> {
  let done = false;
  let slowest = 0;
  const probe = (async () => {
    while (!done) {
      const started = performance.now();
      await t.http.get('/health/live').expect(200);
      slowest = Math.max(slowest, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  try {
    const result = await work();
    return { result, slowestHealthMs: slowest };
  } finally {
    done = true;
    await probe;
  }
}

describe('a subject with a very long stream', () => {
  let t: TestApp;
  let subjectId: string;
  let copies: (count: number) => EventToAppend[];

  beforeAll(async () => {
    t = await startTestApp();
    const journey = new SubjectJourney();
    const police = await t.systemToken('police', [POLICE]);
    const registered = await t.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${police}`)
      .set('Content-Type', BATCH)
      .send(JSON.stringify([journey.registered(), journey.arrested(), journey.scored(40, 'red')]))
      .expect(200);
    subjectId = registered.body.results[0].subjectId;
    // Appended straight to the log for speed: what a flood would have left behind.
    const store = t.app.get(EventStore);
    const stream = subjectStream(subjectId);
    const [, arrest] = await store.readStream(stream);
    copies = (count) =>
      Array.from({ length: count }, () => ({
        id: randomUUID(),
        type: arrest!.type,
        data: arrest!.data,
        metadata: { ...arrest!.metadata, ceId: randomUUID() },
      }));
    for (let start = 0; start < LONG; start += 1000) await store.append(stream, copies(1000));
    await t.settle();
  }, 300_000);
  afterAll(() => t.close());

  const read = async (path: string) => {
    const token = await t.personToken('police', 'iom-officer');
    return t.http
      .get(path)
      .set('Authorization', `Bearer ${token}`)
      .set('X-Purpose-Of-Use', 'case-management');
  };

  it('serves its first view while the health check still answers at once', async () => {
    const { result, slowestHealthMs } = await whileProbing(t, () => read(`/v1/subjects/${subjectId}`));
    expect(result.status).toBe(200);
    expect(result.body.arrests).toBe(LONG + 1);
    expect(slowestHealthMs).toBeLessThan(200);
  });

  it('serves a page of its timeline, and the page before it, while the health check still answers at once', async () => {
    // A version of the subject no read has loaded yet.
    await t.app.get(EventStore).append(subjectStream(subjectId), copies(1000));
    await t.settle();
    const { result, slowestHealthMs } = await whileProbing(t, () =>
      read(`/v1/subjects/${subjectId}/timeline?limit=50`),
    );
    expect(result.status).toBe(200);
    expect(result.body.items).toHaveLength(50);
    // Newest first by event time, ties by log position: the copies share the arrest's time, so the
    // score recorded before them but dated after them comes first.
    const keys = result.body.items.map((item: { time: string; position: number }) => [
      Date.parse(item.time),
      item.position,
    ]);
    expect(keys).toEqual([...keys].sort(([at, p]: number[], [bt, q]: number[]) => bt! - at! || q! - p!));
    expect(result.body.items[1].position).toBeGreaterThan(result.body.items[49].position);
    expect(slowestHealthMs).toBeLessThan(200);
    const next = await read(`/v1/subjects/${subjectId}/timeline?limit=50&before=${result.body.nextBefore}`);
    expect(next.status).toBe(200);
    expect(next.body.items).toHaveLength(50);
    expect(next.body.items[0].position).toBeLessThan(result.body.nextBefore);
  });
});

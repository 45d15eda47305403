import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { EventCollector, anEvent, isStrictlyIncreasing } from '../testing/event-collector';
import { PostgresEventStore } from './postgres-event-store';

const connectionString = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `t_${randomBytes(6).toString('hex')}`;

const WRITERS = 8;
const APPENDS_PER_WRITER = 40;
const STREAMS_PER_WRITER = 5;
const MAX_BATCH = 8;

afterAll(async () => {
  const client = new Client({ connectionString });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

/**
 * Several processes append while a subscriber in another process reads the log. Between an append's
 * insert and its commit, another append can take a later position and commit first; a subscriber
 * that reads in that moment checkpoints past the earlier position and skips its event for good.
 * Without the advisory lock in the store this test loses events on every run.
 */
describe('PostgresEventStore global order under concurrent writers', () => {
  it('lets a concurrent subscriber see every event exactly once, in position order', async () => {
    const writers = await Promise.all(
      Array.from({ length: WRITERS }, () =>
        PostgresEventStore.open({
          connectionString,
          schema,
          maxConnections: 2,
        }),
      ),
    );
    const reader = await PostgresEventStore.open({ connectionString, schema, maxConnections: 1 });
    const collector = new EventCollector();
    const subscription = reader.subscribeToAll({ after: 0, onEvents: collector.onEvents, pollIntervalMs: 1 });
    try {
      // Each writer has streams of its own, so appends never conflict on a revision: a missing event
      // can only mean the subscriber stepped over a position that committed late.
      const appended = await Promise.all(
        writers.map(async (writer) => {
          const streams = Array.from({ length: STREAMS_PER_WRITER }, () => `order-${randomUUID()}`);
          const ids: string[] = [];
          for (let i = 0; i < APPENDS_PER_WRITER; i += 1) {
            const events = Array.from({ length: randomInt(1, MAX_BATCH + 1) }, () => anEvent());
            await writer.append(streams[randomInt(0, STREAMS_PER_WRITER)]!, events, 'any');
            ids.push(...events.map((event) => event.id));
          }
          return ids;
        }),
      );
      const head = await reader.headPosition();
      await collector.until((events) => (events[events.length - 1]?.position ?? 0) >= head);

      const expected = appended.flat();
      const seen = collector.events.map((event) => event.id);
      expect(expected.length).toBeGreaterThan(WRITERS * APPENDS_PER_WRITER);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual([...expected].sort());
      expect(isStrictlyIncreasing(collector.events.map((event) => event.position))).toBe(true);
    } finally {
      await subscription.stop();
      await Promise.all([...writers, reader].map((store) => store.close()));
    }
  }, 120_000);
});

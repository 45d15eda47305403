import { randomUUID } from 'node:crypto';
import { DuplicateEventError, IdentifierTakenError, WrongExpectedRevisionError } from '../errors';
import type { AppendRequest, ExpectedRevision, IdentifierClaim } from '../event-store';
import type { EventStore } from '../store';
import { EventCollector, aStreamId, anEvent, isStrictlyIncreasing, someEvents } from './event-collector';

/** What a backend may legitimately not offer; everything else is the same for all of them. */
export interface EventStoreCapabilities {
  /** An id is refused anywhere in the log, not only in the stream that holds it. */
  readonly uniqueIdsAcrossStreams: boolean;
  readonly findByIdsWithoutStream: boolean;
  /** A refused append leaves none of its claims held. */
  readonly atomicClaims: boolean;
}

const FULL: EventStoreCapabilities = {
  uniqueIdsAcrossStreams: true,
  findByIdsWithoutStream: true,
  atomicClaims: true,
};

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the promise to reject');
}

/**
 * The behaviour every backend must show. Tests share one store and use fresh stream ids, so reads of
 * the global log are filtered to the streams a test wrote.
 */
export function describeEventStoreContract(
  name: string,
  factory: () => Promise<EventStore>,
  capabilities: EventStoreCapabilities = FULL,
): void {
  describe(`${name} (event store contract)`, () => {
    let store: EventStore;

    beforeAll(async () => {
      store = await factory();
    });

    afterAll(async () => {
      await store.close();
    });

    const ids = (events: readonly { id: string }[]): string[] => events.map((event) => event.id);

    describe('appending and reading a stream', () => {
      it("reports a stream's revision: -1 before its first event, then its last event's", async () => {
        const streamId = aStreamId();
        await expect(store.streamRevision(streamId)).resolves.toBe(-1);

        await store.append(streamId, someEvents(2));
        await store.append(aStreamId(), someEvents(1));
        await expect(store.streamRevision(streamId)).resolves.toBe(1);

        await store.append(streamId, someEvents(3), 1);
        await expect(store.streamRevision(streamId)).resolves.toBe(4);
      });

      it('reads a stream forwards with data, metadata, revisions and the time recorded', async () => {
        const streamId = aStreamId();
        const events = someEvents(3);
        const before = Date.now();

        const result = await store.append(streamId, events, 'no_stream');

        expect(result).toMatchObject({ streamId, nextExpectedRevision: 2 });
        expect(result.events.map((e) => e.revision)).toEqual([0, 1, 2]);
        expect(isStrictlyIncreasing(result.events.map((e) => e.position))).toBe(true);
        const read = await store.readStream(streamId);
        expect(
          read.map(({ id, type, data, metadata, revision, streamId: s }) => ({
            id,
            type,
            data,
            metadata,
            revision,
            streamId: s,
          })),
        ).toEqual(events.map((event, revision) => ({ ...event, revision, streamId })));
        expect(read.map((e) => e.position)).toEqual(result.events.map((e) => e.position));
        for (const event of read) {
          expect(event.recordedAt).toBeInstanceOf(Date);
          expect(event.recordedAt.getTime()).toBeGreaterThanOrEqual(before - 60_000);
        }
      });

      it('reads forwards from a revision, inclusive, up to maxCount', async () => {
        const streamId = aStreamId();
        const events = someEvents(5);
        await store.append(streamId, events);

        const read = await store.readStream(streamId, { fromRevision: 1, maxCount: 3 });

        expect(ids(read)).toEqual(ids(events.slice(1, 4)));
      });

      it('reads backwards from the end or from a revision, up to maxCount', async () => {
        const streamId = aStreamId();
        const events = someEvents(5);
        await store.append(streamId, events);

        const fromEnd = await store.readStream(streamId, { direction: 'backwards', maxCount: 2 });
        const fromRevision = await store.readStream(streamId, { direction: 'backwards', fromRevision: 2 });

        expect(ids(fromEnd)).toEqual(ids([events[4]!, events[3]!]));
        expect(ids(fromRevision)).toEqual(ids([events[2]!, events[1]!, events[0]!]));
      });

      it('reads a missing stream as empty', async () => {
        await expect(store.readStream(aStreamId())).resolves.toEqual([]);
        await expect(store.readStream(aStreamId(), { direction: 'backwards' })).resolves.toEqual([]);
      });

      it('continues the revisions of a stream across appends', async () => {
        const streamId = aStreamId();
        await store.append(streamId, someEvents(2));

        const result = await store.append(streamId, someEvents(2));

        expect(result.nextExpectedRevision).toBe(3);
        expect(result.events.map((e) => e.revision)).toEqual([2, 3]);
      });
    });

    describe('expected revision', () => {
      const accepted: [string, ExpectedRevision, number][] = [
        ['any on a new stream', 'any', 0],
        ['any on an existing stream', 'any', 2],
        ['no_stream on a new stream', 'no_stream', 0],
        ['stream_exists on an existing stream', 'stream_exists', 2],
        ['the exact revision of the last event', 1, 2],
      ];
      it.each(accepted)('accepts %s', async (_case, expected, existing) => {
        const streamId = aStreamId();
        if (existing > 0) await store.append(streamId, someEvents(existing));

        const result = await store.append(streamId, [anEvent()], expected);

        expect(result.nextExpectedRevision).toBe(existing);
      });

      const refused: [string, ExpectedRevision, number, number][] = [
        ['no_stream on an existing stream', 'no_stream', 2, 1],
        ['stream_exists on a missing stream', 'stream_exists', 0, -1],
        ['a revision behind the stream', 0, 2, 1],
        ['a revision ahead of the stream', 5, 2, 1],
        ['a revision on a missing stream', 0, 0, -1],
      ];
      it.each(refused)('refuses %s and stores nothing', async (_case, expected, existing, actual) => {
        const streamId = aStreamId();
        if (existing > 0) await store.append(streamId, someEvents(existing));

        const error = await rejectionOf(store.append(streamId, [anEvent()], expected));

        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ streamId, expected, actual });
        expect(await store.readStream(streamId)).toHaveLength(existing);
      });

      it('checks the expected revision of an append with no events and stores nothing', async () => {
        const streamId = aStreamId();
        await store.append(streamId, someEvents(2));

        const result = await store.append(streamId, [], 1);
        const error = await rejectionOf(store.append(aStreamId(), [], 'stream_exists'));

        expect(result).toEqual({ streamId, nextExpectedRevision: 1, events: [] });
        expect(error).toMatchObject({ actual: -1 });
        expect(await store.readStream(streamId)).toHaveLength(2);
      });
    });

    describe('duplicate event ids', () => {
      it('refuses an id already stored in the stream and stores nothing of the call', async () => {
        const streamId = aStreamId();
        const stored = anEvent();
        await store.append(streamId, [stored]);
        const fresh = anEvent();

        const error = await rejectionOf(store.append(streamId, [fresh, { ...anEvent(), id: stored.id }]));

        expect(error).toBeInstanceOf(DuplicateEventError);
        expect((error as DuplicateEventError).eventIds).toEqual([stored.id]);
        expect(ids(await store.readStream(streamId))).toEqual([stored.id]);
      });

      it('refuses an id repeated within one call and stores nothing', async () => {
        const streamId = aStreamId();
        const repeated = anEvent();

        const error = await rejectionOf(
          store.appendMany([
            { streamId, expectedRevision: 'any', events: [repeated, anEvent()] },
            { streamId: aStreamId(), expectedRevision: 'any', events: [{ ...anEvent(), id: repeated.id }] },
          ]),
        );

        expect(error).toBeInstanceOf(DuplicateEventError);
        expect((error as DuplicateEventError).eventIds).toEqual([repeated.id]);
        expect(await store.readStream(streamId)).toEqual([]);
      });

      (capabilities.uniqueIdsAcrossStreams ? it : it.skip)(
        'refuses an id already stored in another stream',
        async () => {
          const stored = anEvent();
          await store.append(aStreamId(), [stored]);
          const streamId = aStreamId();

          const error = await rejectionOf(store.append(streamId, [{ ...anEvent(), id: stored.id }]));

          expect(error).toBeInstanceOf(DuplicateEventError);
          expect(await store.readStream(streamId)).toEqual([]);
        },
      );
    });

    describe('appendMany', () => {
      it('appends to several streams and reports each request', async () => {
        const [a, b] = [aStreamId(), aStreamId()];
        const [forA, forB] = [someEvents(2), someEvents(3)];

        const results = await store.appendMany([
          { streamId: a, expectedRevision: 'no_stream', events: forA },
          { streamId: b, expectedRevision: 'no_stream', events: forB },
        ]);

        expect(results.map((r) => [r.streamId, r.nextExpectedRevision, ids(r.events)])).toEqual([
          [a, 1, ids(forA)],
          [b, 2, ids(forB)],
        ]);
        const positions = results.flatMap((r) => r.events.map((e) => e.position));
        expect(isStrictlyIncreasing(positions)).toBe(true);
        expect(ids(await store.readStream(b))).toEqual(ids(forB));
      });

      it('checks a later request on the same stream against the earlier one', async () => {
        const streamId = aStreamId();

        const results = await store.appendMany([
          { streamId, expectedRevision: 'no_stream', events: someEvents(2) },
          { streamId, expectedRevision: 1, events: someEvents(1) },
        ]);

        expect(results.map((r) => r.nextExpectedRevision)).toEqual([1, 2]);
        expect(await store.readStream(streamId)).toHaveLength(3);
      });

      // One transaction on SQLite and PostgreSQL; on KurrentDB every request is checked before the
      // first stream is written, so a conflict that is there when the call begins stores nothing.
      it('stores nothing when a later request conflicts', async () => {
        const [first, second] = [aStreamId(), aStreamId()];
        await store.append(second, someEvents(1));

        const error = await rejectionOf(
          store.appendMany([
            { streamId: first, expectedRevision: 'no_stream', events: someEvents(2) },
            { streamId: second, expectedRevision: 'no_stream', events: someEvents(1) },
          ]),
        );

        expect(error).toMatchObject({ streamId: second, actual: 0 });
        expect(await store.readStream(first)).toEqual([]);
        expect(await store.readStream(second)).toHaveLength(1);
        // The refused stream stays new: it can still be created as one.
        await expect(store.append(first, someEvents(1), 'no_stream')).resolves.toBeDefined();
      });
    });

    describe('a batch sent again after an interruption', () => {
      /** A batch as ingestion sends it: one request per stream, `any` revision. */
      const aBatch = (): AppendRequest[] =>
        [1, 2, 3].map((count) => ({
          streamId: aStreamId(),
          expectedRevision: 'any',
          events: someEvents(count),
        }));

      /**
       * Sends a batch again as ingestion does: each event looked for in the stream it is sent to,
       * only what is missing appended, and a refusal as a duplicate (another copy of the batch got
       * there first) looked at once more. Resolves with the ids that were stored already.
       */
      const sendAgain = async (batch: readonly AppendRequest[]): Promise<string[]> => {
        for (let attempt = 1; ; attempt += 1) {
          const found = ids(
            await store.findByIdsInStreams(
              new Map(batch.map((request) => [request.streamId, ids(request.events)])),
            ),
          );
          const missing = batch
            .map((request) => ({ ...request, events: request.events.filter((e) => !found.includes(e.id)) }))
            .filter((request) => request.events.length > 0);
          try {
            if (missing.length > 0) await store.appendMany(missing);
            return found;
          } catch (error) {
            if (!(error instanceof DuplicateEventError) || attempt > 1) throw error;
          }
        }
      };

      const expectEveryEventOnce = async (batch: readonly AppendRequest[], after: number): Promise<void> => {
        for (const request of batch) {
          expect(ids(await store.readStream(request.streamId))).toEqual(ids(request.events));
        }
        const streams = new Set(batch.map((request) => request.streamId));
        const logged = (await store.readAll({ after })).filter((event) => streams.has(event.streamId));
        expect(ids(logged)).toEqual(ids(batch.flatMap((request) => request.events)));
      };

      it('a batch interrupted after some streams were written, then retried, ends with every event once', async () => {
        const after = await store.headPosition();
        const batch = aBatch();
        // Where a batch cut short on KurrentDB stops (the connection or the process lost between
        // two streams): its first stream written, the others not. SQLite and PostgreSQL never stop
        // there, and must complete a batch from there all the same.
        await store.appendMany(batch.slice(0, 1));

        const whole = await rejectionOf(store.appendMany(batch));
        expect(whole).toBeInstanceOf(DuplicateEventError);
        expect((whole as DuplicateEventError).eventIds).toEqual(ids(batch[0]!.events));
        expect(await store.readStream(batch[1]!.streamId)).toEqual([]);

        await expect(sendAgain(batch)).resolves.toEqual(ids(batch[0]!.events));
        await expectEveryEventOnce(batch, after);
        // Sent once more, it finds every event and stores nothing.
        await expect(sendAgain(batch)).resolves.toEqual(ids(batch.flatMap((request) => request.events)));
        await expectEveryEventOnce(batch, after);
      });

      it('two copies of the retry at once still store every event once', async () => {
        const after = await store.headPosition();
        const batch = aBatch();
        await store.appendMany(batch.slice(0, 1));

        const outcomes = await Promise.allSettled([sendAgain(batch), sendAgain(batch)]);

        expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled']);
        await expectEveryEventOnce(batch, after);
      });
    });

    describe('identifier claims', () => {
      const anIdentifier = (): string => `local:${randomUUID()}`;
      /** An append to the owner's own stream, claiming the identifiers for it. */
      const claiming = (
        owner: string,
        identifiers: readonly string[],
        expectedRevision: ExpectedRevision = 'any',
      ) => {
        const event = anEvent();
        const claims: IdentifierClaim[] = identifiers.map((identifier) => ({
          identifier,
          owner,
          eventId: event.id,
        }));
        return { streamId: `claims-${owner}`, expectedRevision, events: [event], claims };
      };

      it('gives an identifier to its first owner and refuses it to another, storing nothing of that append', async () => {
        const [first, second] = [randomUUID(), randomUUID()];
        const [shared, fresh] = [anIdentifier(), anIdentifier()];
        await store.appendMany([claiming(first, [shared])]);
        const refused = claiming(second, [fresh, shared]);

        const error = await rejectionOf(store.appendMany([refused]));

        expect(error).toBeInstanceOf(IdentifierTakenError);
        expect(error).toMatchObject({ identifier: shared, owner: first });
        expect(await store.readStream(refused.streamId)).toEqual([]);
      });

      it('lets the owner claim what it holds again', async () => {
        const owner = randomUUID();
        const identifier = anIdentifier();
        await store.appendMany([claiming(owner, [identifier])]);

        await expect(store.appendMany([claiming(owner, [identifier, anIdentifier()])])).resolves.toHaveLength(
          1,
        );
        expect(await store.readStream(`claims-${owner}`)).toHaveLength(2);
      });

      it('refuses two owners claiming one identifier in the same call', async () => {
        const [first, second] = [randomUUID(), randomUUID()];
        const identifier = anIdentifier();

        const error = await rejectionOf(
          store.appendMany([claiming(first, [identifier]), claiming(second, [identifier])]),
        );

        expect(error).toMatchObject({ identifier, owner: first });
        expect(await store.readStream(`claims-${first}`)).toEqual([]);
        await expect(store.appendMany([claiming(second, [identifier])])).resolves.toHaveLength(1);
      });

      it('lets another owner claim an identifier once its owner releases it, in the same call or later', async () => {
        const [owner, other, third] = [randomUUID(), randomUUID(), randomUUID()];
        const [identifier, kept] = [anIdentifier(), anIdentifier()];
        await store.appendMany([claiming(owner, [identifier, kept])]);

        // Released and claimed by another owner in one call: an unlink and a link together.
        await store.appendMany([
          { ...claiming(owner, []), releases: [{ identifier, owner }] },
          claiming(other, [identifier]),
        ]);
        await expect(rejectionOf(store.appendMany([claiming(owner, [identifier])]))).resolves.toMatchObject({
          identifier,
          owner: other,
        });
        // What the owner did not release stays its own.
        await expect(rejectionOf(store.appendMany([claiming(third, [kept])]))).resolves.toMatchObject({
          identifier: kept,
          owner,
        });

        await store.appendMany([{ ...claiming(other, []), releases: [{ identifier, owner: other }] }]);
        await expect(store.appendMany([claiming(third, [identifier])])).resolves.toHaveLength(1);
      });

      it('writes nothing for a release by anyone but the owner', async () => {
        const [owner, stranger] = [randomUUID(), randomUUID()];
        const identifier = anIdentifier();
        await store.appendMany([claiming(owner, [identifier])]);

        await store.appendMany([{ ...claiming(stranger, []), releases: [{ identifier, owner: stranger }] }]);

        await expect(
          rejectionOf(store.appendMany([claiming(stranger, [identifier])])),
        ).resolves.toMatchObject({
          identifier,
          owner,
        });
      });

      (capabilities.atomicClaims ? it : it.skip)(
        'keeps no claim of an append refused for any reason',
        async () => {
          const [owner, other, taker] = [randomUUID(), randomUUID(), randomUUID()];
          const [held, fresh, another] = [anIdentifier(), anIdentifier(), anIdentifier()];
          await store.appendMany([claiming(other, [held])]);

          await expect(store.appendMany([claiming(owner, [fresh, held])])).rejects.toBeInstanceOf(
            IdentifierTakenError,
          );
          await store.append(`claims-${owner}`, someEvents(1));
          await expect(store.appendMany([claiming(owner, [another], 'no_stream')])).rejects.toBeInstanceOf(
            WrongExpectedRevisionError,
          );

          await expect(store.appendMany([claiming(taker, [fresh, another])])).resolves.toHaveLength(1);
        },
      );
    });

    describe('the global log', () => {
      it('reads appended events in position order', async () => {
        const [a, b] = [aStreamId(), aStreamId()];
        const appended = [
          await store.append(a, someEvents(2)),
          await store.append(b, someEvents(2)),
          await store.append(a, someEvents(1)),
        ].flatMap((r) => r.events);

        const all = (await store.readAll()).filter((e) => e.streamId === a || e.streamId === b);

        expect(all.map(({ id, position }) => ({ id, position }))).toEqual(
          appended.map(({ id, position }) => ({ id, position })),
        );
        expect(isStrictlyIncreasing(all.map((e) => e.position))).toBe(true);
      });

      it('pages from an exclusive position', async () => {
        const { events } = await store.append(aStreamId(), someEvents(5));
        const [first, second, third, fourth, fifth] = events;

        const page1 = await store.readAll({ after: first!.position, maxCount: 2 });
        const page2 = await store.readAll({ after: page1[page1.length - 1]!.position, maxCount: 2 });

        expect(ids(page1)).toEqual(ids([second!, third!]));
        expect(ids(page2)).toEqual(ids([fourth!, fifth!]));
      });

      it('reads only the types asked for, counting only them towards a page', async () => {
        const streamId = aStreamId();
        const wanted = (n: number) => anEvent({ type: `ContractWanted${n}` });
        const { events } = await store.append(streamId, [
          wanted(1),
          anEvent(),
          anEvent(),
          wanted(2),
          anEvent(),
          wanted(1),
        ]);
        const types = ['ContractWanted1', 'ContractWanted2'];
        const after = events[0]!.position - 1;

        const page1 = await store.readAll({ after, maxCount: 2, types });
        const page2 = await store.readAll({ after: page1[page1.length - 1]!.position, maxCount: 2, types });

        expect(ids(page1)).toEqual(ids([events[0]!, events[3]!]));
        expect(ids(page2)).toEqual(ids([events[5]!]));
        expect(page2[0]).toMatchObject({ streamId, type: 'ContractWanted1', revision: 5 });
      });

      it('reports the position of the last event as the head', async () => {
        const { events } = await store.append(aStreamId(), someEvents(2));

        await expect(store.headPosition()).resolves.toBe(events[1]!.position);
      });
    });

    describe('findByIds', () => {
      it('finds stored events in a stream by id, ignoring unknown ids', async () => {
        const streamId = aStreamId();
        const events = someEvents(4);
        await store.append(streamId, events);

        const found = await store.findByIds([events[3]!.id, randomUUID(), events[1]!.id], streamId);

        expect(ids(found)).toEqual([events[1]!.id, events[3]!.id]);
        expect(found[0]).toMatchObject({ streamId, revision: 1, data: events[1]!.data });
      });

      (capabilities.findByIdsWithoutStream ? it : it.skip)('finds events across streams', async () => {
        const [a, b] = [anEvent(), anEvent()];
        await store.append(aStreamId(), [a]);
        await store.append(aStreamId(), [b]);

        await expect(store.findByIds([b.id, a.id]).then(ids)).resolves.toEqual([a.id, b.id]);
      });

      it('finds ids listed by stream, each only in the stream it is listed under', async () => {
        const [first, second] = [aStreamId(), aStreamId()];
        const [a, b, c] = [anEvent(), anEvent(), anEvent()];
        await store.append(first, [a, b]);
        await store.append(second, [c]);

        const found = await store.findByIdsInStreams(
          new Map([
            [first, [c.id, b.id, randomUUID()]],
            [second, [c.id]],
            [aStreamId(), [a.id]],
          ]),
        );

        expect(found.map((event) => [event.id, event.streamId])).toEqual([
          [b.id, first],
          [c.id, second],
        ]);
      });
    });

    describe('catch-up subscription', () => {
      it('delivers what follows a checkpoint, catches up, then goes live until stopped', async () => {
        const streamId = aStreamId();
        const history = await store.append(streamId, someEvents(3));
        const checkpoint = history.events[0]!.position;
        const collector = new EventCollector();
        const caughtUpAt: number[] = [];

        const subscription = store.subscribeToAll({
          after: checkpoint,
          onEvents: collector.onEvents,
          onCaughtUp: (position) => caughtUpAt.push(position),
          batchSize: 2,
          pollIntervalMs: 20,
        });
        await subscription.caughtUp;

        expect(ids(collector.inStreams([streamId]))).toEqual(ids(history.events.slice(1)));
        expect(collector.events.every((e) => e.position > checkpoint)).toBe(true);
        expect(caughtUpAt[0]).toBeGreaterThanOrEqual(history.events[2]!.position);

        const live = await store.append(streamId, someEvents(2), 2);
        const lastLive = live.events[1]!.id;
        await collector.until((events) => events.some((e) => e.id === lastLive));
        await subscription.stop();

        expect(ids(collector.inStreams([streamId]))).toEqual(
          ids([...history.events.slice(1), ...live.events]),
        );
        expect(isStrictlyIncreasing(collector.events.map((e) => e.position))).toBe(true);

        const delivered = collector.events.length;
        const afterStop = await store.append(streamId, someEvents(1));
        const probe = store.subscribeToAll({
          after: live.events[1]!.position,
          onEvents: async () => undefined,
        });
        await probe.caughtUp;
        await probe.stop();
        expect(afterStop.events).toHaveLength(1);
        expect(collector.events).toHaveLength(delivered);
      });

      it('once live, gathers the appends that arrive while it pauses after a costly batch into one batch', async () => {
        const streamId = aStreamId();
        const batches: number[] = [];
        const collector = new EventCollector();
        const subscription = store.subscribeToAll({
          after: await store.headPosition(),
          onEvents: async (batch) => {
            const ours = batch.filter((event) => event.streamId === streamId);
            if (ours.length > 0) batches.push(ours.length);
            await collector.onEvents(ours);
            // A batch that takes 300 ms to handle earns a pause of up to four times that.
            if (ours.length > 0) await new Promise((resolve) => setTimeout(resolve, 300));
          },
          pollIntervalMs: 20,
          maxBatchPauseMs: 1_000,
        });
        await subscription.caughtUp;
        const started = Date.now();
        await store.append(streamId, someEvents(1));
        await collector.until((events) => events.length === 1);
        // The first append on a quiet log is not held back.
        expect(Date.now() - started).toBeLessThan(300);
        await store.append(streamId, someEvents(1));
        await store.append(streamId, someEvents(1));
        await collector.until((events) => events.length === 3);
        await subscription.stop();
        expect(batches).toEqual([1, 2]);
      });

      it('lets subscriptions that keep pace share what they read, each still seeing every event once, in order', async () => {
        const streamId = aStreamId();
        const after = await store.headPosition();
        let readFromLog = 0;
        const readAll = store.readAll.bind(store);
        // Counts what the store reads from its backend; the reads themselves are the real ones.
        store.readAll = async (options) => {
          const events = await readAll(options);
          readFromLog += events.filter((event) => event.streamId === streamId).length;
          return events;
        };
        const fast = new EventCollector();
        const slow = new EventCollector();
        const subscriptions = [
          store.subscribeToAll({ after, onEvents: fast.onEvents, batchSize: 30, pollIntervalMs: 20 }),
          store.subscribeToAll({
            after,
            onEvents: async (batch) => {
              await slow.onEvents(batch);
              await new Promise((resolve) => setTimeout(resolve, 10));
            },
            batchSize: 30,
            pollIntervalMs: 20,
          }),
        ];
        try {
          const appended: string[] = [];
          for (let round = 0; round < 4; round += 1) {
            appended.push(...ids((await store.append(streamId, someEvents(50))).events));
          }
          const all = (events: readonly { id: string }[]): boolean => events.length >= appended.length;
          await fast.until((events) => all(events.filter((event) => event.streamId === streamId)));
          await slow.until((events) => all(events.filter((event) => event.streamId === streamId)));
          for (const collector of [fast, slow]) {
            expect(ids(collector.inStreams([streamId]))).toEqual(appended);
            expect(isStrictlyIncreasing(collector.events.map((e) => e.position))).toBe(true);
          }
          // Apart, the two would have read every event from the log once each.
          expect(readFromLog).toBeLessThan(1.5 * appended.length);
        } finally {
          await Promise.all(subscriptions.map((subscription) => subscription.stop()));
          delete (store as { readAll?: unknown }).readAll;
        }
      });

      it('does not pause while events arrive slower than a burst, however long a batch took', async () => {
        const streamId = aStreamId();
        const collector = new EventCollector();
        const subscription = store.subscribeToAll({
          after: await store.headPosition(),
          onEvents: async (batch) => {
            const ours = batch.filter((event) => event.streamId === streamId);
            await collector.onEvents(ours);
            if (ours.length > 0) await new Promise((resolve) => setTimeout(resolve, 300));
          },
          pollIntervalMs: 20,
          maxBatchPauseMs: 1_000,
          // One event per batch, each batch 300 ms or more apart: about 3 events a second.
          pauseFromEventsPerSecond: 10,
        });
        await subscription.caughtUp;
        await store.append(streamId, someEvents(1));
        await collector.until((events) => events.length === 1);
        // The batch took 300 ms; with a pause the next append would wait up to 1,200 ms more.
        const started = Date.now();
        await store.append(streamId, someEvents(1));
        await collector.until((events) => events.length === 2);
        const waited = Date.now() - started;
        await subscription.stop();
        expect(waited).toBeLessThan(600);
      });
    });
  });
}

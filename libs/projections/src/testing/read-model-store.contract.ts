import { randomUUID } from 'node:crypto';
import { StaleProjectionWriteError } from '../store/lease';
import type { Quarantined, ReadModelStore } from '../store/read-model-store';

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the promise to reject');
}

const TTL = 15_000;
const T0 = Date.UTC(2026, 0, 1);

const aHold = (key: string, position: number): Quarantined => ({
  key,
  eventId: randomUUID(),
  position,
  type: 'iom.test.happened.v1',
  error: 'fold threw',
  at: new Date(T0).toISOString(),
});

/**
 * The behaviour every read-model store must show. Tests share one store and use a fresh
 * projection name each, so nothing is truncated between them. Time is passed in, so expiry is
 * tested without waiting.
 */
export function describeReadModelStoreContract(name: string, factory: () => Promise<ReadModelStore>): void {
  describe(`${name} (read-model store contract)`, () => {
    let store: ReadModelStore;
    const aProjection = (): string => `p-${randomUUID()}`;

    beforeAll(async () => {
      store = await factory();
    });

    afterAll(async () => {
      await store.close();
    });

    describe('documents and checkpoints', () => {
      it('starts at checkpoint 0 with no documents', async () => {
        const projection = aProjection();
        await expect(store.checkpoint(projection)).resolves.toBe(0);
        await expect(store.get(projection, 'a')).resolves.toBeUndefined();
        await expect(store.entries(projection)).resolves.toEqual([]);
      });

      it('writes documents with the checkpoint, versions them, and deletes on null', async () => {
        const projection = aProjection();
        await store.commit(
          projection,
          new Map([
            ['a', { n: 1 }],
            ['b', { n: 2 }],
          ]),
          5,
        );
        await store.commit(
          projection,
          new Map<string, unknown>([
            ['a', null],
            ['c', { n: 3 }],
          ]),
          9,
        );

        await expect(store.checkpoint(projection)).resolves.toBe(9);
        await expect(store.get(projection, 'a')).resolves.toBeUndefined();
        await expect(store.getMany(projection, ['a', 'b', 'c'])).resolves.toEqual(
          new Map([
            ['b', { n: 2 }],
            ['c', { n: 3 }],
          ]),
        );
        await expect(store.entries(projection)).resolves.toEqual([
          ['b', { n: 2 }],
          ['c', { n: 3 }],
        ]);
        await expect(store.versions(projection)).resolves.toEqual(
          new Map([
            ['b', 5],
            ['c', 9],
          ]),
        );
        await expect(store.versions(projection, 'c')).resolves.toEqual(new Map([['c', 9]]));
      });

      it('lists by key prefix in key order, and keeps projections apart', async () => {
        const projection = aProjection();
        const other = aProjection();
        await store.commit(
          projection,
          new Map([
            ['x-2', 2],
            ['x-1', 1],
            ['y-1', 3],
          ]),
          1,
        );
        await store.commit(other, new Map([['x-3', 4]]), 1);
        await expect(store.list(projection, 'x-')).resolves.toEqual([1, 2]);
        await expect(store.list(projection)).resolves.toEqual([1, 2, 3]);
      });

      it('reset forgets documents, quarantine and checkpoint', async () => {
        const projection = aProjection();
        await store.commit(projection, new Map([['a', 1]]), 3, new Map([['b', aHold('b', 2)]]));
        await store.reset(projection);
        await expect(store.checkpoint(projection)).resolves.toBe(0);
        await expect(store.entries(projection)).resolves.toEqual([]);
        await expect(store.quarantined(projection)).resolves.toEqual([]);
      });
    });

    describe('quarantine', () => {
      it('holds and releases keys with the checkpoint', async () => {
        const projection = aProjection();
        const b = aHold('b', 2);
        const c = aHold('c', 3);
        await store.commit(
          projection,
          new Map([['b', null]]),
          3,
          new Map([
            ['c', c],
            ['b', b],
          ]),
        );
        await expect(store.quarantined(projection)).resolves.toEqual([b, c]);
        await expect(store.quarantined(projection, 'c')).resolves.toEqual([c]);

        await store.commit(projection, new Map([['b', { ok: true }]]), 4, new Map([['b', null]]));
        await expect(store.quarantined(projection)).resolves.toEqual([c]);
        await expect(store.get(projection, 'b')).resolves.toEqual({ ok: true });
      });
    });

    describe('the lease', () => {
      it('is acquired when free, with token 1', async () => {
        const projection = aProjection();
        await expect(store.lease(projection)).resolves.toBeUndefined();
        const lease = await store.acquireLease(projection, 'one', T0, TTL);
        expect(lease).toEqual({ projection, owner: 'one', token: 1, expiresAt: T0 + TTL });
        await expect(store.lease(projection)).resolves.toEqual(lease);
      });

      it('is refused to another owner until it expires, then taken over with a higher token', async () => {
        const projection = aProjection();
        await store.acquireLease(projection, 'one', T0, TTL);
        await expect(store.acquireLease(projection, 'two', T0 + TTL - 1, TTL)).resolves.toBeUndefined();
        await expect(store.lease(projection)).resolves.toMatchObject({ owner: 'one', token: 1 });

        const taken = await store.acquireLease(projection, 'two', T0 + TTL, TTL);
        expect(taken).toEqual({ projection, owner: 'two', token: 2, expiresAt: T0 + 2 * TTL });
      });

      it('is renewed only by its owner with its current token', async () => {
        const projection = aProjection();
        await store.acquireLease(projection, 'one', T0, TTL);
        await expect(store.renewLease(projection, 'one', 1, T0 + 5_000, TTL)).resolves.toBe(true);
        await expect(store.renewLease(projection, 'two', 1, T0 + 5_000, TTL)).resolves.toBe(false);
        await expect(store.renewLease(projection, 'one', 2, T0 + 5_000, TTL)).resolves.toBe(false);
        // Renewed, it outlasts the first expiry.
        await expect(store.acquireLease(projection, 'two', T0 + TTL, TTL)).resolves.toBeUndefined();

        await store.acquireLease(projection, 'two', T0 + 5_000 + TTL, TTL);
        await expect(store.renewLease(projection, 'one', 1, T0 + 5_000 + TTL, TTL)).resolves.toBe(false);
      });

      it('is free at once when released, and keeps counting tokens', async () => {
        const projection = aProjection();
        await store.acquireLease(projection, 'one', T0, TTL);
        await store.releaseLease(projection, 'two', 1);
        await expect(store.acquireLease(projection, 'two', T0 + 1, TTL)).resolves.toBeUndefined();

        await store.releaseLease(projection, 'one', 1);
        await expect(store.acquireLease(projection, 'two', T0 + 1, TTL)).resolves.toMatchObject({
          owner: 'two',
          token: 2,
        });
      });

      it('gives one of many owners racing for it the lease', async () => {
        const projection = aProjection();
        const owners = ['a', 'b', 'c', 'd', 'e', 'f'];
        const results = await Promise.all(
          owners.map((owner) => store.acquireLease(projection, owner, T0, TTL)),
        );
        expect(results.filter((lease) => lease !== undefined)).toHaveLength(1);
      });
    });

    describe('the fenced commit', () => {
      it('writes from the checkpoint it started at with the current token', async () => {
        const projection = aProjection();
        const { token } = (await store.acquireLease(projection, 'one', T0, TTL))!;
        await store.commit(projection, new Map([['a', 1]]), 4, undefined, { from: 0, token });
        await store.commit(projection, new Map([['a', 2]]), 8, new Map([['b', aHold('b', 6)]]), {
          from: 4,
          token,
        });
        await expect(store.checkpoint(projection)).resolves.toBe(8);
        await expect(store.get(projection, 'a')).resolves.toBe(2);
      });

      it('refuses a commit from a stale checkpoint, writing nothing', async () => {
        const projection = aProjection();
        const { token } = (await store.acquireLease(projection, 'one', T0, TTL))!;
        await store.commit(projection, new Map([['a', 1]]), 4, undefined, { from: 0, token });

        const error = await rejectionOf(
          store.commit(
            projection,
            new Map([
              ['a', 9],
              ['z', 9],
            ]),
            6,
            new Map([['q', aHold('q', 5)]]),
            {
              from: 0,
              token,
            },
          ),
        );
        expect(error).toBeInstanceOf(StaleProjectionWriteError);
        expect(error).toMatchObject({ found: { position: 4, token } });
        await expect(store.checkpoint(projection)).resolves.toBe(4);
        await expect(store.entries(projection)).resolves.toEqual([['a', 1]]);
        await expect(store.quarantined(projection)).resolves.toEqual([]);
      });

      it('refuses a commit with the token of a lease taken over, writing nothing', async () => {
        const projection = aProjection();
        const first = (await store.acquireLease(projection, 'one', T0, TTL))!;
        await store.commit(projection, new Map([['a', 1]]), 4, undefined, { from: 0, token: first.token });
        const second = (await store.acquireLease(projection, 'two', T0 + TTL, TTL))!;
        expect(second.token).toBeGreaterThan(first.token);

        const error = await rejectionOf(
          store.commit(projection, new Map([['a', 9]]), 6, undefined, { from: 4, token: first.token }),
        );
        expect(error).toBeInstanceOf(StaleProjectionWriteError);
        await expect(store.checkpoint(projection)).resolves.toBe(4);
        await expect(store.get(projection, 'a')).resolves.toBe(1);

        await store.commit(projection, new Map([['a', 3]]), 6, undefined, { from: 4, token: second.token });
        await expect(store.get(projection, 'a')).resolves.toBe(3);
      });

      it('refuses a commit with no lease taken', async () => {
        const projection = aProjection();
        const error = await rejectionOf(
          store.commit(projection, new Map([['a', 1]]), 4, undefined, { from: 0, token: 1 }),
        );
        expect(error).toBeInstanceOf(StaleProjectionWriteError);
        await expect(store.checkpoint(projection)).resolves.toBe(0);
        await expect(store.get(projection, 'a')).resolves.toBeUndefined();
      });

      it('lets one of two commits from the same checkpoint through', async () => {
        const projection = aProjection();
        const { token } = (await store.acquireLease(projection, 'one', T0, TTL))!;
        const results = await Promise.allSettled([
          store.commit(projection, new Map([['a', 'first']]), 5, undefined, { from: 0, token }),
          store.commit(projection, new Map([['a', 'second']]), 7, undefined, { from: 0, token }),
        ]);
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        const position = await store.checkpoint(projection);
        expect(await store.get(projection, 'a')).toBe(position === 5 ? 'first' : 'second');
      });
    });
  });
}

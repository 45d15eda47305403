import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeReadModelStoreContract } from '../testing/read-model-store.contract';
import { SqliteReadModelStore } from './sqlite-read-model-store';

const dir = mkdtempSync(join(tmpdir(), 'throughline-read-models-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeReadModelStoreContract('SQLite', async () => new SqliteReadModelStore(join(dir, 'contract.db')));

describe('a SQLite read-model store written before leases', () => {
  it('opens, keeps its checkpoint, and takes fenced commits once a lease is taken', async () => {
    const file = join(dir, 'before-leases.db');
    const old = new Database(file);
    old.exec(`
      CREATE TABLE read_model_documents (projection TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (projection, key)) WITHOUT ROWID;
      CREATE TABLE projection_checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL, updated_at TEXT NOT NULL);
      INSERT INTO projection_checkpoints VALUES ('views', 42, '2026-01-01T00:00:00.000Z');
      INSERT INTO read_model_documents VALUES ('views', 'a', '{"n":1}');`);
    old.close();

    const store = new SqliteReadModelStore(file);
    try {
      await expect(store.checkpoint('views')).resolves.toBe(42);
      await expect(store.get('views', 'a')).resolves.toEqual({ n: 1 });
      const { token } = (await store.acquireLease('views', 'one', Date.now(), 15_000))!;
      await store.commit('views', new Map([['a', { n: 2 }]]), 50, undefined, { from: 42, token });
      await expect(store.checkpoint('views')).resolves.toBe(50);
    } finally {
      await store.close();
    }
  });

  it('lets two connections to one file take turns, one lease holder at a time', async () => {
    const file = join(dir, 'two-connections.db');
    const one = new SqliteReadModelStore(file);
    const two = new SqliteReadModelStore(file);
    try {
      const now = Date.now();
      const lease = (await one.acquireLease('views', 'one', now, 15_000))!;
      await expect(two.acquireLease('views', 'two', now, 15_000)).resolves.toBeUndefined();
      await one.commit('views', new Map([['a', 1]]), 3, undefined, { from: 0, token: lease.token });
      const taken = (await two.acquireLease('views', 'two', now + 15_000, 15_000))!;
      await expect(
        one.commit('views', new Map([['a', 2]]), 5, undefined, { from: 3, token: lease.token }),
      ).rejects.toThrow(/moved elsewhere/);
      await two.commit('views', new Map([['a', 3]]), 5, undefined, { from: 3, token: taken.token });
      await expect(one.get('views', 'a')).resolves.toBe(3);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

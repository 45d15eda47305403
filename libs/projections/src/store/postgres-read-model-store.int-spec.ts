import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { describeReadModelStoreContract } from '../testing/read-model-store.contract';
import { PostgresReadModelStore } from './postgres-read-model-store';

const connectionString = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `rm_${randomBytes(6).toString('hex')}`;

afterAll(async () => {
  const client = new Client({ connectionString });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

describeReadModelStoreContract('PostgreSQL', () => PostgresReadModelStore.open(connectionString, schema));

describe('a PostgreSQL read-model store written before leases', () => {
  const old = `rm_${randomBytes(6).toString('hex')}`;

  afterAll(async () => {
    const client = new Client({ connectionString });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${old} CASCADE`);
    await client.end();
  });

  it('opens, keeps its checkpoint, and takes fenced commits once a lease is taken', async () => {
    const client = new Client({ connectionString });
    await client.connect();
    await client.query(`
      CREATE SCHEMA ${old};
      CREATE TABLE ${old}.read_model_documents (projection TEXT NOT NULL, key TEXT NOT NULL, doc JSONB NOT NULL, PRIMARY KEY (projection, key));
      CREATE TABLE ${old}.projection_checkpoints (projection TEXT PRIMARY KEY, position BIGINT NOT NULL, updated_at TIMESTAMPTZ NOT NULL DEFAULT now());
      INSERT INTO ${old}.projection_checkpoints (projection, position) VALUES ('views', 42);`);
    await client.end();

    const store = await PostgresReadModelStore.open(connectionString, old);
    try {
      await expect(store.checkpoint('views')).resolves.toBe(42);
      const { token } = (await store.acquireLease('views', 'one', Date.now(), 15_000))!;
      await store.commit('views', new Map([['a', { n: 2 }]]), 50, undefined, { from: 42, token });
      await expect(store.checkpoint('views')).resolves.toBe(50);
    } finally {
      await store.close();
    }
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { IdentifierTakenError } from '../errors';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { registeredBefore } from '../testing/identity-log';
import { PostgresEventStore } from './postgres-event-store';

const connectionString = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `t_${randomBytes(6).toString('hex')}`;

afterAll(async () => {
  const client = new Client({ connectionString });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

describeEventStoreContract('PostgresEventStore', () => PostgresEventStore.open({ connectionString, schema }));

describe('PostgresEventStore schema', () => {
  it('opens again on an existing schema and sees its events', async () => {
    const first = await PostgresEventStore.open({ connectionString, schema });
    const { events } = await first.append(`reopen-${schema}`, [
      { id: `reopen-${schema}`, type: 'Recorded', data: [1, 'two'], metadata: { a: 1 } },
    ]);
    await first.close();

    const second = await PostgresEventStore.open({ connectionString, schema });
    const found = await second.findByIds([`reopen-${schema}`]);
    await second.close();

    expect(found.map((e) => [e.position, e.data, e.metadata])).toEqual([
      [events[0]!.position, [1, 'two'], { a: 1 }],
    ]);
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(PostgresEventStore.open({ connectionString, schema: 'x; DROP TABLE y' })).rejects.toThrow(
      /Invalid PostgreSQL schema name/,
    );
  });
});

describe('PostgresEventStore made before identifier claims', () => {
  const older = `${schema}_old`;
  afterAll(async () => {
    const client = new Client({ connectionString });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${older} CASCADE`);
    await client.end();
  });

  it('gains the claims of its registrations and links when opened', async () => {
    const old = await PostgresEventStore.open({ connectionString, schema: older });
    const history = await registeredBefore(old);
    await old.close();
    const client = new Client({ connectionString });
    await client.connect();
    await client.query(`DROP TABLE ${older}.identifiers`);
    await client.end();

    const reopened = await PostgresEventStore.open({ connectionString, schema: older });
    try {
      for (const identifier of history.identifiers) {
        const claim = { identifier, owner: randomUUID(), eventId: randomUUID() };
        await expect(
          reopened.appendMany([{ streamId: 'later', expectedRevision: 'any', events: [], claims: [claim] }]),
        ).rejects.toEqual(new IdentifierTakenError(identifier, history.owner));
      }
    } finally {
      await reopened.close();
    }
  });
});

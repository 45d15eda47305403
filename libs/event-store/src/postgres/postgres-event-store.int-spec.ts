import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { IDENTIFIER_FORMS_VERSION } from '@throughline/domain';
import { IdentifierTakenError } from '../errors';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { registeredBefore } from '../testing/identity-log';
import type { EventStore } from '../store';
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

/** The store holds the log's identifiers in canonical form for their owner, and nothing else. */
async function expectClaimedAsToday(
  store: EventStore,
  history: Awaited<ReturnType<typeof registeredBefore>>,
): Promise<void> {
  const claimBy = (identifier: string, owner: string) =>
    store.appendMany([
      {
        streamId: 'later',
        expectedRevision: 'any',
        events: [],
        claims: [{ identifier, owner, eventId: randomUUID() }],
      },
    ]);
  for (const identifier of history.identifiers)
    await expect(claimBy(identifier, randomUUID())).rejects.toEqual(
      new IdentifierTakenError(identifier, history.owner),
    );
  // What the agencies typed, and what names no identifier, were never claimed in those forms.
  for (const identifier of [...history.typed, ...history.invalid])
    await expect(claimBy(identifier, randomUUID())).resolves.toHaveLength(1);
}

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
      await expectClaimedAsToday(reopened, history);
    } finally {
      await reopened.close();
    }
  });
});

describe('PostgresEventStore whose claims were made under older identifier forms', () => {
  const older = `${schema}_forms`;
  afterAll(async () => {
    const client = new Client({ connectionString });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${older} CASCADE`);
    await client.end();
  });

  it('fills them again in canonical form when opened', async () => {
    const old = await PostgresEventStore.open({ connectionString, schema: older });
    const history = await registeredBefore(old);
    await old.close();
    const client = new Client({ connectionString });
    await client.connect();
    // As the claims stood before the rules: keyed by the forms typed, with no forms version.
    await client.query(`DELETE FROM ${older}.identifier_forms`);
    for (const identifier of [...history.typed, ...history.invalid])
      await client.query(`INSERT INTO ${older}.identifiers VALUES ($1, $2, 'old')`, [
        identifier,
        history.owner,
      ]);

    const reopened = await PostgresEventStore.open({ connectionString, schema: older });
    try {
      await expectClaimedAsToday(reopened, history);
      const { rows } = await client.query(`SELECT version FROM ${older}.identifier_forms`);
      expect(rows).toEqual([{ version: IDENTIFIER_FORMS_VERSION }]);
    } finally {
      await reopened.close();
      await client.end();
    }
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { postgresSchemaDdl } from './postgres-schema';

/** Comments and blank lines are documentation; the statements must match the code exactly. */
const statements = (sql: string): string =>
  sql
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('--'))
    .join('\n');

describe('infra/postgres/schema.sql', () => {
  it('is the DDL the PostgreSQL store runs, for the public schema', () => {
    const file = readFileSync(join(__dirname, '../../../../infra/postgres/schema.sql'), 'utf8');
    // The audit log's section follows; libs/audit checks it against its own DDL.
    const [eventLog] = file.split('\n-- The audit log');

    expect(statements(eventLog!)).toBe(statements(postgresSchemaDdl('public')));
  });
});

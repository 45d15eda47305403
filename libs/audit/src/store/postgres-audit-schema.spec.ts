import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POSTGRES_AUDIT_DDL } from './postgres-audit-schema';

/** Comments and blank lines are documentation; the statements must match the code exactly. */
const statements = (sql: string): string =>
  sql
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('--'))
    .join('\n');

describe('infra/postgres/schema.sql', () => {
  it("ends with the audit log's DDL the PostgreSQL audit store runs, triggers included", () => {
    const file = readFileSync(join(__dirname, '../../../../infra/postgres/schema.sql'), 'utf8');
    const audit = file.slice(file.indexOf('\n-- The audit log'));

    expect(statements(audit)).toBe(statements(POSTGRES_AUDIT_DDL));
    expect(POSTGRES_AUDIT_DDL).toMatch(/BEFORE UPDATE OR DELETE OR TRUNCATE/);
  });
});

/**
 * The PostgreSQL DDL lives in code so the compiled store can create its tables without shipping SQL
 * files; infra/postgres/schema.sql is the same text for the `public` schema, kept equal by a test.
 */

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Schema names are spliced into SQL, so only plain lower-case identifiers are accepted. */
export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`Invalid PostgreSQL schema name "${schema}": use lower-case letters, digits and _`);
  }
}

/**
 * `events.stream_id` has no foreign key to `streams`: both are written in the same statement under
 * the append lock, and the per-row check doubled the cost of a 500-event append.
 */
export function postgresSchemaDdl(schema: string): string {
  assertSchemaName(schema);
  return `CREATE SCHEMA IF NOT EXISTS ${schema};

CREATE TABLE IF NOT EXISTS ${schema}.streams (
  stream_id TEXT PRIMARY KEY,
  revision BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS ${schema}.events (
  position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  stream_id TEXT NOT NULL,
  revision BIGINT NOT NULL,
  type TEXT NOT NULL,
  data JSONB NOT NULL,
  metadata JSONB NOT NULL,
  recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (stream_id, revision)
);

CREATE TABLE IF NOT EXISTS ${schema}.identifiers (
  identifier TEXT PRIMARY KEY,
  subject_id TEXT NOT NULL,
  event_id TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS ${schema}.identifier_forms (
  version INTEGER NOT NULL
);
`;
}

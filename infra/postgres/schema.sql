-- The Throughline event log in PostgreSQL, for the `public` schema, and below it the audit log.
--
-- The store runs this same DDL itself on open (libs/event-store/src/postgres/postgres-schema.ts),
-- with the schema it is configured for; a unit test keeps the two texts equal. Apply this file by
-- hand only to provision a database before the application first starts.
--
-- Positions come from an identity column. Appends commit in position order because every append
-- transaction holds a transaction-scoped advisory lock from before its insert until its commit:
-- see docs/decisions/0001-postgres-global-order.md. Rolled-back appends leave gaps in positions;
-- readers must not expect them to be dense.

CREATE SCHEMA IF NOT EXISTS public;

CREATE TABLE IF NOT EXISTS public.streams (
  stream_id TEXT PRIMARY KEY,
  revision BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS public.events (
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

-- Each identifier belongs to one subject: written in the append that links it (decision 0016), in
-- the canonical form of its scheme (decision 0021). A store that opens on a log whose claims were
-- made under other forms than its own, or none (identifier_forms holds the version, and is empty
-- when made here by hand), empties this table and fills it from the log's registrations and links.
CREATE TABLE IF NOT EXISTS public.identifiers (
  identifier TEXT PRIMARY KEY,
  subject_id TEXT NOT NULL,
  event_id TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS public.identifier_forms (
  version INTEGER NOT NULL
);

-- The audit log: the same text libs/audit/src/store/postgres-audit-schema.ts runs on open, in the
-- connection's default schema; a unit test keeps the two equal. The application only inserts into
-- these tables: the triggers refuse UPDATE, DELETE and TRUNCATE (see docs/audit.md).

CREATE TABLE IF NOT EXISTS audit_records (
  seq BIGINT PRIMARY KEY, id UUID NOT NULL UNIQUE, at TIMESTAMPTZ NOT NULL, agency TEXT NOT NULL, "user" TEXT NOT NULL,
  purpose TEXT, outcome TEXT NOT NULL, action TEXT NOT NULL, content JSONB NOT NULL,
  content_hash TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_records_at ON audit_records (at);
CREATE TABLE IF NOT EXISTS audit_subjects (subject_id TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (subject_id, seq));
CREATE INDEX IF NOT EXISTS audit_subjects_seq ON audit_subjects (seq);
CREATE TABLE IF NOT EXISTS audit_checkpoints (
  seq BIGINT PRIMARY KEY, hash TEXT NOT NULL, at TEXT NOT NULL, key_id TEXT NOT NULL, signature TEXT NOT NULL);
DO $$
DECLARE
  audit_table TEXT;
BEGIN
  IF to_regprocedure('audit_append_only()') IS NULL THEN
    CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $refuse$
    BEGIN
      RAISE EXCEPTION '% on % refused: the audit log is append-only', TG_OP, TG_TABLE_NAME;
    END;
    $refuse$;
  END IF;
  FOREACH audit_table IN ARRAY ARRAY['audit_records', 'audit_subjects', 'audit_checkpoints'] LOOP
    IF NOT EXISTS (
      SELECT 1 FROM pg_trigger WHERE tgrelid = audit_table::regclass AND tgname = audit_table || '_append_only'
    ) THEN
      EXECUTE format(
        'CREATE TRIGGER %I BEFORE UPDATE OR DELETE OR TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()',
        audit_table || '_append_only', audit_table);
    END IF;
  END LOOP;
END
$$;

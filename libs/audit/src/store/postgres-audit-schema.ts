/**
 * The audit log's PostgreSQL DDL, run by the store on open; infra/postgres/schema.sql carries the
 * same text after its audit heading, kept equal by a test. Tables are unqualified: the audit log
 * lives in the connection's default schema.
 *
 * The application only ever inserts. The statement triggers refuse UPDATE, DELETE and TRUNCATE on
 * every audit table, so a mistaken migration or a role with write access cannot rewrite history
 * quietly; one that can disable triggers can, and the hash chain and signed checkpoints name what
 * it changed. `INSERT ... ON CONFLICT DO NOTHING` fires no UPDATE trigger, so the store's own
 * idempotent inserts pass. The function and triggers are created only when missing: replacing a
 * trigger locks its table against writes, which every instance's start would otherwise do to the
 * others' appends (and CREATE OR REPLACE TRIGGER needs PostgreSQL 14).
 */
export const POSTGRES_AUDIT_DDL = `CREATE TABLE IF NOT EXISTS audit_records (
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
`;

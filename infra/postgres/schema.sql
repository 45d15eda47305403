-- The Throughline event log in PostgreSQL, for the `public` schema.
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

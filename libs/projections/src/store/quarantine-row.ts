import type { Quarantined } from './read-model-store';

/** A quarantine record as both stores keep it (PostgreSQL gives BIGINT back as a string). */
export interface QuarantineRow {
  readonly key: string;
  readonly event_id: string;
  readonly position: number | string;
  readonly type: string;
  readonly error: string;
  readonly at: string;
}

export const fromRow = (row: QuarantineRow): Quarantined => ({
  key: row.key,
  eventId: row.event_id,
  position: Number(row.position),
  type: row.type,
  error: row.error,
  at: row.at,
});

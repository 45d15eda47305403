/**
 * An ISO 8601 date or date-time as the UTC instant it names (`2024-06-30` is its midnight UTC), so
 * instants written with different offsets or precision compare correctly as strings.
 */
export const utcInstant = (iso: string): string => new Date(iso).toISOString();

/**
 * An ISO 8601 date or date-time as the UTC instant it names (`2024-06-30` is its midnight UTC), so
 * instants written with different offsets or precision compare correctly as strings. Undefined
 * when it names no instant: stored events outlive the checks they passed, so whatever reads their
 * data must not throw on it, and each caller decides what an unreadable instant means for it.
 */
export const utcInstant = (iso: unknown): string | undefined => {
  if (typeof iso !== 'string') return undefined;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
};

/** Earlier than every instant written with a four-digit year: an expiry that has long passed. */
export const LONG_AGO = '0000-01-01T00:00:00.000Z';

/**
 * An expiry as a UTC instant. One that names no instant has already passed, so what rests on it
 * (a consent, a safeguarding concern, a release to a meeting) grants nothing: sharing fails closed.
 */
export const expiryInstant = (iso: unknown): string => utcInstant(iso) ?? LONG_AGO;

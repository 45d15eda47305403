/**
 * The one definition of the dates and instants Throughline takes, in the envelope and in data.
 *
 * ISO 8601 has many forms (basic `20240630`, week `2024-W26-7`, ordinal `2024-182`, hour 24, ...)
 * that parsers read differently or not at all, and one that slips through validation stops every
 * projection reading it later. So only the RFC 3339 extended forms are taken, naming a real
 * calendar day in a bounded span of years:
 *
 * - a date is `YYYY-MM-DD`;
 * - an instant is `YYYY-MM-DDTHH:MM:SS`, optionally a fraction of up to nine digits, then `Z` or
 *   an offset `+HH:MM` / `-HH:MM` (hours 00-23, minutes and seconds 00-59, no leap second).
 */

/** The first and last years a date or instant may name: records of living people and their plans. */
export const FIRST_YEAR = 1900;
export const LAST_YEAR = 2099;

// The year alternatives spell out FIRST_YEAR..LAST_YEAR so the published JSON Schemas can carry them.
const YEAR = '(?:19|20)\\d\\d';
const MONTH = '(?:0[1-9]|1[0-2])';
const DAY = '(?:0[1-9]|[12]\\d|3[01])';
const TIME = '(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{1,9})?';
const OFFSET = '(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)';

/** A date's form; the day must also exist in its month (see `isCalendarDate`). */
export const CALENDAR_DATE_PATTERN = new RegExp(`^${YEAR}-${MONTH}-${DAY}$`);
/** An instant's form; its date must also exist (see `isInstant`). */
export const INSTANT_PATTERN = new RegExp(`^${YEAR}-${MONTH}-${DAY}T${TIME}${OFFSET}$`);

const daysIn = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

/** Whether the `YYYY-MM-DD` at the start of a value that matched a pattern names a day that exists. */
const realDay = (value: string): boolean => {
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  return year >= FIRST_YEAR && year <= LAST_YEAR && day <= daysIn(year, month);
};

/** A real calendar day written `YYYY-MM-DD`. */
export const isCalendarDate = (value: unknown): value is string =>
  typeof value === 'string' && CALENDAR_DATE_PATTERN.test(value) && realDay(value);

/** A real instant written `YYYY-MM-DDTHH:MM:SS(.fraction)?(Z|±HH:MM)`. */
export const isInstant = (value: unknown): value is string =>
  typeof value === 'string' && INSTANT_PATTERN.test(value) && realDay(value);

/** A field that takes either: a date is read as its first instant in UTC (see `utcInstant`). */
export const isDateOrInstant = (value: unknown): value is string => isCalendarDate(value) || isInstant(value);

/**
 * A date or instant as the UTC instant it names (`2024-06-30` is its midnight UTC, the first
 * instant of that day), so instants written with different offsets or precision compare correctly
 * as strings.
 *
 * Undefined when it is not in one of the forms above or names no real day and time (`2099-02-30`,
 * `24:00`, a space for the `T`): stored events outlive the checks they passed (a log may hold
 * values from before these rules), so whatever reads their data must not throw on it, must not
 * guess what a lax form meant, and decides what an unreadable instant means for it.
 */
export const utcInstant = (iso: unknown): string | undefined =>
  isDateOrInstant(iso) ? new Date(iso).toISOString() : undefined;

/** Earlier than every instant written with a four-digit year: an expiry that has long passed. */
export const LONG_AGO = '0000-01-01T00:00:00.000Z';

/**
 * An expiry as a UTC instant. One that names no instant has already passed, so what rests on it
 * (a consent, a safeguarding concern, a release to a meeting) grants nothing: sharing fails closed.
 */
export const expiryInstant = (iso: unknown): string => utcInstant(iso) ?? LONG_AGO;

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

/**
 * A field that takes either. Where it starts something, a date is read as its first instant in UTC
 * (see `utcInstant`); where it ends something, as the end of that day in the partnership's time
 * zone (see `expiryInstant`).
 */
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

/** The partnership's time zone when its agreement names none. */
export const DEFAULT_TIME_ZONE = 'Europe/London';

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** A formatter giving the wall-clock reading of an instant in the zone; throws on an unknown zone. */
const zoneFormat = (timeZone: string): Intl.DateTimeFormat => {
  let format = zoneFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    zoneFormats.set(timeZone, format);
  }
  return format;
};

/** An IANA time zone name this runtime knows (`Europe/London`, `UTC`). */
export const isTimeZone = (value: unknown): value is string => {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return false;
  try {
    zoneFormat(value);
    return true;
  } catch {
    return false;
  }
};

/** How far the zone's wall clock is ahead of UTC at the instant, in milliseconds. */
const zoneOffset = (timeZone: string, at: number): number => {
  const parts: Record<string, number> = {};
  for (const part of zoneFormat(timeZone).formatToParts(new Date(at)))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - Math.floor(at / 1000) * 1000;
};

/**
 * The instant a day `YYYY-MM-DD` ends in the zone: the first instant of the next day there, so
 * the whole of the named day comes before it (`2026-12-06` in Europe/London ends at
 * `2026-12-07T00:00:00.000Z`, `2026-07-06` at `2026-07-06T23:00:00.000Z`). Where the next day
 * starts inside a clock change's gap, it starts when the clocks go forward.
 */
export const endOfDay = (date: string, timeZone: string): string => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const nextMidnight = Date.UTC(year, month - 1, day + 1);
  // The zone's offset at its own midnight is unknown until the instant is known: try the offset
  // one day either side would give, and keep the earliest that reads as that midnight or later.
  let end = Number.POSITIVE_INFINITY;
  for (const probe of [nextMidnight - 86_400_000, nextMidnight, nextMidnight + 86_400_000]) {
    const candidate = nextMidnight - zoneOffset(timeZone, probe);
    if (candidate + zoneOffset(timeZone, candidate) >= nextMidnight) end = Math.min(end, candidate);
  }
  return new Date(end).toISOString();
};

/**
 * An expiry as a UTC instant: an instant as it is (see `utcInstant`), a date as the end of that
 * day in the partnership's time zone (see `endOfDay`), so `"expires": "2026-12-06"` lasts through
 * 6 December where the partnership works. This is the one reading of a date-only end: whatever
 * compares one against an instant reads it here.
 *
 * One that names no instant has already passed, so what rests on it (a consent, a safeguarding
 * concern, a release to a meeting) grants nothing: sharing fails closed. So does an unknown zone.
 */
export const expiryInstant = (iso: unknown, timeZone: string = DEFAULT_TIME_ZONE): string => {
  if (isCalendarDate(iso)) return isTimeZone(timeZone) ? endOfDay(iso, timeZone) : LONG_AGO;
  return utcInstant(iso) ?? LONG_AGO;
};

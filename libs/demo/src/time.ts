export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

/** Whole seconds in UTC, e.g. 2024-03-02T01:40:00Z (demo times never carry milliseconds). */
export const isoTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;
export const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Midnight UTC of the day containing `ms`. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY) * DAY;

/** The same day and time `months` calendar months later, clamped to the month's last day. */
export function addMonths(ms: number, months: number): number {
  const date = new Date(ms);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date.getTime();
}

/** Office hours on weekdays: appointments do not fall on Sundays at 3 a.m. */
export function officeTime(day: number, hour: number, minute: number): number {
  const weekday = new Date(day).getUTCDay();
  const shift = weekday === 6 ? 2 : weekday === 0 ? 1 : 0;
  return dayOf(day) + shift * DAY + hour * HOUR + minute * MINUTE;
}

export function parseStart(start: string): number {
  const ms = Date.parse(start);
  if (!/^\d{4}-\d{2}-\d{2}/.test(start) || Number.isNaN(ms)) {
    throw new Error(`start must be an ISO 8601 date, got "${start}"`);
  }
  return ms;
}

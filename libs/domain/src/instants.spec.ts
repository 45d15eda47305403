import {
  DEFAULT_TIME_ZONE,
  endOfDay,
  expiryInstant,
  isCalendarDate,
  isDateOrInstant,
  isInstant,
  isTimeZone,
  LONG_AGO,
  utcInstant,
} from './instants';

describe('dates and instants', () => {
  it.each(['2024-02-29', '2000-02-29', '1900-01-01', '2099-12-31', '2024-04-30', '2024-12-31'])(
    'takes the date %j',
    (value) => {
      expect(isCalendarDate(value)).toBe(true);
      expect(isInstant(value)).toBe(false);
      expect(isDateOrInstant(value)).toBe(true);
    },
  );

  it.each([
    '1900-02-29',
    '2100-02-28',
    '2023-02-29',
    '2024-04-31',
    '2024-00-10',
    '2024-01-00',
    '2024-1-01',
    '20240101',
    '2024-W01-1',
    '2024-001',
    '2024-01-01 ',
    '2024-01-01\n',
    '１９９０-01-01',
    '+2024-01-01',
  ])('refuses the date %j', (value) => {
    expect(isCalendarDate(value)).toBe(false);
  });

  it.each([
    '2024-02-29T00:00:00Z',
    '2024-02-29T23:59:59.999999999Z',
    '1900-01-01T00:00:00+14:00',
    '2099-12-31T23:59:59-12:00',
    '2024-06-30T12:00:00-00:00',
  ])('takes the instant %j, which a Date reads', (value) => {
    expect(isInstant(value)).toBe(true);
    expect(Number.isNaN(Date.parse(value))).toBe(false);
  });

  it.each([
    '2024-02-30T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T12:60:00Z',
    '2024-01-01T12:00:60Z',
    '2024-01-01T12:00:00.Z',
    '2024-01-01T12:00:00.0000000001Z',
    '2024-01-01T12:00:00+24:00',
    '2024-01-01T12:00:00+01',
    '2024-01-01T12:00:00UTC',
    '2024-01-01T12:00Z',
    '2024-01-01T12Z',
  ])('refuses the instant %j', (value) => {
    expect(isInstant(value)).toBe(false);
  });

  it.each([null, undefined, 20240101, {}, ['2024-01-01']])('refuses %j, which is not a string', (value) => {
    expect(isDateOrInstant(value)).toBe(false);
  });

  it('reads a date as its first instant in UTC, and an instant in UTC', () => {
    expect(utcInstant('2026-12-06')).toBe('2026-12-06T00:00:00.000Z');
    expect(utcInstant('2026-12-06T01:30:00+02:00')).toBe('2026-12-05T23:30:00.000Z');
  });
});

describe('a date-only end', () => {
  it.each([
    // GMT: the day ends at midnight UTC.
    ['2026-12-06', '2026-12-07T00:00:00.000Z'],
    ['2026-01-31', '2026-02-01T00:00:00.000Z'],
    // The clocks go forward at 01:00 UTC on 29 March 2026: the day before ends in GMT, that day in BST.
    ['2026-03-28', '2026-03-29T00:00:00.000Z'],
    ['2026-03-29', '2026-03-29T23:00:00.000Z'],
    ['2026-07-06', '2026-07-06T23:00:00.000Z'],
    // The clocks go back at 01:00 UTC on 25 October 2026: the day before ends in BST, that day in GMT.
    ['2026-10-24', '2026-10-24T23:00:00.000Z'],
    ['2026-10-25', '2026-10-26T00:00:00.000Z'],
    ['2024-02-29', '2024-03-01T00:00:00.000Z'],
    ['2099-12-31', '2100-01-01T00:00:00.000Z'],
  ])('%s ends at %s in Europe/London', (date, end) => {
    expect(endOfDay(date, 'Europe/London')).toBe(end);
    expect(expiryInstant(date)).toBe(end);
  });

  it('is read in the zone the partnership names', () => {
    expect(expiryInstant('2026-07-06', 'UTC')).toBe('2026-07-07T00:00:00.000Z');
    expect(expiryInstant('2026-07-06', 'America/New_York')).toBe('2026-07-07T04:00:00.000Z');
    expect(expiryInstant('2026-12-06', 'Australia/Sydney')).toBe('2026-12-06T13:00:00.000Z');
    // Lord Howe moves its clocks by half an hour.
    expect(expiryInstant('2026-10-04', 'Australia/Lord_Howe')).toBe('2026-10-04T13:00:00.000Z');
  });

  it('starts the next day when the clocks go forward, where midnight itself is skipped', () => {
    // Santiago skipped from 00:00 to 01:00 on 12 August 2018: 11 August ended at 04:00 UTC.
    expect(endOfDay('2018-08-11', 'America/Santiago')).toBe('2018-08-12T04:00:00.000Z');
  });

  it('leaves an instant as the UTC instant it names', () => {
    expect(expiryInstant('2026-12-06T10:00:00+01:00')).toBe('2026-12-06T09:00:00.000Z');
  });

  it('has passed when it names no day, or the zone is unknown', () => {
    expect(expiryInstant('2026-02-30')).toBe(LONG_AGO);
    expect(expiryInstant(20261206)).toBe(LONG_AGO);
    expect(expiryInstant('2026-12-06', 'Europe/Nowhere')).toBe(LONG_AGO);
  });

  it('knows a time zone by its IANA name only', () => {
    expect(DEFAULT_TIME_ZONE).toBe('Europe/London');
    expect(isTimeZone('Europe/London')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Europe/Nowhere')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(isTimeZone(1)).toBe(false);
  });
});

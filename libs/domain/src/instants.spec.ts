import { isCalendarDate, isDateOrInstant, isInstant, utcInstant } from './instants';

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

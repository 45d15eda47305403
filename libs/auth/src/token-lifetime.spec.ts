import { InvalidTokenError, refuseLongLived } from './token.service';

const NOW_MS = Date.UTC(2026, 0, 1, 12);
const now = NOW_MS / 1000;
const HOUR = 3600;
const MAX = 12 * HOUR;

const refusal = (payload: { exp: number; iat?: number }): InvalidTokenError | null => {
  try {
    refuseLongLived(payload, NOW_MS, MAX);
    return null;
  } catch (error) {
    return error as InvalidTokenError;
  }
};

describe('the longest a production token may live', () => {
  it.each([
    ['issued now for the whole bound', { iat: now, exp: now + MAX }],
    ['issued an hour ago for eight hours', { iat: now - HOUR, exp: now + 7 * HOUR }],
    ['without iat, expiring within the bound', { exp: now + MAX }],
  ])('accepts a token %s', (_, payload) => {
    expect(refusal(payload)).toBeNull();
  });

  it.each([
    ['issued for a day', { iat: now, exp: now + 24 * HOUR }],
    ['issued long ago for a year, still unexpired', { iat: now - 200 * 24 * HOUR, exp: now + HOUR }],
    ['without iat, expiring beyond the bound', { exp: now + MAX + 1 }],
    ['dated ahead so exp - iat looks short', { iat: now + 30 * 24 * HOUR, exp: now + 30 * 24 * HOUR + HOUR }],
  ])('refuses a token %s, naming the lifetime', (_, payload) => {
    const error = refusal(payload);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error?.reason).toBe('lifetime');
    expect(error?.message).toMatch(/longer than the 43200 s allowed/);
  });
});

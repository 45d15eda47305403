import { describeError } from './identity-provider';

describe('what the log says about a provider that did not answer', () => {
  it('names the error and the socket error under it, with its code', () => {
    const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(describeError(new TypeError('fetch failed', { cause: socket }))).toBe(
      'fetch failed: connect ECONNREFUSED 127.0.0.1:9',
    );
    const timeout = Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
    expect(describeError(timeout)).toBe('timed out (ETIMEDOUT)');
  });

  it('describes what is not an Error too', () => {
    expect(describeError('refused')).toBe('refused');
    expect(describeError({ status: 502 })).toBe('{"status":502}');
    expect(describeError(undefined)).toBe('unknown error');
  });
});

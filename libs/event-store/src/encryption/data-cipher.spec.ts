import { isSealed, newDataKey, open, seal } from './data-cipher';

describe('data cipher', () => {
  const key = newDataKey();
  const data = { givenName: 'Marker-Zebulon', nested: { list: [1, 'two'] } };

  it('opens what it sealed, and the sealed form holds none of the text', () => {
    const sealed = seal(data, 'key-1', key, 'event-1');
    expect(isSealed(sealed)).toBe(true);
    expect(sealed.$sealed.k).toBe('key-1');
    expect(JSON.stringify(sealed)).not.toContain('Zebulon');
    expect(open(sealed, key, 'event-1')).toEqual(data);
  });

  it('uses a fresh nonce for each event', () => {
    expect(seal(data, 'key-1', key, 'event-1').$sealed.v).not.toBe(
      seal(data, 'key-1', key, 'event-1').$sealed.v,
    );
  });

  it('refuses another key, another event id or altered bytes', () => {
    const sealed = seal(data, 'key-1', key, 'event-1');
    expect(() => open(sealed, newDataKey(), 'event-1')).toThrow();
    expect(() => open(sealed, key, 'event-2')).toThrow();
    const bytes = Buffer.from(sealed.$sealed.v, 'base64');
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    expect(() => open({ $sealed: { k: 'key-1', v: bytes.toString('base64') } }, key, 'event-1')).toThrow();
  });

  it.each([null, {}, { $sealed: null }, { $sealed: { k: 'a' } }, [1], 'text'])(
    'takes %p for data stored in the clear',
    (value) => expect(isSealed(value)).toBe(false),
  );
});

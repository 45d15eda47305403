import { isSealed, lazilyOpened, newDataKey, open, seal } from './data-cipher';

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

  it('names the fields of object data, and only their names', () => {
    const sealed = seal(data, 'key-1', key, 'event-1');
    expect(sealed.$sealed.f).toEqual(['givenName', 'nested']);
    expect(seal([1, 2], 'key-1', key, 'event-1').$sealed.f).toBeUndefined();
  });

  it('opens lazily: field names without the cipher, every value once one is read', () => {
    const sealed = seal(data, 'key-1', key, 'event-1');
    let opens = 0;
    const lazy = lazilyOpened(sealed.$sealed.f!, () => {
      opens += 1;
      return open(sealed, key, 'event-1');
    });
    expect(Object.keys(lazy)).toEqual(['givenName', 'nested']);
    expect(opens).toBe(0);
    expect(lazy.givenName).toBe('Marker-Zebulon');
    expect(JSON.parse(JSON.stringify(lazy))).toEqual(data);
    expect({ ...lazy }).toEqual(data);
    expect(opens).toBe(1);
    lazy.givenName = 'Changed';
    delete lazy.nested;
    expect(lazy).toEqual({ givenName: 'Changed' });
  });
});

import { createCipheriv, randomBytes } from 'node:crypto';
import { aead, isSealed, lazilyOpened, newDataKey, nodeAead, open, seal } from './data-cipher';

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
    expect(seal(data, 'key-1', key, 'event-1').$sealed.c).not.toBe(
      seal(data, 'key-1', key, 'event-1').$sealed.c,
    );
  });

  it('refuses another key, another event id or altered bytes', () => {
    const sealed = seal(data, 'key-1', key, 'event-1');
    expect(() => open(sealed, newDataKey(), 'event-1')).toThrow();
    expect(() => open(sealed, key, 'event-2')).toThrow();
    const bytes = Buffer.from(sealed.$sealed.c!, 'base64');
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    expect(() => open({ $sealed: { k: 'key-1', c: bytes.toString('base64') } }, key, 'event-1')).toThrow();
  });

  it.each([
    null,
    {},
    { $sealed: null },
    { $sealed: { k: 'a' } },
    { $sealed: { k: 'a', c: 'AA', v: 'AA' } },
    { $sealed: { k: 'a', c: 1 } },
    [1],
    'text',
  ])('takes %p for data stored in the clear', (value) => expect(isSealed(value)).toBe(false));

  it('names the fields of object data, and only their names', () => {
    const sealed = seal(data, 'key-1', key, 'event-1');
    expect(sealed.$sealed.f).toEqual(['givenName', 'nested']);
    expect(seal([1, 2], 'key-1', key, 'event-1').$sealed.f).toBeUndefined();
  });

  it('opens lazily: field names without the cipher, every value once one is read', () => {
    const sealed = seal(data, 'key-1', key, 'event-1');
    // Under another key, reading a value fails: so a step that reads none has not opened it.
    const wrong = lazilyOpened(sealed.$sealed.f!, sealed, newDataKey(), 'event-1');
    expect(Object.keys(wrong)).toEqual(['givenName', 'nested']);
    expect('givenName' in wrong).toBe(true);
    expect(() => wrong.givenName).toThrow();
    const lazy = lazilyOpened(sealed.$sealed.f!, sealed, key, 'event-1');
    expect(Object.keys(lazy)).toEqual(['givenName', 'nested']);
    expect(lazy.givenName).toBe('Marker-Zebulon');
    expect(JSON.parse(JSON.stringify(lazy))).toEqual(data);
    expect({ ...lazy }).toEqual(data);
    lazy.givenName = 'Changed';
    delete lazy.nested;
    expect(lazy).toEqual({ givenName: 'Changed' });
  });

  describe('the cipher', () => {
    // RFC 8439, section 2.8.2: the AEAD test vector.
    const key = Buffer.from('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f', 'hex');
    const nonce = Buffer.from('070000004041424344454647', 'hex');
    const ad = Buffer.from('50515253c0c1c2c3c4c5c6c7', 'hex');
    const plain = Buffer.from(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );

    it('is libsodium on this platform, not the slower fallback', () => {
      expect(aead.name).toBe('libsodium');
    });

    it.each([aead, nodeAead])('$name gives the RFC 8439 tag and opens the vector', (using) => {
      const out = Buffer.alloc(plain.length + 16);
      using.seal(out, plain, ad, nonce, key);
      expect(out.subarray(plain.length).toString('hex')).toBe('1ae10b594f09e26a7e902ecbd0600691');
      expect(out.subarray(0, 4).toString('hex')).toBe('d31a8d34');
      expect(using.open(out, ad, nonce, key)).toEqual(plain);
    });

    it('opens with either implementation what the other sealed', () => {
      const bySodium = seal(data, 'key-1', key, 'event-1', aead);
      const byNode = seal(data, 'key-1', key, 'event-1', nodeAead);
      expect(open(bySodium, key, 'event-1', nodeAead)).toEqual(data);
      expect(open(byNode, key, 'event-1', aead)).toEqual(data);
      expect(() => open(bySodium, key, 'event-2', nodeAead)).toThrow();
      expect(() => open(byNode, key, 'event-2', aead)).toThrow();
    });

    it('still opens data sealed earlier with AES-256-GCM', () => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from('event-1'));
      const body = Buffer.concat([cipher.update(JSON.stringify(data)), cipher.final()]);
      const v = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
      expect(open({ $sealed: { k: 'key-1', v } }, key, 'event-1')).toEqual(data);
      expect(() => open({ $sealed: { k: 'key-1', v } }, key, 'event-2')).toThrow();
    });

    it('stores the key id, the sealed bytes and the field names, nothing else', () => {
      expect(seal(data, 'key-1', key, 'event-1').$sealed).toEqual({
        k: 'key-1',
        c: expect.any(String),
        f: ['givenName', 'nested'],
      });
    });
  });
});

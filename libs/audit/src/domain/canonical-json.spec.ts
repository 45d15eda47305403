import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

/** An IEEE 754 double from its 16 hex digits, as RFC 8785 Appendix B lists them. */
const double = (hex: string): number => Buffer.from(hex, 'hex').readDoubleBE(0);

describe('canonicalJson (RFC 8785)', () => {
  it('reproduces the sample of RFC 8785 section 3.2.2 byte for byte', () => {
    // The input exactly as printed in the RFC, whitespace, escapes and number spellings included.
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;

    const output = canonicalJson(JSON.parse(input));

    expect(output).toBe(expected);
    // Section 3.2.4 gives the same result as UTF-8 bytes; the euro sign is the only multi-byte character.
    expect(Buffer.from(output, 'utf8').subarray(0, 16).toString('hex')).toBe(
      '7b226c69746572616c73223a5b6e756c',
    );
    expect(Buffer.from(output, 'utf8').includes(Buffer.from('e282ac24', 'hex'))).toBe(true);
  });

  it('sorts property names by UTF-16 code units, as in RFC 8785 section 3.2.3', () => {
    const input = String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`;

    const output = canonicalJson(JSON.parse(input));

    // The emoji's high surrogate (0xD83D) sorts before U+FB33, although its code point (U+1F600) is
    // higher: code-point order would be wrong here.
    expect(output).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('puts upper case before lower case, and digits and punctuation by their code units', () => {
    expect(canonicalJson({ b: 1, a: 2, B: 3, A: 4, _: 5, '10': 6, '9': 7, aa: 8, 'a-b': 9 })).toBe(
      '{"10":6,"9":7,"A":4,"B":3,"_":5,"a":2,"a-b":9,"aa":8,"b":1}',
    );
  });

  it('serialises numbers as ECMAScript does, per the RFC 8785 Appendix B table', () => {
    const table: readonly [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, expected] of table)
      expect([bits, canonicalJson(double(bits))]).toEqual([bits, expected]);
  });

  it('writes the numbers an audit record is likely to meet in their shortest round-trip form', () => {
    expect(canonicalJson([1e21, 1e20, 0.1, 0.1 + 0.2, -0, 403, 1.5e-7, 2 ** 53 + 2])).toBe(
      '[1e+21,100000000000000000000,0.1,0.30000000000000004,0,403,1.5e-7,9007199254740994]',
    );
  });

  it('refuses NaN and the infinities, which RFC 8785 cannot express', () => {
    // NaN and the infinities in RFC 8785 Appendix B are errors, not null as JSON.stringify would write.
    for (const bits of ['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000']) {
      expect(() => canonicalJson({ n: double(bits) })).toThrow(/non-finite/);
    }
  });

  it('escapes only what RFC 8785 escapes, in lower-case hex, and leaves the rest of Unicode as is', () => {
    const controls = Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code)).join('');
    expect(canonicalJson(controls)).toBe(
      '"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f' +
        '\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"',
    );
    expect(canonicalJson('quote " backslash \\ slash / del \u007f é 中 😀 \u2028')).toBe(
      '"quote \\" backslash \\\\ slash / del \u007f é 中 😀 \u2028"',
    );
    // Escapes in property names follow the same rules.
    expect(canonicalJson({ 'line\nbreak': true, 'tab\t': false })).toBe(
      '{"line\\nbreak":true,"tab\\t":false}',
    );
  });

  it('sorts nested objects at every depth and keeps array order', () => {
    const value = {
      subjects: [
        { subjectId: 'b', fields: { z: ['2', '1'], a: [] }, grounds: [{ rule: 'r', basis: 'always' }] },
        { subjectId: 'a', fields: {}, grounds: [] },
      ],
      principal: { user: 'u', agency: 'police', role: 'iom-officer', kind: 'person' },
      empty: [[], [[]], {}],
    };
    expect(canonicalJson(value)).toBe(
      '{"empty":[[],[[]],{}],"principal":{"agency":"police","kind":"person","role":"iom-officer","user":"u"},' +
        '"subjects":[{"fields":{"a":[],"z":["2","1"]},"grounds":[{"basis":"always","rule":"r"}],"subjectId":"b"},' +
        '{"fields":{},"grounds":[],"subjectId":"a"}]}',
    );
  });

  it('drops undefined properties, as the stored JSON does, so a record hashes the same before and after storage', () => {
    expect(canonicalJson({ a: undefined, b: null, c: { d: undefined } })).toBe('{"b":null,"c":{}}');
    // In arrays undefined becomes null, again as JSON.stringify writes it.
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
  });

  it('writes the holes of a sparse array as null, as the stored JSON does', () => {
    // A hole must not produce "[1,,3]", which is not JSON and differs from what JSON.stringify stores.
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [1, , 3];
    expect(canonicalJson(sparse)).toBe(JSON.stringify(sparse));
    expect(canonicalJson(new Array(2))).toBe('[null,null]');
  });

  it('refuses values JSON cannot hold rather than hashing something the store would not keep', () => {
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson(undefined)).toThrow(/undefined/);
  });

  it('never hashes an object with toJSON differently from the JSON the store keeps of it', () => {
    // The store writes JSON.stringify(content), which calls toJSON; hashing "{}" for a Date would make
    // an untouched record fail verification once read back as a string.
    const value = { at: new Date('2025-01-06T09:00:00.000Z') };
    const stored = canonicalJson(JSON.parse(JSON.stringify(value)));
    let outcome: string;
    try {
      outcome = canonicalJson(value);
    } catch {
      outcome = 'refused'; // As good as agreeing: nothing mismatched gets stored.
    }
    expect(['refused', stored]).toContain(outcome);
  });

  it('hashes what the store keeps: canonical JSON is unchanged by a JSON round trip and by key order', () => {
    // The verifier recomputes the hash from the content read back from storage, so any value whose
    // canonical form changes through JSON.stringify/JSON.parse would be a false alarm of tampering.
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const canonical = canonicalJson(value);
        expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonical);
        expect(canonicalJson(JSON.parse(canonical))).toBe(canonical);
        expect(canonicalJson(reverseKeys(value))).toBe(canonical);
      }),
      { numRuns: 500 },
    );
  });
});

/** The same value with every object's properties inserted in the reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, item]) => [key, reverseKeys(item)]),
    );
  }
  return value;
}

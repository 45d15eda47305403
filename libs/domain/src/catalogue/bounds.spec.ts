import { EVENT_LIMITS, exceedsBounds } from './bounds';
import { CATALOGUE_EXAMPLES, EVENT_TYPES } from './index';

const nested = (depth: number): unknown => {
  let value: unknown = {};
  for (let i = 1; i < depth; i += 1) value = { a: value };
  return value;
};

describe('exceedsBounds', () => {
  it('passes every example with room to spare', () => {
    const limits = { maxDepth: 8, maxValues: EVENT_LIMITS.maxValues / 10, maxCharacters: 10_000 };
    for (const type of EVENT_TYPES)
      expect(exceedsBounds({ data: CATALOGUE_EXAMPLES[type] }, limits)).toBeUndefined();
  });

  it('takes nesting up to the limit and refuses one level more, naming where', () => {
    expect(exceedsBounds(nested(EVENT_LIMITS.maxDepth))).toBeUndefined();
    expect(exceedsBounds(nested(EVENT_LIMITS.maxDepth + 1))).toEqual({
      path: Array.from({ length: EVENT_LIMITS.maxDepth }, () => 'a').join('.'),
      constraint: 'maxDepth',
      message: expect.stringContaining(String(EVENT_LIMITS.maxDepth)) as unknown,
    });
  });

  it('walks a million levels without overflowing the stack', () => {
    expect(exceedsBounds(nested(1_000_000))?.constraint).toBe('maxDepth');
  });

  it('counts values and characters, property names included', () => {
    const limits = { maxDepth: 4, maxValues: 5, maxCharacters: 10 };
    expect(exceedsBounds({ a: [1, 2], b: 'xyz' }, limits)).toBeUndefined();
    expect(exceedsBounds({ a: [1, 2, 3], b: 'xyz' }, limits)?.constraint).toBe('maxSize');
    expect(exceedsBounds({ a: 'xxxxxxxx', bc: 1 }, limits)).toEqual(
      expect.objectContaining({ path: '', constraint: 'maxSize' }),
    );
  });

  it('counts an own __proto__ like any other property', () => {
    const hostile = JSON.parse('{"__proto__": {"a": {"b": {"c": {}}}}}') as unknown;
    expect(exceedsBounds(hostile, { maxDepth: 3, maxValues: 100, maxCharacters: 100 })).toEqual(
      expect.objectContaining({ path: '__proto__.a.b', constraint: 'maxDepth' }),
    );
  });
});

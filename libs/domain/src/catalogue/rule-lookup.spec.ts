import { IsInt, IsString, validateSync } from 'class-validator';
import { rememberRuleLookups } from './rule-lookup';

class Parent {
  @IsString() name!: unknown;
}

class Child extends Parent {
  @IsInt() age!: unknown;
}

const failing = (object: object): string[] =>
  validateSync(object)
    .map((error) => error.property)
    .sort();

describe('remembered rule lookups', () => {
  beforeAll(() => rememberRuleLookups());

  it('finds a class its own and inherited rules, the same on every call', () => {
    const child = Object.assign(new Child(), { name: 1, age: 'x' });
    expect(failing(child)).toEqual(['age', 'name']);
    expect(failing(child)).toEqual(['age', 'name']);
    expect(failing(Object.assign(new Parent(), { name: 1 }))).toEqual(['name']);
  });

  it('sees a rule added after a lookup', () => {
    const parent = Object.assign(new Parent(), { name: 'Ann', size: 'large' });
    expect(failing(parent)).toEqual([]);
    IsInt()(Parent.prototype, 'size');
    expect(failing(parent)).toEqual(['size']);
    expect(failing(Object.assign(new Child(), { name: 'Ann', age: 3, size: 'large' }))).toEqual(['size']);
  });
});

import { Type } from 'class-transformer';
import {
  IsString,
  Length,
  Validate,
  ValidateNested,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { compileDataCheck } from './data-check';
import { Optional } from './dates';
import { CATALOGUE, CATALOGUE_EXAMPLES, EVENT_TYPES } from './index';
import { schemaIssues } from './validate';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values of every kind and edge a rule might meet: wrong types, empties, bounds, bad dates. */
const PROBES: readonly (Json | undefined)[] = [
  undefined,
  null,
  true,
  0,
  -1,
  2.5,
  65,
  1e9,
  '',
  'x',
  'x'.repeat(5000),
  '2024-02-30',
  '2024-07-01',
  '2024-07-01T09:30:00Z',
  '20990101',
  '2026-W01-1',
  '2024-001',
  '2024-07-01 ',
  '2024-07-01T24:00:00Z',
  '9999-07-01T09:30:00Z',
  'police',
  'PPO',
  'Police Force',
  [],
  ['x'],
  [1],
  [null],
  [{}],
  [[]],
  {},
  { surprise: 1 },
];

const clone = (value: Json): Json => JSON.parse(JSON.stringify(value)) as Json;

/** Sets (or, for `undefined`, removes) the value at a path of a copy of `root`. */
function withValue(root: Json, path: readonly (string | number)[], value: Json | undefined): Json {
  const copy = clone(root);
  let holder = copy as Record<string | number, Json>;
  for (const step of path.slice(0, -1)) holder = holder[step] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined && !Array.isArray(holder)) delete holder[last];
  else holder[last] = value as Json;
  return copy;
}

/** Every path inside a value, objects' keys and arrays' indexes alike. */
function pathsOf(value: Json, prefix: readonly (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) {
    return value.flatMap((element, index) => [[...prefix, index], ...pathsOf(element, [...prefix, index])]);
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, element]) => [
      [...prefix, key],
      ...pathsOf(element, [...prefix, key]),
    ]);
  }
  return [];
}

/** The example, and many near misses: every path set to every probe, arrays emptied, grown and repeated. */
function variantsOf(example: Json): Json[] {
  const variants: Json[] = [example, withValue(example, ['surprise'], 1)];
  for (const path of pathsOf(example)) {
    for (const probe of PROBES) variants.push(withValue(example, path, probe));
    const arrayPath = path.slice(0, -1);
    const parent = arrayPath.reduce<Json>(
      (at, step) => (at as Record<string | number, Json>)[step]!,
      example,
    );
    if (Array.isArray(parent)) {
      const element = parent[path[path.length - 1] as number]!;
      variants.push(withValue(example, arrayPath, [...parent, element]));
      variants.push(
        withValue(
          example,
          arrayPath,
          Array.from({ length: 40 }, () => element),
        ),
      );
    }
    if (parent !== null && typeof parent === 'object' && !Array.isArray(parent)) {
      variants.push(withValue(example, [...arrayPath, 'surprise'], 1));
    }
  }
  return variants;
}

describe('compileDataCheck', () => {
  it.each(EVENT_TYPES)('compiles a check for %s', (type) => {
    expect(compileDataCheck(CATALOGUE[type].schema)).toBeDefined();
  });

  it.each(EVENT_TYPES)('agrees with class-validator on the example of %s and its near misses', (type) => {
    const schema = CATALOGUE[type].schema;
    const check = compileDataCheck(schema)!;
    const variants = variantsOf(CATALOGUE_EXAMPLES[type] as unknown as Json).filter(
      (variant): variant is { [key: string]: Json } =>
        variant !== null && typeof variant === 'object' && !Array.isArray(variant),
    );
    const disagreements = variants
      .map((variant) => ({ variant, check: check(variant), issues: schemaIssues(schema, variant) }))
      .filter(({ check: passes, issues }) => passes !== (issues.length === 0));
    expect(disagreements).toEqual([]);
    // Both answers are exercised: the example passes, and many of its near misses do not.
    expect(check(CATALOGUE_EXAMPLES[type])).toBe(true);
    expect(variants.filter((variant) => !check(variant)).length).toBeGreaterThan(variants.length / 4);
  });

  describe('on schemas outside the catalogue', () => {
    class Node {
      @IsString() @Length(1, 10) readonly name!: string;
      @Optional() @ValidateNested() @Type(() => Node) readonly next?: Node;
    }

    it('checks a schema that nests itself', () => {
      const check = compileDataCheck(Node)!;
      expect(check({ name: 'a', next: { name: 'b', next: { name: 'c' } } })).toBe(true);
      expect(check({ name: 'a', next: { name: 'b', next: { name: '' } } })).toBe(false);
      expect(check({ name: 'a', next: { name: 'b', extra: 1 } })).toBe(false);
    });

    it('compiles none for a schema using groups or an asynchronous rule', () => {
      class Grouped {
        @IsString({ groups: ['draft'] }) readonly name!: string;
      }
      @ValidatorConstraint({ async: true })
      class Later implements ValidatorConstraintInterface {
        validate(): Promise<boolean> {
          return Promise.resolve(true);
        }
      }
      class Awaited {
        @Validate(Later) readonly name!: string;
      }
      expect(compileDataCheck(Grouped)).toBeUndefined();
      expect(compileDataCheck(Awaited)).toBeUndefined();
    });

    it('compiles none for a schema without rules, which class-validator refuses as unknown', () => {
      class Bare {}
      expect(compileDataCheck(Bare)).toBeUndefined();
    });
  });
});

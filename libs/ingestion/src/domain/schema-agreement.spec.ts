import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import {
  CATALOGUE,
  CATALOGUE_EXAMPLES,
  DEFAULT_ISSUING_AGENCIES,
  EVENT_LIMITS,
  EVENT_TYPES,
  type EventType,
  validateEventData,
} from '@throughline/domain';
import { validateCloudEvent } from './cloud-event';

/**
 * The published JSON Schemas (docs/schemas) and the server must give the same verdict on every
 * event: an integrator who validates against the schema before publishing is never surprised.
 * Each type's example is varied at every field with the values that found holes before: dates in
 * forms other than the extended ones, days that do not exist, nulls, unknown properties named like
 * the methods every object has, and nesting past the limit.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

const SCHEMAS = join(__dirname, '..', '..', '..', '..', 'docs', 'schemas');
const SOURCE = 'urn:throughline:police:custody';

const ajv = new Ajv2020({ allErrors: false, strictTypes: false });
addFormats(ajv);
for (const file of readdirSync(SCHEMAS)) ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')));

const nested = (depth: number): Json => {
  let value: Json = [];
  for (let i = 1; i < depth; i += 1) value = [value];
  return value;
};

const DATES = [
  '2024-02-29',
  '2024-06-30',
  '2099-12-31',
  '1900-01-01',
  '2024-06-30T23:59:59Z',
  '2024-06-30T23:59:59.123456789+01:00',
  '2024-06-30T00:00:00-00:00',
  '2026-02-30',
  '2023-02-29',
  '20990101',
  '2026-W01-1',
  '2024-001',
  '2024-06-30 ',
  ' 2024-06-30',
  '2024-01-01T24:00:00Z',
  '2024-01-01T23:59:60Z',
  '2024-01-01T10:00:00',
  '2024-01-01t10:00:00z',
  '2024-01-01 10:00:00Z',
  '2024-01-01T10:00Z',
  '2024-01-01T10:00:00+0100',
  '9999-12-31',
  '9999-12-31T23:59:59Z',
  '1899-12-31',
  '2100-01-01T00:00:00Z',
];

const VALUES: readonly (Json | undefined)[] = [
  undefined,
  null,
  '',
  'x',
  'police',
  0,
  -1,
  1.5,
  true,
  [],
  {},
  [null],
  [{}],
  [[]],
  'x'.repeat(3000),
  nested(EVENT_LIMITS.maxDepth + 8),
  ...DATES,
];

/** Built-in names; `__proto__` is made an own property, as JSON.parse makes it from a request body. */
const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'surprise',
];

const clone = (value: Json): Json => JSON.parse(JSON.stringify(value)) as Json;

const holderAt = (root: Json, path: Path): Record<string | number, Json> => {
  let holder = root as Record<string | number, Json>;
  for (const step of path) holder = holder[step] as Record<string | number, Json>;
  return holder;
};

/** A copy of `root` with the value at `path` set (defined as an own property) or, for undefined, removed. */
function withValue(root: Json, path: Path, value: Json | undefined): Json {
  const copy = clone(root);
  const holder = holderAt(copy, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(holder)) holder.splice(last as number, 1);
    else delete holder[last];
  } else {
    Object.defineProperty(holder, last, { value, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/** Every path to a value inside `value`, and every path to an object. */
function walk(value: Json, prefix: Path = []): { values: Path[]; objects: Path[] } {
  const values: Path[] = [];
  const objects: Path[] = [];
  const visit = (at: Json, path: Path): void => {
    if (Array.isArray(at))
      at.forEach((element, index) => (values.push([...path, index]), visit(element, [...path, index])));
    else if (at !== null && typeof at === 'object') {
      objects.push(path);
      for (const [key, element] of Object.entries(at)) {
        values.push([...path, key]);
        visit(element, [...path, key]);
      }
    }
  };
  visit(value, prefix);
  return { values, objects };
}

/** The properties a schema names at a path of the event, for optional ones the example leaves out. */
function schemaPropertiesAt(schema: Record<string, unknown>, path: Path): string[] {
  let at: Record<string, unknown> | undefined = schema;
  for (const step of path) {
    if (!at) return [];
    at =
      typeof step === 'number'
        ? (at.items as Record<string, unknown> | undefined)
        : ((at.properties as Record<string, Record<string, unknown>> | undefined)?.[step] ?? undefined);
  }
  return Object.keys((at?.properties as object | undefined) ?? {});
}

function variantsOf(event: Json, schema: Record<string, unknown>): Json[] {
  const { values, objects } = walk(event);
  const variants: Json[] = [event];
  for (const path of values) {
    if (path.length === 1 && path[0] === 'type') continue;
    for (const value of VALUES) variants.push(withValue(event, path, value));
  }
  for (const path of objects) {
    for (const key of HOSTILE_KEYS) variants.push(withValue(event, [...path, key], 1));
    const present = Object.keys(holderAt(event, path));
    for (const name of schemaPropertiesAt(schema, path).filter((name) => !present.includes(name))) {
      for (const value of [null, ...DATES]) variants.push(withValue(event, [...path, name], value));
    }
  }
  variants.push(withValue(event, ['ext'], 'x'), withValue(event, ['ext'], nested(EVENT_LIMITS.maxDepth + 8)));
  return variants;
}

/**
 * A publisher the type allows. An identifier is claimed only by its scheme's issuer, a rule of
 * authority no schema states: the link's example links a prison number, so the prison sends it.
 */
const publisherOf = (type: EventType): { agency: string; sources: string[] } => {
  const publishers = CATALOGUE[type].publishers;
  if (type === 'iom.subject.identifier-linked.v1' || type === 'iom.subject.identifier-unlinked.v1') {
    const { scheme } = CATALOGUE_EXAMPLES[type];
    return { agency: scheme === 'local' ? 'police' : DEFAULT_ISSUING_AGENCIES[scheme], sources: [SOURCE] };
  }
  return { agency: publishers === 'any' ? 'police' : publishers[0]!, sources: [SOURCE] };
};

/**
 * The server's verdict. A correction's replacement is checked on ingestion against its target's
 * type, which is the arrest of the example; that check is made here as ingestion makes it.
 */
function serverAccepts(type: EventType, event: Json): boolean {
  const result = validateCloudEvent(event, 0, publisherOf(type), DEFAULT_ISSUING_AGENCIES);
  if (result.issues.length > 0) return false;
  if (type !== 'iom.record.corrected.v1') return true;
  return validateEventData('iom.arrest.recorded.v1', result.event!.data.replacement).length === 0;
}

// Platform-recorded types are refused from every publisher, a rule of authority no schema states.
const PUBLISHABLE = EVENT_TYPES.filter((type) => !CATALOGUE[type].recordedByPlatform);

describe('the JSON Schemas in docs/schemas and the server', () => {
  it.each(PUBLISHABLE)('agree on the example of %s and its boundary cases', (type) => {
    const schemaFile = JSON.parse(readFileSync(join(SCHEMAS, `${type}.json`), 'utf8')) as Record<
      string,
      unknown
    >;
    const validate = ajv.getSchema(`urn:throughline:schema:${type}`)!;
    const event: Json = {
      specversion: '1.0',
      id: '3f0c6f7e-2d4b-4c1a-9f43-8a5e1b7d2c90',
      source: SOURCE,
      type,
      subject: 'pnc:2009/0123456C',
      time: '2024-03-02T01:52:10Z',
      datacontenttype: 'application/json',
      data: clone(CATALOGUE_EXAMPLES[type] as unknown as Json),
    };
    expect(serverAccepts(type, event)).toBe(true);
    const verdicts = variantsOf(event, schemaFile).map((variant) => ({
      variant: JSON.stringify(variant).slice(0, 400),
      schema: validate(variant),
      server: serverAccepts(type, variant),
    }));
    expect(verdicts.filter((verdict) => verdict.schema !== verdict.server)).toEqual([]);
    // Both answers are exercised.
    expect(verdicts.filter((verdict) => verdict.server).length).toBeGreaterThan(1);
    expect(verdicts.filter((verdict) => !verdict.server).length).toBeGreaterThan(verdicts.length / 2);
  });

  it('leave no property unchecked: every object is closed and no value may be null', () => {
    for (const type of EVENT_TYPES) {
      const schema = JSON.parse(readFileSync(join(SCHEMAS, `${type}.json`), 'utf8')) as Json;
      const { objects } = walk(schema);
      for (const path of objects) {
        const at = holderAt(schema, path) as Record<string, Json>;
        if (at.properties && typeof at.properties === 'object' && !Array.isArray(at.properties)) {
          expect({ type, path, additionalProperties: at.additionalProperties }).toEqual({
            type,
            path,
            additionalProperties: false,
          });
          for (const [name, property] of Object.entries(at.properties as Record<string, Json>)) {
            const types = (property as Record<string, Json>).type;
            const listed = (Array.isArray(types) ? types : [types]).filter((t) => t !== undefined);
            expect({ type, name, nullable: listed.includes('null') }).toEqual({
              type,
              name,
              nullable: false,
            });
          }
        }
      }
    }
  });
});

import { getMetadataStorage, validateSync, type ValidationError, ValidationTypes } from 'class-validator';
import { exceedsBounds } from './bounds';
import { compileDataCheck, type DataCheck } from './data-check';
import { nestedSchemaOf } from './describe';
import { CATALOGUE, type EventType } from './index';
import { rememberRuleLookups } from './rule-lookup';

rememberRuleLookups();

export interface DataIssue {
  /** Dotted path inside `data`, e.g. `identifiers.0.scheme`. */
  readonly path: string;
  readonly constraint: string;
  readonly message: string;
}

const flatten = (errors: readonly ValidationError[], prefix: string): DataIssue[] =>
  errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      path,
      constraint,
      message,
    }));
    return [...own, ...flatten(error.children ?? [], path)];
  });

type Schema = new () => object;

/** A schema's properties, each with the schema of the nested object it holds, if any. */
type Shape = ReadonlyMap<string, Schema | undefined>;

const shapes = new Map<Schema, Shape>();

const shapeOf = (schema: Schema): Shape => {
  let shape = shapes.get(schema);
  if (!shape) {
    const rules = getMetadataStorage().getTargetValidationMetadatas(
      schema,
      undefined as unknown as string,
      false,
      false,
    );
    const byName = getMetadataStorage().groupByPropertyName(rules);
    shape = new Map(
      Object.entries(byName).map(([name, metadatas]) => [
        name,
        metadatas.some((metadata) => metadata.type === ValidationTypes.NESTED_VALIDATION)
          ? (nestedSchemaOf(schema, name) as Schema | undefined)
          : undefined,
      ]),
    );
    shapes.set(schema, shape);
  }
  return shape;
};

const isPlainObject = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const at = (path: string, key: string | number): string => (path ? `${path}.${key}` : String(key));

/**
 * An instance of the schema holding only the data's own properties the schema names, its nested
 * records instances of theirs in turn; every other property is named as an issue instead. So
 * class-validator never meets a property it does not know, whatever its name: its own whitelist
 * looks names up in a plain object, where `constructor` or `hasOwnProperty` are found on the
 * prototype, and it reads `constructor` of what it validates. Instances are made here rather than
 * by class-transformer, which would walk every value of the data however deep.
 */
function instanceOf(schema: Schema, data: object, path: string, unknown: DataIssue[]): object {
  const shape = shapeOf(schema);
  const instance = Object.create(schema.prototype as object) as Record<string, unknown>;
  const values = data as Record<string, unknown>;
  for (const key of Object.keys(data)) {
    if (!shape.has(key)) {
      unknown.push({
        path: at(path, key),
        constraint: ValidationTypes.WHITELIST,
        message: `property ${key} should not exist`,
      });
      continue;
    }
    const nested = shape.get(key);
    instance[key] = nested ? nestedValue(nested, values[key], at(path, key), unknown) : values[key];
  }
  return instance;
}

/**
 * What a nested property holds, with each record made an instance. An array where a record
 * belongs is refused by the property's own rules (`IsObject`), so it is passed on empty: the
 * records in it are never looked at.
 */
function nestedValue(schema: Schema, value: unknown, path: string, unknown: DataIssue[]): unknown {
  const element = (item: unknown, index: number): unknown =>
    isPlainObject(item)
      ? instanceOf(schema, item, at(path, index), unknown)
      : Array.isArray(item)
        ? []
        : item;
  if (isPlainObject(value)) return instanceOf(schema, value, path, unknown);
  return Array.isArray(value) ? value.map(element) : value;
}

/** The issues of an object's data: unknown properties at any depth, then class-validator's verdict. */
export function schemaIssues(schema: Schema, data: object): DataIssue[] {
  const unknown: DataIssue[] = [];
  const instance = instanceOf(schema, data, '', unknown);
  return [
    ...unknown,
    ...flatten(validateSync(instance, { whitelist: true, forbidNonWhitelisted: true }), ''),
  ];
}

const checks = new Map<Schema, DataCheck | undefined>();

/** The schema's compiled check (see data-check), made on first use. */
const checkOf = (schema: Schema): DataCheck | undefined => {
  if (!checks.has(schema)) checks.set(schema, compileDataCheck(schema));
  return checks.get(schema);
};

/**
 * Validates an event's `data` against its catalogue schema; unknown properties are refused. Data
 * that passes the schema's compiled check is valid; anything else is judged, and its issues named,
 * by class-validator, once its size is known to be bounded.
 */
export function validateEventData(type: EventType, data: unknown): DataIssue[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return [{ path: '', constraint: 'isObject', message: 'data must be a JSON object' }];
  }
  const schema: Schema = CATALOGUE[type].schema;
  if (checkOf(schema)?.(data)) return [];
  const bounds = exceedsBounds(data);
  if (bounds) return [bounds];
  return schemaIssues(schema, data);
}

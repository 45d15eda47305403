import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError, ValidationTypes } from 'class-validator';
import { compileDataCheck, type DataCheck } from './data-check';
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

const nestedSchemas = new Map<Schema, boolean>();

/**
 * Whether a schema holds nested objects, whose classes class-transformer must instantiate for
 * them to be validated. In the catalogue `@Type` is used only there, so a schema without them
 * needs no transformation: its plain data, given the schema's prototype, validates alike.
 */
const hasNested = (schema: Schema): boolean => {
  let nested = nestedSchemas.get(schema);
  if (nested === undefined) {
    nested = getMetadataStorage()
      .getTargetValidationMetadatas(schema, '', true, false)
      .some((metadata) => metadata.type === ValidationTypes.NESTED_VALIDATION);
    nestedSchemas.set(schema, nested);
  }
  return nested;
};

const checks = new Map<Schema, DataCheck | undefined>();

/** The schema's compiled check (see data-check), made on first use. */
const checkOf = (schema: Schema): DataCheck | undefined => {
  if (!checks.has(schema)) checks.set(schema, compileDataCheck(schema));
  return checks.get(schema);
};

/** class-validator's own verdict on an object's data: every issue, with its path and message. */
export function schemaIssues(schema: Schema, data: object): DataIssue[] {
  const instance = hasNested(schema)
    ? plainToInstance(schema, data)
    : Object.assign(Object.create(schema.prototype as object) as object, data);
  return flatten(validateSync(instance, { whitelist: true, forbidNonWhitelisted: true }), '');
}

/**
 * Validates an event's `data` against its catalogue schema; unknown properties are refused. Data
 * that passes the schema's compiled check is valid; anything else is judged, and its issues named,
 * by class-validator.
 */
export function validateEventData(type: EventType, data: unknown): DataIssue[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return [{ path: '', constraint: 'isObject', message: 'data must be a JSON object' }];
  }
  const schema: Schema = CATALOGUE[type].schema;
  if (checkOf(schema)?.(data)) return [];
  return schemaIssues(schema, data);
}

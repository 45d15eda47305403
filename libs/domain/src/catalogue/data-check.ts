import {
  getMetadataStorage,
  type MetadataStorage,
  type ValidationArguments,
  ValidationTypes,
} from 'class-validator';
import { nestedSchemaOf, type Schema } from './describe';

type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];

/** Whether a whole object passes its schema's rules. */
export type DataCheck = (object: object) => boolean;

/** Whether one property's value passes one of its rules; `object` is the object holding it. */
type ValueCheck = (value: unknown, object: object) => boolean;

/** The rule kinds a check is compiled for; a schema using any other is left to class-validator. */
const COMPILED = new Set<string>([
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.NESTED_VALIDATION,
  ValidationTypes.CONDITIONAL_VALIDATION,
]);

const isPlainObject = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * One custom rule (`@IsString`, `@Length`, `@IsIn`, ... with or without `each`), calling the same
 * constraint class class-validator calls. Only a plain `true` passes: anything else, a promise
 * included, is left for class-validator to judge.
 */
function customCheck(schema: Schema, metadata: ValidationMetadata): ValueCheck | undefined {
  const constraints = getMetadataStorage().getTargetValidatorConstraints(metadata.constraintCls);
  if (constraints.length !== 1 || constraints[0]!.async) return undefined;
  const constraint = constraints[0]!.instance as {
    validate(value: unknown, args: ValidationArguments): unknown;
  };
  // One arguments object per rule, refilled on each call: the built-in constraints only read it.
  const args: ValidationArguments = {
    targetName: schema.name,
    property: metadata.propertyName,
    object: {},
    value: undefined,
    constraints: metadata.constraints as unknown[],
  };
  const passes = (value: unknown): boolean => constraint.validate(value, args) === true;
  return (value, object) => {
    args.object = object;
    args.value = value;
    return metadata.each && Array.isArray(value) ? value.every(passes) : passes(value);
  };
}

/** `@ValidateNested`: an absent value passes; a nested object, or each of an array of them, is checked. */
function nestedCheck(
  schema: Schema,
  property: string,
  compiled: Map<Schema, DataCheck>,
): ValueCheck | undefined {
  const nested = nestedSchemaOf(schema, property);
  const check = nested && compileDataCheck(nested, compiled);
  if (!check) return undefined;
  const passes = (element: unknown): boolean => isPlainObject(element) && check(element);
  return (value) => value === undefined || (Array.isArray(value) ? value.every(passes) : passes(value));
}

interface PropertyCheck {
  readonly name: string;
  /** `@Optional` and kin: the property's rules apply only when every condition holds. */
  readonly conditions: readonly ((object: object, value: unknown) => boolean)[];
  readonly checks: readonly ValueCheck[];
}

function propertyCheck(
  schema: Schema,
  name: string,
  metadatas: readonly ValidationMetadata[],
  compiled: Map<Schema, DataCheck>,
): PropertyCheck | undefined {
  const conditions: PropertyCheck['conditions'][number][] = [];
  const checks: ValueCheck[] = [];
  for (const metadata of metadatas) {
    if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      conditions.push(metadata.constraints[0] as PropertyCheck['conditions'][number]);
      continue;
    }
    const check =
      metadata.type === ValidationTypes.NESTED_VALIDATION
        ? nestedCheck(schema, name, compiled)
        : customCheck(schema, metadata);
    if (!check) return undefined;
    checks.push(check);
  }
  return { name, conditions, checks };
}

/**
 * Compiles a schema's class-validator rules into a plain function that answers one question:
 * does this object pass them, with unknown properties refused as `validateSync` with
 * `whitelist` and `forbidNonWhitelisted` refuses them. It reads the same rules and calls the same
 * constraints as `validateSync`, but builds no instance and no error objects, which is most of
 * what validation costs an event.
 *
 * It may say no where class-validator would say yes (an element of an unexpected kind, say), never
 * the reverse: its answer is only trusted when it passes, and anything else goes to class-validator
 * for the issues themselves. A schema with rules it does not compile (groups, async constraints, a
 * nested class it cannot find) gets no check at all.
 */
export function compileDataCheck(
  schema: Schema,
  compiled = new Map<Schema, DataCheck>(),
): DataCheck | undefined {
  const known = compiled.get(schema);
  if (known) return known;
  const storage = getMetadataStorage();
  // The same lookup validateSync makes for an instance of the schema, without groups.
  const rules = storage.getTargetValidationMetadatas(schema, undefined as unknown as string, false, false);
  if (rules.length === 0 || rules.some((rule) => !COMPILED.has(rule.type) || rule.groups?.length)) {
    return undefined;
  }
  const properties: PropertyCheck[] = [];
  const allowed = new Set<string>();
  const check: DataCheck = (object) => {
    for (const key of Object.keys(object)) if (!allowed.has(key)) return false;
    const values = object as Record<string, unknown>;
    properties: for (const { name, conditions, checks } of properties) {
      // Only own properties count: a name the data leaves out is not looked for on its prototype.
      const value = Object.hasOwn(values, name) ? values[name] : undefined;
      for (const holds of conditions) if (!holds(object, value)) continue properties;
      for (const passes of checks) if (!passes(value, object)) return false;
    }
    return true;
  };
  // Entered before its properties are compiled, so a schema nesting itself refers to its own check.
  compiled.set(schema, check);
  for (const [name, metadatas] of Object.entries(storage.groupByPropertyName(rules))) {
    const property = propertyCheck(schema, name, metadatas, compiled);
    if (!property) {
      compiled.delete(schema);
      return undefined;
    }
    properties.push(property);
    allowed.add(name);
  }
  return check;
}

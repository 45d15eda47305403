import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, ValidationTypes, type MetadataStorage } from 'class-validator';

type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];
export type Schema = abstract new () => object;

export interface FieldConstraint {
  /** The class-validator constraint name, e.g. `isLength`, `isIn`, `arrayMaxSize`. */
  readonly name: string;
  readonly args: readonly unknown[];
  /** True when the constraint applies to each element of an array. */
  readonly each: boolean;
}

/** One property of an event's `data`, read from its class-validator metadata. */
export interface FieldDescription {
  readonly name: string;
  readonly optional: boolean;
  readonly array: boolean;
  readonly constraints: readonly FieldConstraint[];
  /** The fields of a nested object, or of each element of an array of objects. */
  readonly nested?: readonly FieldDescription[];
}

const parentOf = (schema: Schema): Schema | undefined => {
  const parent: unknown = Object.getPrototypeOf(schema);
  return typeof parent === 'function' && parent !== Function.prototype ? (parent as Schema) : undefined;
};

/** Base classes first, so inherited fields (shared appointment fields, say) are listed before added ones. */
const lineage = (schema: Schema): Schema[] => {
  const parent = parentOf(schema);
  return parent ? [...lineage(parent), schema] : [schema];
};

/**
 * class-validator does not record which class a nested property holds; class-transformer does, and
 * transforming a probe value is the public way to ask it.
 */
export const nestedSchemaOf = (schema: Schema, property: string): Schema | undefined => {
  const probe = plainToInstance(schema as new () => object, { [property]: [{}] }) as Record<string, unknown>;
  const value = probe[property];
  const element: unknown = Array.isArray(value) ? value[0] : value;
  if (typeof element !== 'object' || element === null || element.constructor === Object) return undefined;
  return element.constructor as Schema;
};

const ownMetadata = (schema: Schema): ValidationMetadata[] =>
  getMetadataStorage()
    .getTargetValidationMetadatas(schema as new () => object, '', false, false)
    .filter((metadata) => metadata.target === schema);

/** The fields of a catalogue schema in declaration order, with their constraints and nesting. */
export function describeSchema(schema: Schema): FieldDescription[] {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const cls of lineage(schema)) {
    // Decorators register bottom-up, so each property's list is reversed back to reading order.
    for (const metadata of ownMetadata(cls)) {
      byProperty.set(metadata.propertyName, [metadata, ...(byProperty.get(metadata.propertyName) ?? [])]);
    }
  }
  return [...byProperty.entries()].map(([name, metadatas]) => {
    const optional = metadatas.some((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION);
    const isNested = metadatas.some((m) => m.type === ValidationTypes.NESTED_VALIDATION);
    const constraints = metadatas
      .filter((m) => m.type === ValidationTypes.CUSTOM_VALIDATION && m.name !== undefined)
      .map((m) => ({ name: m.name ?? '', args: m.constraints ?? [], each: m.each === true }));
    const array = constraints.some((c) => c.name === 'isArray');
    const nestedSchema = isNested ? nestedSchemaOf(schema, name) : undefined;
    return {
      name,
      optional,
      array,
      constraints,
      ...(nestedSchema ? { nested: describeSchema(nestedSchema) } : {}),
    };
  });
}

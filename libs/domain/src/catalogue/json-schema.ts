import { ENVELOPE_RULES } from '../envelope';
import { IDENTIFIER_SCHEMES, identifierValuePattern, SUBJECT_REFERENCE_PATTERN } from '../identifiers';
import { CALENDAR_DATE_PATTERN, INSTANT_PATTERN } from '../instants';
import { describeSchema, type FieldConstraint, type FieldDescription } from './describe';
import { CATALOGUE, EVENT_TYPES, type EventType } from './index';

export type JsonSchema = { readonly [keyword: string]: unknown };

const DATE = { format: 'date', pattern: CALENDAR_DATE_PATTERN.source } as const;
const INSTANT = { format: 'date-time', pattern: INSTANT_PATTERN.source } as const;

/** An extension's name: the attribute name rule, less the core attributes, which have rules of their own. */
const EXTENSION_NAME = `^(?!(?:${ENVELOPE_RULES.coreAttributes.join('|')})$)${ENVELOPE_RULES.extensionNamePattern.source.slice(1)}`;

const schemaId = (type: EventType): string => `urn:throughline:schema:${type}`;

const arg = (constraint: FieldConstraint, index = 0): unknown => constraint.args[index];

/** What one constraint says about a single value, as JSON Schema keywords. */
const valueKeywords = (constraint: FieldConstraint): Record<string, unknown> => {
  switch (constraint.name) {
    case 'isString':
      return { type: 'string' };
    case 'isBoolean':
      return { type: 'boolean' };
    case 'isInt':
      return { type: 'integer' };
    case 'isNumber':
      return { type: 'number' };
    case 'isObject':
      return { type: 'object' };
    // A correction's target type is known only on ingestion: here, the data of any type a correction may target.
    case 'isEventData':
      return {
        type: 'object',
        anyOf: EVENT_TYPES.filter((type) => CATALOGUE[type].category !== 'of-target').map((type) => ({
          $ref: `${schemaId(type)}#/properties/data`,
        })),
      };
    case 'isLength':
      return { type: 'string', minLength: arg(constraint, 0), maxLength: arg(constraint, 1) };
    case 'min':
      return { minimum: arg(constraint) };
    case 'max':
      return { maximum: arg(constraint) };
    case 'matches':
      return { type: 'string', pattern: (arg(constraint) as RegExp).source };
    case 'isIn': {
      const values = arg(constraint) as readonly unknown[];
      const numeric = values.every((value) => typeof value === 'number');
      return { type: numeric ? 'integer' : 'string', enum: [...values] };
    }
    // The format names the kind; the pattern narrows it to exactly the forms and years the server takes.
    case 'isCalendarDate':
      return { type: 'string', ...DATE };
    case 'isInstant':
      return { type: 'string', ...INSTANT };
    case 'isDateOrInstant':
      return { type: 'string', anyOf: [DATE, INSTANT] };
    default:
      return {};
  }
};

/** What one constraint says about an array as a whole. */
const arrayKeywords = (constraint: FieldConstraint): Record<string, unknown> => {
  switch (constraint.name) {
    case 'arrayMinSize':
      return { minItems: arg(constraint) };
    case 'arrayMaxSize':
      return { maxItems: arg(constraint) };
    case 'arrayUnique':
      return { uniqueItems: true };
    default:
      return {};
  }
};

/**
 * An identifier's value depends on the scheme beside it: one closed alternative per scheme, its
 * scheme fixed and its value held to the scheme's form (the check character is beyond a pattern).
 */
const identifierAlternatives = (fields: readonly FieldDescription[]): Record<string, unknown> => {
  const value = fields.find((field) =>
    field.constraints.some((constraint) => constraint.name === 'isIdentifierValue'),
  );
  const scheme = value?.constraints.find((constraint) => constraint.name === 'isIdentifierValue')?.args[0];
  if (!value || typeof scheme !== 'string') return {};
  // The other fields are held to their own schemas by the object's properties.
  const others = fields.filter((field) => field !== value && field.name !== scheme);
  return {
    anyOf: IDENTIFIER_SCHEMES.map((name) => ({
      additionalProperties: false,
      properties: {
        [scheme]: { const: name },
        [value.name]: { pattern: identifierValuePattern(name) },
        ...Object.fromEntries(others.map((field) => [field.name, true])),
      },
    })),
  };
};

const objectSchema = (fields: readonly FieldDescription[]): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  required: fields.filter((field) => !field.optional).map((field) => field.name),
  properties: Object.fromEntries(fields.map((field) => [field.name, fieldSchema(field)])),
  ...identifierAlternatives(fields),
});

function fieldSchema(field: FieldDescription): JsonSchema {
  const value: Record<string, unknown> = {};
  for (const constraint of field.constraints) {
    if (constraint.each || !field.array) Object.assign(value, valueKeywords(constraint));
  }
  if (field.nested) Object.assign(value, objectSchema(field.nested));
  if (!field.array) return value;
  const whole: Record<string, unknown> = { type: 'array', items: value };
  for (const constraint of field.constraints)
    if (!constraint.each) Object.assign(whole, arrayKeywords(constraint));
  return whole;
}

/** JSON Schema (2020-12) of `data` for one type, derived from the same metadata the server validates with. */
export const eventDataJsonSchema = (type: EventType): JsonSchema =>
  objectSchema(describeSchema(CATALOGUE[type].schema));

/** JSON Schema of a whole CloudEvent of one type, for integrators to validate before publishing. */
export const eventJsonSchema = (type: EventType): JsonSchema => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: schemaId(type),
  title: type,
  description: CATALOGUE[type].summary,
  type: 'object',
  required: ['specversion', 'id', 'source', 'type', 'subject', 'time', 'data'],
  properties: {
    specversion: { const: '1.0' },
    id: { type: 'string', minLength: 1, maxLength: ENVELOPE_RULES.idMaxLength },
    source: {
      type: 'string',
      maxLength: ENVELOPE_RULES.sourceMaxLength,
      pattern: ENVELOPE_RULES.uriPattern.source,
    },
    type: { const: type },
    subject: {
      type: 'string',
      maxLength: ENVELOPE_RULES.subjectMaxLength,
      pattern: SUBJECT_REFERENCE_PATTERN.source,
    },
    time: { type: 'string', ...INSTANT },
    datacontenttype: { type: 'string', pattern: ENVELOPE_RULES.dataContentTypePattern.source },
    dataschema: { type: 'string', pattern: ENVELOPE_RULES.uriPattern.source },
    data: eventDataJsonSchema(type),
  },
  // CloudEvents extension attributes, of the types a JSON event carries; nothing else.
  patternProperties: { [EXTENSION_NAME]: { type: ['string', 'integer', 'boolean'] } },
  additionalProperties: false,
});

/** Every type's CloudEvent schema, keyed by the file name it is published under in docs/schemas. */
export const renderJsonSchemas = (): Record<string, JsonSchema> =>
  Object.fromEntries(EVENT_TYPES.map((type) => [`${type}.json`, eventJsonSchema(type)]));

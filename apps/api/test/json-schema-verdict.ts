import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

const SCHEMAS = join(__dirname, '../../../docs/schemas');
const ajv = new Ajv2020({ allErrors: false, strict: false });
addFormats(ajv);
const compiled = new Map<string, ValidateFunction>();

/**
 * What the published JSON Schema of a type (docs/schemas, as integrators get it) says of a whole
 * CloudEvent: undefined when it accepts it, else the first complaint.
 */
export function schemaVerdict(type: string, event: unknown): string | undefined {
  let validate = compiled.get(type);
  if (!validate) {
    validate = ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, `${type}.json`), 'utf8')) as object);
    compiled.set(type, validate);
  }
  if (validate(event)) return undefined;
  const [first] = validate.errors ?? [];
  return first ? `${first.instancePath || '/'} ${first.message ?? 'refused'}` : 'refused';
}

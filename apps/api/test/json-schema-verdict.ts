import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

const SCHEMAS = join(__dirname, '../../../docs/schemas');
const ajv = new Ajv2020({ allErrors: false, strictTypes: false });
addFormats(ajv);
// All of them: a correction's replacement refers to the other types' schemas.
for (const file of readdirSync(SCHEMAS))
  ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')) as object);

/**
 * What the published JSON Schema of a type (docs/schemas, as integrators get it) says of a whole
 * CloudEvent: undefined when it accepts it, else the first complaint.
 */
export function schemaVerdict(type: string, event: unknown): string | undefined {
  const validate = ajv.getSchema(`urn:throughline:schema:${type}`);
  if (!validate) return `no published schema for ${type}`;
  if (validate(event)) return undefined;
  const [first] = validate.errors ?? [];
  return first ? `${first.instancePath || '/'} ${first.message ?? 'refused'}` : 'refused';
}

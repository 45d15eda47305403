import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { validateEventData } from './validate';
import { CATALOGUE_EXAMPLES, EVENT_TYPES } from './index';
import { eventDataJsonSchema, renderJsonSchemas } from './json-schema';
import { renderEventsMarkdown } from './render-docs';

const DOCS = join(__dirname, '..', '..', '..', '..', 'docs');
const EVENTS_MD = join(DOCS, 'events.md');
const SCHEMAS = join(DOCS, 'schemas');

// Regenerating is opt-in so an ordinary test run never rewrites committed docs. Schemas are written
// in the repository's Prettier style so the format check passes; they are compared as JSON.
if (process.env.UPDATE_DOCS === '1') {
  writeFileSync(EVENTS_MD, renderEventsMarkdown());
  mkdirSync(SCHEMAS, { recursive: true });
  for (const [name, schema] of Object.entries(renderJsonSchemas())) {
    writeFileSync(join(SCHEMAS, name), JSON.stringify(schema));
  }
  execFileSync('npx', ['prettier', '--log-level', 'warn', '--write', SCHEMAS], { stdio: 'inherit' });
}

describe('docs/events.md', () => {
  const markdown = renderEventsMarkdown();

  it('is up to date with the catalogue (regenerate with UPDATE_DOCS=1)', () => {
    expect(existsSync(EVENTS_MD)).toBe(true);
    expect(readFileSync(EVENTS_MD, 'utf8')).toBe(markdown);
  });

  it('has a section for every type', () => {
    for (const type of EVENT_TYPES) expect(markdown).toContain(`### ${type}\n`);
  });

  it('lists nested fields with their path and whether they are required', () => {
    expect(markdown).toContain(
      '| `identifiers[].scheme` | yes | one of `pnc`, `nomis`, `crn`, `nhs`, `local` |',
    );
    expect(markdown).toContain('| `factors.multiplier` | yes | number, 0-5 |');
    expect(markdown).toContain('| `gender` | no |');
  });

  it('lists inherited fields before added ones', () => {
    const section = markdown.slice(markdown.indexOf('### iom.appointment.missed.v1'));
    expect(section.indexOf('| `appointmentId` |')).toBeLessThan(section.indexOf('| `acceptable` |'));
  });
});

describe('docs/schemas', () => {
  it('holds exactly one up-to-date schema per type', () => {
    const rendered = renderJsonSchemas();
    expect(readdirSync(SCHEMAS).sort()).toEqual(Object.keys(rendered).sort());
    for (const [name, schema] of Object.entries(rendered)) {
      expect(JSON.parse(readFileSync(join(SCHEMAS, name), 'utf8'))).toEqual(schema);
    }
  });

  it('describes data as the server validates it', () => {
    expect(eventDataJsonSchema('iom.cohort.scored.v1')).toMatchObject({
      additionalProperties: false,
      required: ['score', 'band', 'factors'],
      properties: {
        score: { type: 'integer', minimum: 0, maximum: 64 },
        band: { enum: ['red', 'amber', 'green'] },
        factors: { type: 'object', additionalProperties: false },
      },
    });
    expect(eventDataJsonSchema('iom.subject.registered.v1')).toMatchObject({
      properties: { identifiers: { type: 'array', maxItems: 20, items: { required: ['scheme', 'value'] } } },
    });
  });

  it('requires exactly the fields the server requires, for every example', () => {
    for (const type of EVENT_TYPES) {
      const required = eventDataJsonSchema(type).required as string[];
      const example: Record<string, unknown> = { ...CATALOGUE_EXAMPLES[type] };
      for (const field of required) {
        const { [field]: _dropped, ...rest } = example;
        expect(validateEventData(type, rest).map((issue) => issue.path)).toContain(field);
      }
    }
  });
});

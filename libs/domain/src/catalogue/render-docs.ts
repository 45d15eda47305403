import { SPECIAL_CATEGORIES } from '../categories';
import {
  DEFAULT_ISSUING_AGENCIES,
  IDENTIFIER_SCHEMES,
  identifierCanonicalForm,
  identifierRule,
  isIssuedScheme,
} from '../identifiers';
import { FIRST_YEAR, LAST_YEAR } from '../instants';
import { EVENT_LIMITS } from './bounds';
import { AGENCY_ID_PATTERN, LOCAL_ID_PATTERN } from './common';
import { describeSchema, type FieldConstraint, type FieldDescription } from './describe';
import { CATALOGUE_EXAMPLES } from './examples';
import { CATALOGUE, EVENT_TYPES, type EventType } from './index';
import type { Publishers } from './spec';

const code = (value: unknown): string => `\`${String(value)}\``;
const cell = (text: string): string => text.replace(/\|/g, '\\|');

const find = (constraints: readonly FieldConstraint[], name: string): FieldConstraint | undefined =>
  constraints.find((constraint) => constraint.name === name);
const firstArg = (constraint: FieldConstraint | undefined): unknown => constraint?.args[0];
const asNumber = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

const range = (lowArg: unknown, highArg: unknown, unit: string): string | undefined => {
  const [low, high] = [asNumber(lowArg), asNumber(highArg)];
  if (low !== undefined && high !== undefined) return `${low}-${high}${unit}`;
  if (low !== undefined) return `at least ${low}${unit}`;
  if (high !== undefined) return `at most ${high}${unit}`;
  return undefined;
};

const PATTERN_NAMES: Record<string, string> = {
  [AGENCY_ID_PATTERN.source]: 'agency id',
  [LOCAL_ID_PATTERN.source]: 'id chosen by the publishing system',
};

const patternRule = (source: string): string => {
  const name = PATTERN_NAMES[source];
  return name ? `${name}, matching ${code(source)}` : `string matching ${code(source)}`;
};

/** A reader's phrase for what one value must be. */
function valueRule(constraints: readonly FieldConstraint[], nested: boolean): string {
  const isIn = find(constraints, 'isIn');
  const matches = find(constraints, 'matches');
  const kind = isIn
    ? `one of ${(firstArg(isIn) as readonly unknown[]).map(code).join(', ')}`
    : find(constraints, 'isCalendarDate')
      ? 'date, `YYYY-MM-DD`'
      : find(constraints, 'isInstant')
        ? 'instant, `YYYY-MM-DDTHH:MM:SS[.fff]Z` or with an offset `±HH:MM`'
        : find(constraints, 'isDateOrInstant')
          ? 'date `YYYY-MM-DD` or instant `YYYY-MM-DDTHH:MM:SS[.fff]Z` (or `±HH:MM`)'
          : matches
            ? patternRule((firstArg(matches) as RegExp).source)
            : find(constraints, 'isIdentifierValue')
              ? `identifier of the scheme given in ${code(firstArg(find(constraints, 'isIdentifierValue')))} (see [Identifiers](#identifiers))`
              : find(constraints, 'isInt')
                ? 'integer'
                : find(constraints, 'isNumber')
                  ? 'number'
                  : find(constraints, 'isBoolean')
                    ? 'boolean'
                    : nested
                      ? 'object (fields below)'
                      : find(constraints, 'isEventData')
                        ? "object: the target type's `data`, whole, by that type's rules"
                        : find(constraints, 'isObject')
                          ? 'any JSON object'
                          : 'string';
  const length = find(constraints, 'isLength');
  const extra = [
    length ? range(length.args[0], length.args[1], ' characters') : undefined,
    range(firstArg(find(constraints, 'min')), firstArg(find(constraints, 'max')), ''),
  ].filter((part): part is string => part !== undefined);
  return [kind, ...extra].join(', ');
}

function fieldRule(field: FieldDescription): string {
  if (!field.array) return valueRule(field.constraints, field.nested !== undefined);
  const whole = field.constraints.filter((constraint) => !constraint.each);
  const items = range(firstArg(find(whole, 'arrayMinSize')), firstArg(find(whole, 'arrayMaxSize')), ' items');
  const unique = find(whole, 'arrayUnique') ? 'no duplicates' : undefined;
  const element = valueRule(
    field.constraints.filter((constraint) => constraint.each),
    field.nested !== undefined,
  );
  const shape = ['array', items, unique].filter((part) => part !== undefined).join(', ');
  return `${shape}; each: ${element}`;
}

const fieldRows = (fields: readonly FieldDescription[], prefix: string): string[] =>
  fields.flatMap((field) => {
    const path = `${prefix}${field.name}`;
    const row = `| ${code(path)} | ${field.optional ? 'no' : 'yes'} | ${cell(fieldRule(field))} |`;
    const nestedPrefix = `${path}${field.array ? '[]' : ''}.`;
    return [row, ...fieldRows(field.nested ?? [], nestedPrefix)];
  });

const publishersText = (publishers: Publishers): string =>
  publishers === 'any' ? 'any partner' : publishers.map(code).join(', ');

const categoryText = (type: EventType): string => {
  const category = CATALOGUE[type].category;
  if (category === 'of-target') return 'the category of the target event';
  return SPECIAL_CATEGORIES.includes(category) ? `${code(category)} (special category)` : code(category);
};

const anchor = (type: EventType): string => type.replace(/\./g, '');

function typeSection(type: EventType): string {
  const spec = CATALOGUE[type];
  const publishers = spec.recordedByPlatform
    ? 'the platform only, recording what a person decided through the API or the pages; agency systems may not publish it'
    : spec.category === 'of-target'
      ? 'the agency that published the target event'
      : publishersText(spec.publishers);
  return [
    `### ${type}`,
    '',
    spec.summary,
    '',
    `Category: ${categoryText(type)}. Published by: ${publishers}.`,
    ...(spec.registersSubject
      ? ['', 'May name a subject the platform does not know yet: it registers them.']
      : []),
    '',
    '| field | required | rule |',
    '|---|---|---|',
    ...fieldRows(describeSchema(spec.schema), ''),
    '',
    'Example `data`:',
    '',
    '```json',
    JSON.stringify(CATALOGUE_EXAMPLES[type], null, 2),
    '```',
    '',
  ].join('\n');
}

const EXAMPLE_EVENT = {
  specversion: '1.0',
  id: '3f0c6f7e-2d4b-4c1a-9f43-8a5e1b7d2c90',
  source: 'urn:throughline:police:custody',
  type: 'iom.arrest.recorded.v1',
  subject: 'pnc:2009/0123456C',
  time: '2024-03-02T01:52:10Z',
  datacontenttype: 'application/json',
  data: CATALOGUE_EXAMPLES['iom.arrest.recorded.v1'],
};

const INTRO = `# Throughline event catalogue (v1)

For agency systems that publish to Throughline. Every fact a partner records about a person is one
immutable event; the platform stores it, resolves the person, and shares it only as the sharing
agreement, consent and safeguarding allow.

This file is generated from the catalogue source (\`libs/domain/src/catalogue\`); do not edit it by
hand. Regenerate with \`UPDATE_DOCS=1 npx jest --selectProjects unit libs/domain/src/catalogue/render-docs.spec.ts\`.
JSON Schemas for each type are in [\`schemas/\`](schemas/), one file per type.

## The envelope

Events are [CloudEvents 1.0](https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md) in
JSON. Send one with \`POST /v1/events\` in structured mode (\`application/cloudevents+json\`, the
whole event as the body) or in binary mode (the attributes as \`ce-\` headers, \`ce-specversion\`,
\`ce-id\`, \`ce-source\`, \`ce-type\`, \`ce-subject\`, \`ce-time\`, and the data as the body with
\`Content-Type: application/json\`, which is the default of the official \`cloudevents\` SDKs'
emitters), or up to 1000 as \`application/cloudevents-batch+json\`, or put them on the Kafka topic
\`throughline.ingest.<agency>\` (key = subject; structured or binary mode). Every mode is held to the
same rules below: a header's value is read as sent (percent-decoded), never reinterpreted, so a
\`ce-time\` naming a day that does not exist is refused as it would be in a body.

| attribute | required | meaning |
|---|---|---|
| \`specversion\` | yes | always \`"1.0"\` |
| \`id\` | yes | unique within your \`source\`; reuse it when you retry |
| \`source\` | yes | a URI owned by your system, e.g. \`urn:throughline:police:custody\`; it must be bound to your credential |
| \`type\` | yes | one of the types below |
| \`subject\` | yes | the person: a partnership id (UUID) or an identifier \`scheme:value\` (see [Identifiers](#identifiers)), scheme one of ${IDENTIFIER_SCHEMES.map(code).join(', ')} |
| \`time\` | yes | when it happened: an instant (see [Dates and instants](#dates-and-instants)), e.g. \`2024-03-02T01:52:10Z\` |
| \`datacontenttype\` | no | \`application/json\` (the default) |
| \`data\` | yes | the type's fields, as below |

\`\`\`json
${JSON.stringify(EXAMPLE_EVENT, null, 2)}
\`\`\`

- **Who published it** comes from your credential, never from the body. Each type lists the agencies
  that may publish it; anything else is refused.
- **Idempotency.** The pair (\`source\`, \`id\`) identifies an event. Sending it again returns the
  original result marked \`duplicate: true\` and stores nothing, so retry freely.
- **Subjects.** An identifier must already be registered (\`iom.subject.registered.v1\`) or linked
  (\`iom.subject.identifier-linked.v1\`); an unknown one is an error, except on registration.
  Only the agency that issues a scheme may register a person under one of its identifiers or link
  one (see [Identifiers](#identifiers)); any partner names a person by any identifier linked to them.
- **Validation.** A batch is checked whole before anything is stored. A bad event is refused with
  its index, the field path (dotted, e.g. \`data.identifiers.0.scheme\`) and the constraint broken.
  Unknown fields are refused, not ignored, whatever their name and at any depth. Free text is
  bounded, and so is each event as a whole (see [Limits](#limits)).
- **No nulls.** \`null\` is not a value for any field. Leave an optional field out instead; a
  field sent as \`null\` is refused like any other wrong value.
- **Corrections.** Events are never changed or deleted. To fix one, send
  \`iom.record.corrected.v1\` naming its \`id\` with the replacement \`data\`; to withdraw it from
  every view and destroy its data (and its corrections'), \`iom.record.redacted.v1\`. Only the
  agency that published the target may do either.
  To erase what your agency recorded about a person for good (all of it, or some categories),
  send \`iom.record.erased.v1\`: its keys are destroyed and the data cannot be read again.
  The replacement is checked as the target type's \`data\`, with the same rules as the original;
  its issues are named under \`data.replacement\`, e.g. \`data.replacement.offenceGroup\`.

## Identifiers

An identifier is \`scheme:value\`, as an event's \`subject\` or as \`{ "scheme", "value" }\` in
\`data\`. Each value is checked by its scheme's rule and kept in one canonical form, so every form
a practitioner types of one identifier names the same person: \`pnc:09/123456c\` and
\`pnc:2009/0123456C\` are one PNC id. White space around a value is ignored. A value that breaks
its scheme's rule is refused with the constraint \`isIdentifierValue\` (in \`data\`) or
\`subjectReference\` (the \`subject\`), naming the rule; a check character that does not match is
refused the same way. The JSON Schemas check each value's form, but not its check character.

| scheme | issued by (default) | a value is | kept as |
|---|---|---|---|
${IDENTIFIER_SCHEMES.map(
  (scheme) =>
    `| ${code(scheme)} | ${isIssuedScheme(scheme) ? code(DEFAULT_ISSUING_AGENCIES[scheme]) : 'the agency that sends it'} | ${cell(identifierRule(scheme))} | ${cell(identifierCanonicalForm(scheme))} |`,
).join('\n')}

**Who may claim an identifier.** Each scheme but \`local\` is issued by one agency, named in the
sharing agreement (\`identifiers\`, with the defaults above). Only that agency may register a
person under one of its identifiers (as the registration's \`subject\` or in its \`identifiers\`)
or link one with \`iom.subject.identifier-linked.v1\`; anyone else is refused with 403 and the
constraint \`identifierIssuer\`. Naming a person by another agency's identifier, in the
\`subject\` of any event (a link included), is no claim and is always allowed once the identifier
is known. A \`local\` identifier belongs to the agency that sends it: \`local:HSG-000123\` from
\`housing\` is kept as \`local:housing/HSG-000123\`, and names a person only for \`housing\`.

**Repairing identity.** Three events put right what a registration or link got wrong; each needs a
\`reason\` (10-1000 characters) and is kept in the log like any other event.

- \`iom.subject.identifier-unlinked.v1\` takes an identifier from the subject it was linked to by
  mistake. Only the scheme's issuer may send it (403 \`identifierIssuer\`), and only for an
  identifier linked to that subject (409 \`linkedIdentifier\`). From then on the identifier names
  nobody, and its issuer may link it to the right person.
- \`iom.subject.merged.v1\`, sent about the record that survives, names the partnership id of
  another record of the same person (\`mergedSubjectId\`). Both ids and every identifier of either
  record then read as one person, under the surviving id: the views, the timeline, the lists, the
  subject access export and the disclosure register hold both records' events. Events naming the
  merged record keep being accepted, kept with that record, and read with the person. A record
  merges into one other at a time, never into itself, and neither record may already be merged
  into another, nor the merged one hold records of its own (409 \`standsAlone\`; 422
  \`otherRecord\` or \`knownSubject\`).
- \`iom.subject.unmerged.v1\`, sent about the surviving record, parts a record merged into it by
  mistake (409 \`mergedRecord\` for one that is not): each record stands alone again, with the
  events it always held.

Merges are published by the agencies that lead IOM (\`police\`, \`probation\`); an unlink by the
identifier's issuer.

## Dates and instants

Every date and time, in the envelope and in \`data\`, is written in one of two forms of
[RFC 3339](https://www.rfc-editor.org/rfc/rfc3339) (the extended forms of ISO 8601), and names a
day that exists, in the years ${FIRST_YEAR} to ${LAST_YEAR}:

| form | written | examples |
|---|---|---|
| date | \`YYYY-MM-DD\` | \`2024-06-30\`, \`2024-02-29\` |
| instant | \`YYYY-MM-DDTHH:MM:SS\`, optionally a fraction of up to nine digits, then \`Z\` or an offset \`±HH:MM\` | \`2024-03-02T01:52:10Z\`, \`2024-03-02T01:52:10.250+01:00\` |

Each field says which form it takes. Nothing else is read as a date or time: not the basic form
(\`20240630\`), week (\`2024-W26-7\`) or ordinal (\`2024-182\`) dates, days that do not exist
(\`2024-02-30\`), hour 24 or leap seconds, a lower-case \`t\` or \`z\`, a space for the \`T\`, an
instant without seconds or without a zone, or surrounding spaces. The JSON Schemas carry the
same rule as a \`format\` and a \`pattern\`.

A few fields take either form: the \`expires\` of a consent, a safeguarding concern and a tasking
release, and the \`from\` of a tasking release.

**A date-only \`expires\` lasts to the end of that day in the partnership's time zone**: the
agreement's \`timeZone\`, Europe/London unless it names another. \`"expires": "2026-12-06"\`
grants through the whole of 6 December in London and ends at the first instant of 7 December
there: \`2026-12-07T00:00:00Z\` in winter (GMT), and in summer an hour earlier in UTC (BST:
\`"2026-07-06"\` ends at \`2026-07-06T23:00:00Z\`). Every date-only end in the catalogue is read this
one way, by the sharing rules and the tasking board alike. To end at another moment send an
instant, such as \`"2026-12-06T17:00:00Z"\` or with your offset: an instant ends exactly then.

A date-only \`from\` starts at its first instant in UTC: \`"from": "2024-01-01"\` covers events from
\`2024-01-01T00:00:00Z\` on. (\`expiresAt\` of a break-glass claim is always an instant.)

## Limits

One event, envelope and \`data\` together, may nest objects and arrays at most
${EVENT_LIMITS.maxDepth} deep (the event itself is the first level), hold at most
${EVENT_LIMITS.maxValues.toLocaleString('en-GB')} values of any kind, and carry at most
${EVENT_LIMITS.maxCharacters.toLocaleString('en-GB')} characters of text (strings and property names
together). These are far above what any type below allows, so only a malformed event meets them;
it is refused with the constraint \`maxDepth\` or \`maxSize\` before anything else is checked.

## Data categories

Every type belongs to one data category; the sharing agreement decides per recipient and category
who sees what. Special category data (${SPECIAL_CATEGORIES.map(code).join(', ')}) is shared only with
the person's consent, under an open safeguarding concern, or where a statute requires it. Your own
agency always sees what it published.
`;

const summaryTable = (): string =>
  [
    '| type | category | published by |',
    '|---|---|---|',
    ...EVENT_TYPES.map((type) => {
      const spec = CATALOGUE[type];
      const category = spec.category === 'of-target' ? 'of the target' : code(spec.category);
      const publishers = spec.recordedByPlatform
        ? 'the platform'
        : spec.category === 'of-target'
          ? "the target's publisher"
          : publishersText(spec.publishers);
      return `| [${code(type)}](#${anchor(type)}) | ${category} | ${publishers} |`;
    }),
    '',
  ].join('\n');

/** The integrators' guide to the catalogue, written to docs/events.md. */
export function renderEventsMarkdown(): string {
  return [INTRO, summaryTable(), '## Types', '', ...EVENT_TYPES.map(typeSection)].join('\n').trimEnd() + '\n';
}

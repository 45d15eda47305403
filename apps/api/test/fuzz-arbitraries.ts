import fc from 'fast-check';
import { PURPOSES_OF_USE, ROLES } from '@throughline/domain';

/**
 * What a hostile or careless integrator sends, as fast-check arbitraries. Values that JSON text
 * can hold but a JavaScript object cannot build directly (an own `__proto__` key, nesting deeper
 * than the serialiser's stack) are spliced into the text by `serialise`.
 */

/** Date and instant forms that are not the extended ISO 8601 / RFC 3339 forms, or not real days. */
const BAD_DATES = [
  '20990101',
  '2026-W01-1',
  '2024-001',
  '2026-02-30',
  '2025-13-01',
  '2025-00-10',
  '0000-01-01',
  '2024-01-01T24:00:00Z',
  '2025-06-01T10:00:60Z',
  '2025-06-01T10:60:00Z',
  '9999-12-31T23:59:59Z',
  '2025-06-01 ',
  ' 2025-06-01',
  '2025-06-01T10:00:00',
  '2025-06-01T10:00:00+25:00',
  '+002025-06-01',
  '2025-06-01T10:00:00.123456789012345Z',
  '2025-06-01t10:00:00z',
  'Sun, 01 Jun 2025 10:00:00 GMT',
  '1748772000000',
];

const AWKWARD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\u202e',
  '<script>alert(1)</script>',
  '=HYPERLINK("http://x")',
  '../../etc/passwd',
  'pnc:2020/0012890x',
  'pnc:hello-world',
  'nhs:banana',
  'constructor',
  '__proto__',
  'x'.repeat(10_000),
  '€'.repeat(3_000),
];

/** Property names that collide with what every object inherits, and other awkward keys. */
export const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'valueOf',
  'toString',
  '__defineGetter__',
  '__lookupGetter__',
  'isPrototypeOf',
  '$gt',
  '$where',
  '',
  ' ',
  'k'.repeat(300),
  'data',
  'type',
  '0',
];

/** A value to put somewhere in an event. */
export type Nasty =
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'deep'; readonly depth: number; readonly arrays: boolean }
  | { readonly kind: 'own-proto'; readonly value: unknown };

const jsonish = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...BAD_DATES) },
  fc.constantFrom(...AWKWARD_STRINGS),
  fc.constantFrom<unknown>(null, true, false, 0, -0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 4.2e-320),
  fc.constantFrom<unknown>(
    { $gt: '' },
    { constructor: null },
    { constructor: { prototype: {} } },
    [],
    {},
    [[]],
    [null],
  ),
  fc.constant(Array.from({ length: 5_000 }, (_, i) => i)),
  fc.constant(Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`f${i}`, 'x'.repeat(8)]))),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
);

export const nastyArbitrary: fc.Arbitrary<Nasty> = fc.oneof(
  { weight: 6, arbitrary: jsonish.map((value) => ({ kind: 'json' as const, value })) },
  {
    weight: 1,
    arbitrary: fc
      .record({ depth: fc.constantFrom(33, 100, 3_000, 20_000), arrays: fc.boolean() })
      .map((deep) => ({ kind: 'deep' as const, ...deep })),
  },
  { weight: 1, arbitrary: jsonish.map((value) => ({ kind: 'own-proto' as const, value })) },
);

/**
 * A change to an event: `picks` choose a path from the envelope down (each pick indexes the keys
 * found at that level), then the value there is replaced, removed, or given a new property.
 */
export interface Mutation {
  readonly kind: 'set' | 'delete' | 'add';
  readonly picks: readonly number[];
  readonly key: string;
  readonly nasty: Nasty;
  /** The path the picks chose, filled in when applied (for the failure message). */
  path: (string | number)[];
}

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc
  .record({
    kind: fc.constantFrom('set' as const, 'delete' as const, 'add' as const),
    // Half the time the path starts in `data` (the last envelope key), where most rules live.
    picks: fc.oneof(
      fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 3 }).map((rest) => [7, ...rest]),
    ),
    key: fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 12 })),
    nasty: nastyArbitrary,
  })
  .map((mutation) => ({ ...mutation, path: [] }));

type Container = Record<string, unknown> | unknown[];
const isContainer = (value: unknown): value is Container => typeof value === 'object' && value !== null;

/**
 * Applies the mutations and writes the event as JSON text. Deep values and own `__proto__` keys
 * are written as placeholders and spliced into the text, as a hostile client would send them.
 */
export function serialise(event: Record<string, unknown>, mutations: readonly Mutation[]): string {
  const splices = new Map<string, string>();
  const placeholder = (nasty: Nasty): unknown => {
    if (nasty.kind === 'json') return structuredClone(nasty.value);
    const marker = `__fuzz_splice_${splices.size}__`;
    if (nasty.kind === 'deep') {
      const open = nasty.arrays ? '[' : '{"a":';
      const close = nasty.arrays ? ']' : '}';
      splices.set(marker, `${open.repeat(nasty.depth)}1${close.repeat(nasty.depth)}`);
    } else {
      splices.set(marker, `{"__proto__":${JSON.stringify(nasty.value) ?? 'null'},"a":1}`);
    }
    return marker;
  };
  for (const mutation of mutations) {
    let parent: Container = event;
    let key: string | number = 'data';
    mutation.path = [];
    for (const pick of mutation.picks) {
      const keys: (string | number)[] = Array.isArray(parent)
        ? parent.map((_, index) => index)
        : Object.keys(parent);
      if (keys.length === 0) break;
      key = keys[pick % keys.length]!;
      mutation.path.push(key);
      const next: unknown = (parent as Record<string | number, unknown>)[key];
      if (!isContainer(next)) break;
      if (mutation.picks.length === mutation.path.length) break;
      parent = next;
    }
    const target = parent as Record<string | number, unknown>;
    if (mutation.kind === 'delete') {
      if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
      else delete target[key];
    } else if (mutation.kind === 'set') {
      target[key] = placeholder(mutation.nasty);
    } else {
      const holder = isContainer(target[key]) && !Array.isArray(target[key]) ? target[key] : target;
      Object.defineProperty(holder, mutation.key, {
        value: placeholder(mutation.nasty),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      mutation.path.push(mutation.key);
    }
  }
  let text = JSON.stringify(event);
  for (const [marker, value] of splices) text = text.split(`"${marker}"`).join(value);
  return text;
}

/** Bodies that are not what they claim: broken JSON, odd encodings, deep or wide documents. */
export const rawBodyArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '[',
    'null',
    'true',
    '0',
    '"x"',
    '[]',
    '[null]',
    '[[]]',
    '{}',
    '\ufeff{}',
    '{"specversion":"1.0",}',
    '{"a":1,"a":2}',
    '{"__proto__":{"polluted":true}}',
    '[{"__proto__":null}]',
    '{"constructor":null}',
    '1'.repeat(400),
    '1e99999',
    '{"data":' + '['.repeat(50_000) + ']'.repeat(50_000) + '}',
    '['.repeat(100_000),
  ),
  fc.string({ maxLength: 200 }),
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value) ?? 'null'),
);

const printable = fc
  .array(fc.integer({ min: 0x21, max: 0x7e }), { maxLength: 60 })
  .map((codes) => String.fromCharCode(...codes));

/** Header values; `<token:ROLE>` is replaced with a real token of that role by the test. */
export interface HeaderCase {
  readonly method: 'get' | 'post';
  readonly path: string;
  readonly values: Readonly<Record<string, string>>;
}

const HEADER_PATHS = [
  ['post', '/v1/events'],
  ['get', '/v1/subjects'],
  ['get', '/v1/tasking/board'],
  ['post', '/v1/meetings'],
  ['get', '/v1/audit/disclosures'],
  ['get', '/v1/projections'],
  ['get', '/app/board'],
  ['get', '/app/subjects'],
  ['get', '/health/ready'],
] as const;

export const headerCaseArbitrary: fc.Arbitrary<HeaderCase> = fc
  .record({
    route: fc.constantFrom(...HEADER_PATHS),
    authorization: fc.oneof(
      fc.constantFrom(...ROLES).map((role) => `Bearer <token:${role}>`),
      fc.constantFrom(
        'Bearer',
        'Bearer ',
        'Bearer a.b.c',
        'Basic dXNlcjpwYXNz',
        'bearer <token:system>',
        'Bearer <token:system> extra',
        'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4IiwiYWdlbmN5IjoicG9saWNlIiwia2luZCI6InN5c3RlbSJ9.',
      ),
      printable,
    ),
    contentType: fc.oneof(
      fc.constantFrom(
        'application/cloudevents+json',
        'application/cloudevents-batch+json',
        'application/json',
        'application/cloudevents+json; charset=latin1',
        'application/cloudevents+json; charset=utf-16',
        'text/plain',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
        '',
      ),
      printable,
    ),
    purpose: fc.oneof(fc.constantFrom(...PURPOSES_OF_USE, '', 'CASE-MANAGEMENT'), printable),
    extra: fc.dictionary(
      fc.constantFrom(
        'content-encoding',
        'x-request-id',
        'accept',
        'cookie',
        'x-forwarded-proto',
        'ce-specversion',
        'ce-type',
        'range',
        'if-none-match',
      ),
      fc.oneof(fc.constantFrom('gzip', 'br', 'identity, gzip', 'deflate', 'x'.repeat(4_000)), printable),
      { maxKeys: 3 },
    ),
  })
  .map(({ route, authorization, contentType, purpose, extra }) => ({
    method: route[0],
    path: route[1],
    values: {
      authorization,
      'content-type': contentType,
      'x-purpose-of-use': purpose,
      ...extra,
    },
  }));

/** A GET with a generated query string and, where the route has one, a generated subject id. */
export interface QueryCase {
  readonly path: string;
  readonly role: string;
  readonly purpose: string;
  readonly subject: string | undefined;
  readonly search: string;
}

const QUERY_ROUTES: readonly (readonly [string, string, string, readonly string[]])[] = [
  [
    '/v1/subjects',
    'iom-officer',
    'case-management',
    ['q', 'band', 'cohortClass', 'inCustody', 'limit', 'before'],
  ],
  ['/v1/subjects/{subject}', 'iom-officer', 'case-management', []],
  ['/v1/inbox', 'iom-officer', 'case-management', ['limit', 'before', 'unread', 'mine']],
  ['/v1/inbox/{subject}', 'iom-officer', 'case-management', []],
  ['/v1/subjects/{subject}/timeline', 'iom-officer', 'case-management', ['before', 'limit']],
  ['/v1/subjects/{subject}/access-export', 'ig-lead', 'subject-access', []],
  ['/v1/tasking/board', 'tasking-chair', 'tasking', ['since', 'band', 'q']],
  ['/v1/tasking/deselections', 'tasking-chair', 'tasking', ['from', 'to']],
  ['/v1/meetings', 'tasking-chair', 'tasking', []],
  ['/v1/meetings/{subject}/agenda', 'tasking-chair', 'tasking', []],
  ['/v1/meetings/{subject}/minutes.md', 'tasking-chair', 'tasking', []],
  [
    '/v1/audit/disclosures',
    'ig-lead',
    'audit',
    ['subjectId', 'agency', 'user', 'purpose', 'outcome', 'from', 'to', 'before', 'limit'],
  ],
  ['/v1/audit/disclosures/{subject}', 'ig-lead', 'audit', []],
  ['/v1/audit/refusals', 'ig-lead', 'audit', ['from', 'to', 'agency', 'user']],
  ['/v1/audit/unusual', 'ig-lead', 'audit', ['from', 'to', 'threshold']],
  ['/v1/audit/export', 'ig-lead', 'audit', ['format', 'from', 'to', 'subjectId']],
  ['/v1/audit/break-glass', 'ig-lead', 'audit', ['status']],
  [
    '/v1/audit/subjects',
    'ig-lead',
    'subject-access',
    ['identifier', 'familyName', 'givenName', 'dateOfBirth'],
  ],
  ['/v1/projections', 'partnership-admin', 'audit', []],
  ['/app/board', 'tasking-chair', 'tasking', ['q', 'band', 'since', 'cohortClass', 'page']],
  ['/app/board/released/{subject}', 'tasking-chair', 'tasking', []],
  ['/app/meetings', 'tasking-chair', 'tasking', ['done']],
  ['/app/subjects', 'iom-officer', 'case-management', ['q', 'purpose', 'band']],
  ['/app/inbox', 'iom-officer', 'case-management', ['purpose', 'before', 'unread', 'limit']],
  ['/app/subjects/{subject}', 'iom-officer', 'case-management', ['purpose']],
  ['/app/subjects/{subject}/timeline', 'iom-officer', 'case-management', ['purpose', 'before']],
  ['/app/ig', 'ig-lead', 'audit', ['reviewed']],
  ['/app/ig/disclosures', 'ig-lead', 'audit', ['subjectId', 'agency', 'user', 'before', 'from', 'to']],
  ['/app/ig/access-export', 'ig-lead', 'subject-access', ['subjectId']],
  ['/app/ig/subjects', 'ig-lead', 'subject-access', ['identifier', 'familyName', 'givenName', 'dateOfBirth']],
  ['/app/sign-in', 'iom-officer', 'case-management', ['next']],
];

/** Query values as sent on the wire: some encoded, some raw and malformed. */
const wireValue = fc.oneof(
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  fc.constantFrom(...BAD_DATES, '2025-06-01', '2025-06-01T10:00:00Z').map(encodeURIComponent),
  fc.constantFrom(
    '%',
    '%zz',
    '%00',
    '%E0%A4%A',
    '%C0%AF',
    '-1',
    '0',
    '1e9',
    '99999999999999999999',
    'NaN',
    'red',
    'true',
  ),
  fc.constant('x'.repeat(20_000)),
);

const wireName = (names: readonly string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: names.length > 0 ? fc.constantFrom(...names) : fc.constant('q') },
    { weight: 1, arbitrary: fc.constantFrom('a[b]', 'q[]', '__proto__', 'constructor', '%zz', 'limit[$gt]') },
  );

export const queryCaseArbitrary: fc.Arbitrary<QueryCase> = fc
  .constantFrom(...QUERY_ROUTES)
  .chain(([path, role, purpose, names]) =>
    fc.record({
      path: fc.constant(path),
      role: fc.oneof(
        { weight: 4, arbitrary: fc.constant(role) },
        { weight: 1, arbitrary: fc.constantFrom(...ROLES) },
      ),
      purpose: fc.oneof({ weight: 4, arbitrary: fc.constant(purpose) }, { weight: 1, arbitrary: printable }),
      subject: fc.option(
        fc.oneof(
          fc.constantFrom(
            'not-a-uuid',
            '%zz',
            '00000000-0000-0000-0000-000000000000',
            '..%2F..',
            'a'.repeat(500),
          ),
          fc.string({ maxLength: 40 }).map(encodeURIComponent),
        ),
        { nil: undefined },
      ),
      search: fc
        .array(fc.tuple(wireName(names), wireValue, fc.boolean()), { maxLength: 5 })
        .map((pairs) =>
          pairs.length === 0
            ? ''
            : `?${pairs.map(([name, value, bare]) => (bare ? name : `${name}=${value}`)).join('&')}`,
        ),
    }),
  );

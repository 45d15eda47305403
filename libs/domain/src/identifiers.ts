/** Identifier schemes by which agencies know a subject. */
export const IDENTIFIER_SCHEMES = ['pnc', 'nomis', 'crn', 'nhs', 'local'] as const;
export type IdentifierScheme = (typeof IDENTIFIER_SCHEMES)[number];

export interface SubjectIdentifier {
  readonly scheme: IdentifierScheme;
  readonly value: string;
}

// Spelled without flags, so the JSON Schemas can carry the same pattern.
const UUID_SOURCE =
  '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}';
const UUID = new RegExp(`^${UUID_SOURCE}$`);

/** Identifier values, once trimmed of the white space `trim` removes, as `\s` matches it. */
const IDENTIFIER_VALUE_MAX = 64;

/**
 * Every subject reference `parseSubjectReference` takes, as one pattern: a partnership id, or a
 * known scheme, a colon and a value of 1-64 characters once trimmed.
 */
export const SUBJECT_REFERENCE_PATTERN = new RegExp(
  `^(?:${UUID_SOURCE}|(?:${IDENTIFIER_SCHEMES.join('|')}):\\s*\\S(?:[\\s\\S]{0,${IDENTIFIER_VALUE_MAX - 2}}\\S)?\\s*)$`,
);

export const isPartnershipId = (value: string): boolean => UUID.test(value);

/** How an event names its subject: the partnership id, or a linked `scheme:value` identifier. */
export type SubjectReference =
  | { readonly kind: 'partnership-id'; readonly id: string }
  | { readonly kind: 'identifier'; readonly identifier: SubjectIdentifier };

export type ParseResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export function parseSubjectReference(raw: string): ParseResult<SubjectReference> {
  if (isPartnershipId(raw)) return { ok: true, value: { kind: 'partnership-id', id: raw.toLowerCase() } };
  const colon = raw.indexOf(':');
  if (colon <= 0) {
    return {
      ok: false,
      reason: 'must be a partnership id (UUID) or scheme:value (pnc, nomis, crn, nhs, local)',
    };
  }
  const scheme = raw.slice(0, colon);
  const value = raw.slice(colon + 1).trim();
  if (!(IDENTIFIER_SCHEMES as readonly string[]).includes(scheme)) {
    return { ok: false, reason: `unknown identifier scheme "${scheme}" (pnc, nomis, crn, nhs, local)` };
  }
  if (value.length === 0 || value.length > IDENTIFIER_VALUE_MAX)
    return { ok: false, reason: 'identifier value must be 1-64 characters' };
  return {
    ok: true,
    value: { kind: 'identifier', identifier: { scheme: scheme as IdentifierScheme, value } },
  };
}

export const formatIdentifier = (identifier: SubjectIdentifier): string =>
  `${identifier.scheme}:${identifier.value}`;

/** The events that link identifiers to a subject. */
export const IDENTITY_EVENT_TYPES: readonly string[] = [
  'iom.subject.registered.v1',
  'iom.subject.identifier-linked.v1',
];

/** An identifier an event links to its subject, with the field of the event that gave it. */
export interface LinkedIdentifier {
  readonly identifier: SubjectIdentifier;
  /** `data.identifiers.N`, `data.value` or `subject`: where a refusal points the publisher. */
  readonly field: string;
}

/**
 * The identifiers a registration or link gives its subject: those listed in its data and the one the
 * agency named the subject by. The identity index, ingestion's checks and the log's unique claims
 * all read an event through this, so they cannot disagree about what it links.
 */
export function identifiersLinkedBy(type: string, data: unknown, subjectRef: unknown): LinkedIdentifier[] {
  if (!IDENTITY_EVENT_TYPES.includes(type)) return [];
  const linked: LinkedIdentifier[] = [];
  const given = (data ?? {}) as { identifiers?: unknown } & Partial<SubjectIdentifier>;
  if (Array.isArray(given.identifiers)) {
    for (const [index, identifier] of (given.identifiers as SubjectIdentifier[]).entries()) {
      linked.push({ identifier, field: `data.identifiers.${index}` });
    }
  }
  if (given.scheme && given.value) {
    linked.push({ identifier: { scheme: given.scheme, value: given.value }, field: 'data.value' });
  }
  const named = typeof subjectRef === 'string' ? parseSubjectReference(subjectRef) : undefined;
  if (named?.ok && named.value.kind === 'identifier') {
    linked.push({ identifier: named.value.identifier, field: 'subject' });
  }
  return linked;
}

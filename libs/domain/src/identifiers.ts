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

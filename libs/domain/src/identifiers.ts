/** Identifier schemes by which agencies know a subject. */
export const IDENTIFIER_SCHEMES = ['pnc', 'nomis', 'crn', 'nhs', 'local'] as const;
export type IdentifierScheme = (typeof IDENTIFIER_SCHEMES)[number];

export const isIdentifierScheme = (value: unknown): value is IdentifierScheme =>
  (IDENTIFIER_SCHEMES as readonly unknown[]).includes(value);

/**
 * An identifier in its canonical form, the only form the identity index, the log's claims and the
 * views hold: made by `normaliseIdentifier` (or a parse that calls it), never by hand.
 */
export interface SubjectIdentifier {
  readonly scheme: IdentifierScheme;
  readonly value: string;
}

/**
 * The version of the canonical forms below. A store whose identifier claims were made under
 * another version fills them again from its log (decision 0021): change it with any rule here.
 */
export const IDENTIFIER_FORMS_VERSION = 2;

/** The schemes each issued by one agency of the partnership; `local` is every agency's own. */
export const ISSUED_SCHEMES = ['pnc', 'nomis', 'crn', 'nhs'] as const;
export type IssuedScheme = (typeof ISSUED_SCHEMES)[number];

export const isIssuedScheme = (value: unknown): value is IssuedScheme =>
  (ISSUED_SCHEMES as readonly unknown[]).includes(value);

/** The agency that issues each scheme: it alone may register a person under one, or link one. */
export type IssuingAgencies = Readonly<Record<IssuedScheme, string>>;

/** The issuers of an agreement that names none (decision 0021). */
export const DEFAULT_ISSUING_AGENCIES: IssuingAgencies = {
  pnc: 'police',
  nomis: 'prison',
  crn: 'probation',
  nhs: 'health',
};

/** Check letters of a PNC id, by the remainder modulo 23 (I, O and S are not used). */
const PNC_CHECK_LETTERS = 'ZABCDEFGHJKLMNPQRTUVWXY';

/** A two-digit PNC year from this one up is of the 1900s (the PNC has issued ids since the 1970s). */
const PNC_CENTURY_PIVOT = 70;

const IDENTIFIER_VALUE_MAX = 64;

/** The check letter of a PNC id: its two-digit year and serial as one number, modulo 23. */
const pncCheckLetter = (year: number, serial: number): string =>
  PNC_CHECK_LETTERS.charAt(((year % 100) * 10_000_000 + serial) % 23);

/** The modulus 11 check digit of an NHS number's first nine digits; 10 where none exists. */
const nhsCheckDigit = (firstNine: string): number => {
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(firstNine.charAt(i)) * (10 - i);
  return (11 - (sum % 11)) % 11;
};

/** The PNC id of a four-digit year and a serial, with its check letter: canonical. */
export const pncIdOf = (year: number, serial: number): string =>
  `${year}/${String(serial).padStart(7, '0')}${pncCheckLetter(year, serial)}`;

/** The NHS number beginning with these nine digits, or undefined where no check digit exists. */
export const nhsNumberOf = (firstNine: string): string | undefined => {
  const check = nhsCheckDigit(firstNine);
  return check === 10 ? undefined : `${firstNine}${check}`;
};

interface SchemeRule {
  /** What the scheme calls the identifier, in a refusal. */
  readonly name: string;
  /** The forms it takes, as the refusal states them. */
  readonly rule: string;
  /** The one form the platform keeps and shows, for the docs. */
  readonly canonicalForm: string;
  /**
   * The forms it takes, once white space around the value is trimmed, as a pattern without anchors
   * or flags: the JSON Schemas carry it. Check characters are beyond it; `canonical` checks them.
   */
  readonly pattern: string;
  /** The canonical value of a trimmed value that matches `pattern`, or why it is not one. */
  canonical(value: string): { readonly value: string } | { readonly reason: string };
}

const RULES: Readonly<Record<IdentifierScheme, SchemeRule>> = {
  pnc: {
    name: 'a PNC id',
    rule: 'a PNC id is the year (YY or YYYY), a slash, a serial of up to 7 digits and the check letter of the two-digit year and serial (modulus 23), e.g. 2009/0123456C or 09/123456c',
    canonicalForm:
      'four-digit year, seven-digit serial, upper-case check letter: `2009/0123456C`; a two-digit year from 70 is of the 1900s, any other of the 2000s',
    pattern: '(?:\\d{2}|(?:19|20)\\d{2})/\\d{1,7}[A-Za-z]',
    canonical(value) {
      const year = value.slice(0, value.indexOf('/'));
      const serial = value.slice(year.length + 1, -1).padStart(7, '0');
      const twoDigits = Number(year.slice(-2));
      const check = pncCheckLetter(twoDigits, Number(serial));
      if (value.slice(-1).toUpperCase() !== check) {
        return { reason: 'the check letter does not match the year and serial' };
      }
      const century = year.length === 4 ? '' : twoDigits >= PNC_CENTURY_PIVOT ? '19' : '20';
      return { value: `${century}${year}/${serial}${check}` };
    },
  },
  nhs: {
    name: 'an NHS number',
    rule: 'an NHS number is 10 digits, a space or hyphen allowed between any two, the last the modulus 11 check digit of the first nine, e.g. 943 476 5919',
    canonicalForm: 'the ten digits: `9434765919`',
    pattern: '\\d(?:[ -]?\\d){9}',
    canonical(value) {
      const digits = value.replace(/[ -]/g, '');
      // A check digit of 10 cannot be written: no NHS number begins with those nine digits.
      if (String(nhsCheckDigit(digits)) !== digits.charAt(9)) {
        return { reason: 'the check digit does not match the first nine digits' };
      }
      return { value: digits };
    },
  },
  crn: {
    name: 'a CRN',
    rule: 'a CRN (probation case reference) is a letter and 6 digits, e.g. X123456',
    canonicalForm: 'upper case: `X123456`',
    pattern: '[A-Za-z]\\d{6}',
    canonical: (value) => ({ value: value.toUpperCase() }),
  },
  nomis: {
    name: 'a prison number',
    rule: 'a prison (NOMIS) number is a letter, 4 digits and 2 letters, e.g. A1234BC',
    canonicalForm: 'upper case: `A1234BC`',
    pattern: '[A-Za-z]\\d{4}[A-Za-z]{2}',
    canonical: (value) => ({ value: value.toUpperCase() }),
  },
  local: {
    name: 'a local identifier',
    rule: `a local identifier is 1-${IDENTIFIER_VALUE_MAX} characters, not counting white space around them, and belongs to the agency that sends it`,
    canonicalForm:
      'the sending agency, a slash and the value as sent, trimmed: `housing/HSG-000123`; case is kept',
    pattern: `\\S(?:[\\s\\S]{0,${IDENTIFIER_VALUE_MAX - 2}}\\S)?`,
    canonical: (value) => ({ value }),
  },
};

const MATCHERS = Object.fromEntries(
  IDENTIFIER_SCHEMES.map((scheme) => [scheme, new RegExp(`^(?:${RULES[scheme].pattern})$`)]),
) as Readonly<Record<IdentifierScheme, RegExp>>;

/** The rule a scheme's values follow, as a refusal states it. */
export const identifierRule = (scheme: IdentifierScheme): string => RULES[scheme].rule;

/** The form the platform keeps a scheme's identifiers in, as the docs state it. */
export const identifierCanonicalForm = (scheme: IdentifierScheme): string => RULES[scheme].canonicalForm;

/**
 * A value of the scheme as a pattern, white space around it allowed: what the JSON Schemas say of
 * an identifier's value. The check characters of PNC ids and NHS numbers are beyond a pattern.
 */
export const identifierValuePattern = (scheme: IdentifierScheme): string =>
  `^\\s*(?:${RULES[scheme].pattern})\\s*$`;

export type ParseResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/**
 * The one rule for every identifier, wherever it comes from: an event's subject, a registration's
 * list, a link, a search, or an event already in the log. The value is trimmed of the white space
 * `trim` removes (as `\s` matches it), checked against its scheme and put in canonical form:
 * upper case; a PNC id with a four-digit year and a seven-digit serial; an NHS number as its ten
 * digits; a local identifier prefixed by the agency whose it is (`housing/HSG-000123`), so two
 * agencies' local identifiers never meet. `agency` is that agency: the one that sends the value,
 * or reads by it.
 */
export function normaliseIdentifier(
  scheme: IdentifierScheme,
  raw: string,
  agency: string,
): ParseResult<SubjectIdentifier> {
  const rules = RULES[scheme];
  const value = raw.trim();
  if (!MATCHERS[scheme].test(value)) return { ok: false, reason: `is not ${rules.name}: ${rules.rule}` };
  const canonical = rules.canonical(value);
  if ('reason' in canonical) return { ok: false, reason: `is not ${rules.name}: ${canonical.reason}` };
  return {
    ok: true,
    value: { scheme, value: scheme === 'local' ? `${agency}/${canonical.value}` : canonical.value },
  };
}

// Spelled without flags, so the JSON Schemas can carry the same pattern.
const UUID_SOURCE =
  '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}';
const UUID = new RegExp(`^${UUID_SOURCE}$`);

/** A partnership id (a UUID) as a field of an event's data must spell it; read in lower case. */
export const PARTNERSHIP_ID_PATTERN = UUID;

/**
 * Every subject reference `parseSubjectReference` takes the form of, as one pattern: a partnership
 * id, or a scheme, a colon and a value of the scheme's form, white space around it allowed.
 */
export const SUBJECT_REFERENCE_PATTERN = new RegExp(
  `^(?:${UUID_SOURCE}|${IDENTIFIER_SCHEMES.map((scheme) => `${scheme}:\\s*(?:${RULES[scheme].pattern})\\s*`).join('|')})$`,
);

export const isPartnershipId = (value: string): boolean => UUID.test(value);

/** How an event names its subject: the partnership id, or a linked `scheme:value` identifier. */
export type SubjectReference =
  | { readonly kind: 'partnership-id'; readonly id: string }
  | { readonly kind: 'identifier'; readonly identifier: SubjectIdentifier };

/**
 * Reads a subject reference: a partnership id, or `scheme:value` in any form its scheme takes,
 * made canonical. `agency` is the agency naming the subject (a local identifier is its own).
 */
export function parseSubjectReference(raw: string, agency: string): ParseResult<SubjectReference> {
  if (isPartnershipId(raw)) return { ok: true, value: { kind: 'partnership-id', id: raw.toLowerCase() } };
  const colon = raw.indexOf(':');
  if (colon <= 0) {
    return {
      ok: false,
      reason: `must be a partnership id (UUID) or scheme:value (${IDENTIFIER_SCHEMES.join(', ')})`,
    };
  }
  const scheme = raw.slice(0, colon);
  if (!isIdentifierScheme(scheme)) {
    return { ok: false, reason: `unknown identifier scheme "${scheme}" (${IDENTIFIER_SCHEMES.join(', ')})` };
  }
  const identifier = normaliseIdentifier(scheme, raw.slice(colon + 1), agency);
  return identifier.ok
    ? { ok: true, value: { kind: 'identifier', identifier: identifier.value } }
    : { ok: false, reason: `${scheme}: ${identifier.reason}` };
}

export const formatIdentifier = (identifier: SubjectIdentifier): string =>
  `${identifier.scheme}:${identifier.value}`;

/** The events that link identifiers to a subject, unlink them, or merge and part two records of one person. */
export const IDENTITY_EVENT_TYPES: readonly string[] = [
  'iom.subject.registered.v1',
  'iom.subject.identifier-linked.v1',
  'iom.subject.identifier-unlinked.v1',
  'iom.subject.merged.v1',
  'iom.subject.unmerged.v1',
];

/** An identifier an event links to its subject, with the field of the event that gave it. */
export interface LinkedIdentifier {
  readonly identifier: SubjectIdentifier;
  /** `data.identifiers.N`, `data.value` or `subject`: where a refusal points the publisher. */
  readonly field: string;
  /**
   * Whether the event claims it for the subject, which only the scheme's issuer may do: everything
   * a registration gives, and a link's new identifier, but not the identifier a link is sent by,
   * which names a person the partnership already knows by it.
   */
  readonly claimed: boolean;
}

/**
 * The identifiers a registration or link gives its subject, canonical: those listed in its data
 * and the one the agency named the subject by. The identity index, ingestion's checks and the
 * log's unique claims all read an event through this, so they cannot disagree about what it
 * links. `agency` is the publishing agency. An identifier that is no identifier of its scheme
 * (ingestion refuses one; the log may hold one stored before the rules) links nothing.
 */
export function identifiersLinkedBy(
  type: string,
  data: unknown,
  subjectRef: unknown,
  agency: string,
): LinkedIdentifier[] {
  if (type !== 'iom.subject.registered.v1' && type !== 'iom.subject.identifier-linked.v1') return [];
  const registers = type === 'iom.subject.registered.v1';
  const linked: LinkedIdentifier[] = [];
  const add = (scheme: unknown, value: unknown, field: string, claimed: boolean): void => {
    if (!isIdentifierScheme(scheme) || typeof value !== 'string') return;
    const identifier = normaliseIdentifier(scheme, value, agency);
    if (identifier.ok) linked.push({ identifier: identifier.value, field, claimed });
  };
  const given = (typeof data === 'object' && data !== null ? data : {}) as {
    readonly identifiers?: unknown;
    readonly scheme?: unknown;
    readonly value?: unknown;
  };
  if (Array.isArray(given.identifiers)) {
    for (const [index, listed] of (given.identifiers as unknown[]).entries()) {
      const { scheme, value } = (typeof listed === 'object' && listed !== null ? listed : {}) as {
        readonly scheme?: unknown;
        readonly value?: unknown;
      };
      add(scheme, value, `data.identifiers.${index}`, true);
    }
  }
  if (!registers) add(given.scheme, given.value, 'data.value', true);
  const named = typeof subjectRef === 'string' ? parseSubjectReference(subjectRef, agency) : undefined;
  if (named?.ok && named.value.kind === 'identifier') {
    linked.push({ identifier: named.value.identifier, field: 'subject', claimed: registers });
  }
  return linked;
}

/**
 * `identifiersLinkedBy` for an event as the log keeps it: the subject as the agency named it, and
 * the agency, are in its metadata. Events stored before the rules are read by them, so the index
 * rebuilt from any log keys on the canonical forms.
 */
export const identifiersLinkedByStored = (event: {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
}): LinkedIdentifier[] => {
  const { subjectRef, agency } = (event.metadata ?? {}) as { subjectRef?: unknown; agency?: unknown };
  return identifiersLinkedBy(event.type, event.data, subjectRef, typeof agency === 'string' ? agency : '');
};

/**
 * Why `agency` may not claim the identifier (register a person under it, or link it), or undefined
 * when it may: only a scheme's issuing agency claims its identifiers; a local identifier is always
 * the sender's own. Naming a person by another agency's identifier is no claim and always allowed.
 */
export function identifierClaimRefusal(
  identifier: SubjectIdentifier,
  agency: string,
  issuers: IssuingAgencies,
): string | undefined {
  if (!isIssuedScheme(identifier.scheme)) return undefined;
  const issuer = issuers[identifier.scheme];
  if (issuer === agency) return undefined;
  return `${identifier.scheme} identifiers are issued by ${issuer}, and only ${issuer} may register a person under one or link one; other agencies name the person by it once ${issuer} has`;
}

/**
 * The identifier an unlink takes from its subject, canonical, or undefined for any other event (or
 * one whose identifier is none of its scheme). `agency` is the publishing agency.
 */
export function identifierUnlinkedBy(
  type: string,
  data: unknown,
  agency: string,
): SubjectIdentifier | undefined {
  if (type !== 'iom.subject.identifier-unlinked.v1') return undefined;
  const { scheme, value } = (typeof data === 'object' && data !== null ? data : {}) as {
    readonly scheme?: unknown;
    readonly value?: unknown;
  };
  if (!isIdentifierScheme(scheme) || typeof value !== 'string') return undefined;
  const identifier = normaliseIdentifier(scheme, value, agency);
  return identifier.ok ? identifier.value : undefined;
}

/** A merge gives its subject (the surviving record) another record; an unmerge parts them again. */
export interface RecordMerge {
  readonly kind: 'merge' | 'unmerge';
  /** The record merged into the subject, or parted from it. */
  readonly merged: string;
}

/** What a merge or unmerge does, read from its data; undefined for any other event. */
export function recordMergeOf(type: string, data: unknown): RecordMerge | undefined {
  const kind =
    type === 'iom.subject.merged.v1' ? 'merge' : type === 'iom.subject.unmerged.v1' ? 'unmerge' : undefined;
  const merged = (typeof data === 'object' && data !== null ? data : {}) as {
    readonly mergedSubjectId?: unknown;
  };
  if (!kind || typeof merged.mergedSubjectId !== 'string' || !isPartnershipId(merged.mergedSubjectId))
    return undefined;
  return { kind, merged: merged.mergedSubjectId.toLowerCase() };
}

/**
 * The claim a merge makes in the log's claims (decision 0016): a record is merged into one other
 * at a time, so two merges of one record, from any processes, cannot both be stored.
 */
export const mergeClaimOf = (merged: string): string => `merged:${merged}`;

/**
 * Which record each merged record is part of, folded from merges and unmerges in log order: the
 * one rule the identity index, the log's claims, the read side and subject access all read.
 */
export class RecordMerges {
  private readonly into = new Map<string, string>();
  private readonly parts = new Map<string, Set<string>>();

  /** A copy to plan on: what it applies leaves this one as it was. */
  copy(): RecordMerges {
    const copy = new RecordMerges();
    for (const [merged, survivor] of this.into) copy.into.set(merged, survivor);
    for (const [survivor, merged] of this.parts) copy.parts.set(survivor, new Set(merged));
    return copy;
  }

  /** Applies the event to its subject (`subjectId`); answers whether it was a merge or unmerge. */
  apply(type: string, data: unknown, subjectId: string): boolean {
    const merge = recordMergeOf(type, data);
    if (!merge) return false;
    const merged = this.parts.get(subjectId) ?? new Set<string>();
    if (merge.kind === 'merge') {
      this.into.set(merge.merged, subjectId);
      merged.add(merge.merged);
      this.parts.set(subjectId, merged);
    } else if (this.into.get(merge.merged) === subjectId) {
      this.into.delete(merge.merged);
      merged.delete(merge.merged);
      if (merged.size === 0) this.parts.delete(subjectId);
    }
    return true;
  }

  /** The surviving record a record was merged into, or undefined when it stands alone. */
  mergedInto(subjectId: string): string | undefined {
    return this.into.get(subjectId);
  }

  /** The records merged into a surviving record, in the order they were merged. */
  mergedIn(subjectId: string): readonly string[] {
    return [...(this.parts.get(subjectId) ?? [])];
  }

  /** Every record of the person a record belongs to: the surviving record first, then those merged in. */
  recordsOf(subjectId: string): readonly string[] {
    const survivor = this.into.get(subjectId) ?? subjectId;
    return [survivor, ...this.mergedIn(survivor)];
  }
}

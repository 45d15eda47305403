import { LineCounter, parseDocument, isMap, isSeq, type Node, type Document } from 'yaml';
import {
  DATA_CATEGORIES,
  type DataCategory,
  DEFAULT_ISSUING_AGENCIES,
  DEFAULT_TIME_ZONE,
  isDataCategory,
  isEventType,
  isIssuedScheme,
  ISSUED_SCHEMES,
  type IssuingAgencies,
  isPurposeOfUse,
  isTimeZone,
  isView,
  PURPOSES_OF_USE,
  type PurposeOfUse,
  type View,
  VIEWS,
} from '@throughline/domain';
import { checkRetention, type RetentionSchedule } from './retention';

export const SHARE_BASES = ['always', 'consent', 'safeguarding', 'never'] as const;
export type ShareBasis = (typeof SHARE_BASES)[number];

/** One row of the agreement: who may see which categories, on what basis, for which purposes. */
export interface Clause {
  readonly id: string;
  readonly recipients: readonly string[];
  readonly categories: readonly DataCategory[];
  readonly basis: ShareBasis;
  readonly purposes: readonly PurposeOfUse[];
  readonly legalBasis: string;
  /** Only these data fields are shared (e.g. custody dates only); all fields when absent. */
  readonly fields?: readonly string[];
  /** Narrows the clause to some event types and data values (e.g. drug tests taken on licence). */
  readonly when?: {
    readonly types?: readonly string[];
    readonly data?: Readonly<Record<string, readonly string[]>>;
  };
}

/** A partnership-level information-governance role: reviews break-glass claims from every agency. */
/** A role in an agency, as the agreement names who may do something. */
export interface AgencyRole {
  readonly agency: string;
  readonly role: string;
}

export type PartnershipReviewer = AgencyRole;

export interface BreakGlassTerms {
  readonly maxMinutes: number;
  /** The roles that may claim. */
  readonly roles: readonly string[];
  /**
   * Who reviews a claim besides an IG lead of the claimant's own agency; none when the agreement
   * names none, so a partnership body reviews only where the partnership has said so.
   */
  readonly partnershipReviewers: readonly PartnershipReviewer[];
}

/** What one role may read: per view, the purposes it may state. A view not named is closed to it. */
export type RoleTerms = Readonly<Partial<Record<View, readonly PurposeOfUse[]>>>;

/** A partnership's information-sharing agreement, as loaded: versioned data, not code. */
export interface Agreement {
  readonly partnership: string;
  readonly version: string;
  readonly agencies: readonly string[];
  readonly breakGlass: BreakGlassTerms;
  readonly taskingMeeting: { readonly roles: readonly string[]; readonly purposes: readonly PurposeOfUse[] };
  /**
   * Which roles may read which views for which purposes; a role not named reads nothing. Null only
   * for an agreement loaded before the section existed (see `agreementOf`).
   */
  readonly roles: Readonly<Record<string, RoleTerms>> | null;
  /**
   * The agency that issues each identifier scheme: only it may register a person under one or link
   * one. The section is optional; a scheme it does not name keeps its default issuer.
   */
  readonly identifiers: IssuingAgencies;
  /**
   * The IANA time zone the partnership works in: a date-only end (a consent's or a concern's
   * `expires`) lasts to the end of that day here (see `expiryInstant`). Europe/London unless named.
   */
  readonly timeZone: string;
  /**
   * Who may list every subject their agency holds a view of (`GET /v1/subjects?scope=partnership`)
   * rather than its caseload alone. None unless named: the list is the caseload by default.
   */
  readonly wideList: readonly AgencyRole[];
  /**
   * When each publishing agency's data about a person falls due for review (MoPI for police data),
   * by category. Absent in an agreement without the section (or loaded before it existed): then no
   * review is scheduled.
   */
  readonly retention?: RetentionSchedule;
  readonly clauses: readonly Clause[];
}

/** The partnership's own staff (IG leads, the partnership admin) hold tokens of this agency. */
export const PARTNERSHIP_AGENCY = 'partnership';

/**
 * Whether a token's agency belongs to the partnership: an agency the agreement names, one its
 * partnership reviewers are drawn from, or the partnership itself. With no agreement, none does.
 */
export function isPartnershipAgency(agreement: Agreement | null, agency: string): boolean {
  return partnershipAgencies(agreement).includes(agency);
}

/** Every agency a token may name under this agreement (see `isPartnershipAgency`); none without one. */
export function partnershipAgencies(agreement: Agreement | null): readonly string[] {
  if (!agreement) return [];
  return [
    ...new Set([
      PARTNERSHIP_AGENCY,
      ...agreement.agencies,
      ...agreement.breakGlass.partnershipReviewers.map((reviewer) => reviewer.agency),
    ]),
  ];
}

export interface AgreementProblem {
  readonly line: number;
  readonly reason: string;
}

export class InvalidAgreementError extends Error {
  constructor(readonly problems: readonly AgreementProblem[]) {
    super(`Invalid agreement:\n${problems.map((p) => `  line ${p.line}: ${p.reason}`).join('\n')}`);
    this.name = 'InvalidAgreementError';
  }
}

const AGENCY = /^[a-z][a-z0-9-]{1,31}$/;
const CLAUSE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const ROLE = /^[a-z][a-z0-9-]{0,63}$/;

/** Parses and checks an agreement; every problem is reported with its line, and nothing is half-loaded. */
export function parseAgreement(text: string): Agreement {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const problems: AgreementProblem[] = doc.errors.map((error) => ({
    line: lineCounter.linePos(error.pos[0]).line,
    reason: error.message.split('\n')[0] ?? error.message,
  }));
  if (problems.length > 0) throw new InvalidAgreementError(problems);
  const check = new Checker(doc, lineCounter);
  const agreement = check.agreement();
  if (check.problems.length > 0) throw new InvalidAgreementError(check.problems);
  return agreement;
}

class Checker {
  readonly problems: AgreementProblem[] = [];
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  agreement(): Agreement {
    const root = this.doc.contents;
    if (!isMap(root)) {
      this.fail(root, 'the agreement must be a mapping with partnership, version, agencies and clauses');
      return {
        partnership: '',
        version: '',
        agencies: [],
        breakGlass: { maxMinutes: 0, roles: [], partnershipReviewers: [] },
        taskingMeeting: { roles: [], purposes: [] },
        roles: {},
        identifiers: DEFAULT_ISSUING_AGENCIES,
        timeZone: DEFAULT_TIME_ZONE,
        wideList: [],
        clauses: [],
      };
    }
    const partnership = this.string(['partnership']);
    const version = this.string(['version']);
    const agencies = this.strings(
      ['agencies'],
      (value) => AGENCY.test(value),
      'an agency id (lower-case letters, digits, -)',
    );
    const maxMinutes = this.doc.getIn(['breakGlass', 'maxMinutes']);
    if (
      typeof maxMinutes !== 'number' ||
      !Number.isInteger(maxMinutes) ||
      maxMinutes < 1 ||
      maxMinutes > 24 * 60
    ) {
      this.fail(
        this.node(['breakGlass', 'maxMinutes']) ?? root,
        'breakGlass.maxMinutes must be a whole number of minutes from 1 to 1440',
      );
    }
    const breakGlassRoles = this.strings(['breakGlass', 'roles'], (value) => value.length > 0, 'a role');
    const partnershipReviewers = this.agencyRoles(['breakGlass', 'partnershipReviewers']);
    const subjectList = this.node(['subjectList']);
    if (
      subjectList !== undefined &&
      (!isMap(subjectList) ||
        subjectList.items.some(
          (item) => String((item.key as { value?: unknown } | null)?.value ?? item.key) !== 'partnershipWide',
        ))
    )
      this.fail(
        subjectList,
        'subjectList must be a mapping with only partnershipWide: a list of { agency, role }',
      );
    const wideList = this.agencyRoles(['subjectList', 'partnershipWide']);
    const timeZone = this.timeZone();
    const meetingRoles = this.strings(['taskingMeeting', 'roles'], (value) => value.length > 0, 'a role');
    const meetingPurposes = this.strings(
      ['taskingMeeting', 'purposes'],
      isPurposeOfUse,
      `a purpose (${PURPOSES_OF_USE.join(', ')})`,
    ) as PurposeOfUse[];
    const roles = this.roles();
    const identifiers = this.identifiers(agencies);
    const retention = this.node(['retention']) === undefined ? undefined : checkRetention(this, agencies);
    const clausesNode = this.node(['clauses']);
    const clauses: Clause[] = [];
    if (!isSeq(clausesNode) || clausesNode.items.length === 0)
      this.fail(clausesNode ?? root, 'clauses must be a non-empty list');
    else {
      const seen = new Set<string>();
      clausesNode.items.forEach((_, index) => {
        const clause = this.clause(index, agencies);
        if (!clause) return;
        if (seen.has(clause.id))
          this.fail(this.node(['clauses', index, 'id']), `clause id "${clause.id}" is used twice`);
        seen.add(clause.id);
        clauses.push(clause);
      });
    }
    return {
      partnership,
      version,
      agencies,
      breakGlass: {
        maxMinutes: typeof maxMinutes === 'number' ? maxMinutes : 0,
        roles: breakGlassRoles,
        partnershipReviewers,
      },
      taskingMeeting: { roles: meetingRoles, purposes: meetingPurposes },
      roles,
      identifiers,
      timeZone,
      wideList,
      ...(retention ? { retention } : {}),
      clauses,
    };
  }

  /** `timeZone: Europe/London`: optional, an IANA zone name. */
  private timeZone(): string {
    const value = this.doc.getIn(['timeZone']);
    if (value === undefined) return DEFAULT_TIME_ZONE;
    if (isTimeZone(value)) return value;
    this.fail(
      this.node(['timeZone']),
      `timeZone ${JSON.stringify(value)} is not an IANA time zone name (such as ${DEFAULT_TIME_ZONE})`,
    );
    return DEFAULT_TIME_ZONE;
  }

  /** `identifiers: { pnc: { issuedBy: police }, ... }`: each scheme's issuer, one of the agencies. */
  private identifiers(agencies: readonly string[]): IssuingAgencies {
    const node = this.node(['identifiers']);
    if (node === undefined) return DEFAULT_ISSUING_AGENCIES;
    const issuers: Record<string, string> = { ...DEFAULT_ISSUING_AGENCIES };
    if (!isMap(node)) {
      this.fail(node, `identifiers must map schemes (${ISSUED_SCHEMES.join(', ')}) to { issuedBy: agency }`);
      return DEFAULT_ISSUING_AGENCIES;
    }
    for (const pair of node.items) {
      const scheme = String((pair.key as { value?: unknown } | null)?.value ?? pair.key);
      if (!isIssuedScheme(scheme)) {
        this.fail(
          pair.key as Node,
          scheme === 'local'
            ? 'local identifiers belong to the agency that sends them: they have no issuer to name'
            : `"${scheme}" is not an identifier scheme with an issuer (${ISSUED_SCHEMES.join(', ')})`,
        );
        continue;
      }
      const entry = this.node(['identifiers', scheme]);
      if (
        !isMap(entry) ||
        entry.items.some(
          (item) => String((item.key as { value?: unknown } | null)?.value ?? item.key) !== 'issuedBy',
        )
      ) {
        this.fail(entry ?? (pair.key as Node), `identifiers.${scheme} must be { issuedBy: agency }`);
        continue;
      }
      const issuer = this.string(['identifiers', scheme, 'issuedBy']);
      if (issuer && !agencies.includes(issuer)) {
        this.fail(
          this.node(['identifiers', scheme, 'issuedBy']),
          `identifiers.${scheme}.issuedBy "${issuer}" is not one of the agreement's agencies (${agencies.join(', ')})`,
        );
      } else if (issuer) issuers[scheme] = issuer;
    }
    return issuers as IssuingAgencies;
  }

  private roles(): Record<string, RoleTerms> {
    const node = this.node(['roles']);
    if (!isMap(node)) {
      this.fail(
        node ?? this.doc.contents,
        'roles must map each role to the views it reads and their purposes',
      );
      return {};
    }
    const roles: Record<string, RoleTerms> = {};
    for (const pair of node.items) {
      const role = String((pair.key as { value?: unknown } | null)?.value ?? pair.key);
      if (!ROLE.test(role))
        this.fail(pair.key as Node, `"${role}" is not a role (lower-case letters, digits, -)`);
      const viewsNode = this.node(['roles', role]);
      if (!isMap(viewsNode)) {
        this.fail(
          viewsNode ?? node,
          `roles.${role} must map views (${VIEWS.join(', ')}) to purposes, or be {}`,
        );
        continue;
      }
      const terms: Partial<Record<View, PurposeOfUse[]>> = {};
      for (const viewPair of viewsNode.items) {
        const view = String((viewPair.key as { value?: unknown } | null)?.value ?? viewPair.key);
        if (!isView(view)) {
          this.fail(viewPair.key as Node, `"${view}" is not a view (${VIEWS.join(', ')})`);
          continue;
        }
        terms[view] = this.strings(
          ['roles', role, view],
          isPurposeOfUse,
          `a purpose (${PURPOSES_OF_USE.join(', ')})`,
        ) as PurposeOfUse[];
      }
      roles[role] = terms;
    }
    return roles;
  }

  /** An optional list of `{ agency, role }` at the path. */
  private agencyRoles(path: readonly string[]): AgencyRole[] {
    const node = this.node(path);
    if (node === undefined) return [];
    if (!isSeq(node)) {
      this.fail(node, `${path.join('.')} must be a list of { agency, role }`);
      return [];
    }
    const reviewers: PartnershipReviewer[] = [];
    node.items.forEach((item, index) => {
      if (!isMap(item)) {
        this.fail(item as Node, `${path.join('.')} entries must be mappings of agency and role`);
        return;
      }
      const agency = this.string([...path, index, 'agency']);
      const role = this.string([...path, index, 'role']);
      if (agency && !AGENCY.test(agency))
        this.fail(
          this.node([...path, index, 'agency']),
          `"${agency}" is not an agency id (lower-case letters, digits, -)`,
        );
      else if (agency && role) reviewers.push({ agency, role });
    });
    return reviewers;
  }

  private clause(index: number, agencies: readonly string[]): Clause | undefined {
    const path = ['clauses', index];
    if (!isMap(this.node(path))) {
      this.fail(this.node(path), 'each clause must be a mapping');
      return undefined;
    }
    const id = this.string([...path, 'id']);
    if (id && !CLAUSE_ID.test(id))
      this.fail(this.node([...path, 'id']), `clause id "${id}" must be lower-case letters, digits and -`);
    const recipients = this.strings(
      [...path, 'recipients'],
      (value) => agencies.includes(value),
      `one of the agreement's agencies (${agencies.join(', ')})`,
    );
    const categories = this.strings(
      [...path, 'categories'],
      isDataCategory,
      `a data category (${DATA_CATEGORIES.join(', ')})`,
    ) as DataCategory[];
    const basis = this.string([...path, 'basis']);
    if (basis && !(SHARE_BASES as readonly string[]).includes(basis)) {
      this.fail(this.node([...path, 'basis']), `basis "${basis}" must be one of ${SHARE_BASES.join(', ')}`);
    }
    const purposes = this.strings(
      [...path, 'purposes'],
      isPurposeOfUse,
      `a purpose (${PURPOSES_OF_USE.join(', ')})`,
      basis === 'never',
    ) as PurposeOfUse[];
    const legalBasis = this.string([...path, 'legalBasis']);
    const fields = this.node([...path, 'fields'])
      ? this.strings(
          [...path, 'fields'],
          (value) => /^[A-Za-z][A-Za-z0-9]*$/.test(value),
          'a data field name',
        )
      : undefined;
    let when: Clause['when'];
    if (this.node([...path, 'when'])) {
      const types = this.node([...path, 'when', 'types'])
        ? this.strings([...path, 'when', 'types'], isEventType, 'an event type from the catalogue')
        : undefined;
      const dataNode = this.node([...path, 'when', 'data']);
      let data: Record<string, string[]> | undefined;
      if (dataNode) {
        if (!isMap(dataNode)) this.fail(dataNode, 'when.data must map field names to lists of values');
        else {
          data = {};
          for (const pair of dataNode.items) {
            const key = String((pair.key as { value?: unknown } | null)?.value ?? pair.key);
            data[key] = this.strings([...path, 'when', 'data', key], (value) => value.length > 0, 'a value');
          }
        }
      }
      when = { ...(types ? { types } : {}), ...(data ? { data } : {}) };
    }
    return {
      id,
      recipients,
      categories,
      basis: basis as ShareBasis,
      purposes,
      legalBasis,
      ...(fields ? { fields } : {}),
      ...(when ? { when } : {}),
    };
  }

  node(path: readonly (string | number)[]): Node | undefined {
    return this.doc.getIn(path, true) as Node | undefined;
  }

  private string(path: readonly (string | number)[]): string {
    const value = this.doc.getIn(path);
    if (typeof value === 'string' && value.trim().length > 0) return value;
    if (typeof value === 'number') return String(value);
    this.fail(this.node(path) ?? this.parentNode(path), `${path.join('.')} must be a non-empty string`);
    return '';
  }

  private strings(
    path: readonly (string | number)[],
    valid: (value: string) => boolean,
    expected: string,
    allowEmpty = false,
  ): string[] {
    const node = this.node(path);
    if (!isSeq(node) || (!allowEmpty && node.items.length === 0)) {
      this.fail(
        node ?? this.parentNode(path),
        `${path.join('.')} must be a ${allowEmpty ? '' : 'non-empty '}list`,
      );
      return [];
    }
    const values: string[] = [];
    node.items.forEach((item, index) => {
      const value = this.doc.getIn([...path, index]);
      if (typeof value !== 'string' || !valid(value))
        this.fail(item as Node, `${JSON.stringify(value)} is not ${expected}`);
      else values.push(value);
    });
    return values;
  }

  private parentNode(path: readonly (string | number)[]): Node | undefined {
    for (let length = path.length - 1; length >= 0; length--) {
      const node = this.node(path.slice(0, length));
      if (node) return node;
    }
    return this.doc.contents ?? undefined;
  }

  fail(node: Node | null | undefined, reason: string): void {
    const offset = node?.range?.[0] ?? 0;
    this.problems.push({ line: this.lines.linePos(offset).line, reason });
  }
}

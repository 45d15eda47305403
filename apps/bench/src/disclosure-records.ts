import { randomUUID } from 'node:crypto';
import type { DisclosureAction, DisclosureContent, SubjectDisclosure } from '@throughline/audit';
import { DEFAULT_AGENCIES, PURPOSES_OF_USE } from '@throughline/domain';

/*
 * Synthetic disclosure records for the verification figure, shaped as the API writes them: the
 * grounds, clauses and legal bases of the shipped agreement, the fields of each category, and the
 * mix of reads a partnership makes (views and timelines, lists and the tasking board, alerts,
 * refusals). Shapes come from a seeded generator so every run verifies a log of the same make-up;
 * ids are random, as the API's are.
 */

/** A few thousand subjects read by a few hundred users: the register's filters have real spread. */
const SUBJECTS = 5_000;
const USERS_PER_AGENCY = 60;

/** Events per subject, all named by each view or timeline of it: the demo's views name 20 to 290. */
const EVENTS = { min: 20, max: 290 } as const;
/** The log the positions are drawn from: a partnership's few years of events. */
const LOG_LENGTH = 5_000_000;
/** Subjects per list or board record: a filtered page of a caseload. */
const LISTED = { min: 2, max: 10 } as const;

const ROLE_OF: Readonly<Record<(typeof DEFAULT_AGENCIES)[number], string>> = {
  police: 'iom-officer',
  probation: 'offender-manager',
  prison: 'prison-officer',
  health: 'drug-worker',
  housing: 'housing-officer',
  voluntary: 'mentor',
};

const FIELDS: Readonly<Record<string, readonly string[]>> = {
  identity: ['givenName', 'familyName', 'dateOfBirth', 'pnc', 'crn', 'nomsNumber'],
  cohort: ['band', 'cohortClass', 'level', 'reason', 'referredBy', 'reviewDue', 'score', 'worker'],
  offending: ['arrestedAt', 'convictedOn', 'court', 'offence', 'offenceGroup', 'outcome'],
  supervision: ['appointmentId', 'at', 'order', 'outcome', 'requirements', 'with'],
  custody: ['establishment', 'receivedOn', 'releaseDate', 'releaseType'],
  risk: ['roshLevel', 'scores', 'tool'],
  drugs: ['context', 'results'],
  housing: ['address', 'status', 'tenancyAtRisk'],
  intelligence: ['grading', 'handling', 'summary'],
};
/** Lists and the tasking board disclose a few summary fields per subject and no events. */
const LIST_FIELDS: Readonly<Record<string, readonly string[]>> = {
  identity: ['givenName', 'familyName'],
  cohort: ['band', 'trend', 'cohortClass', 'cohortStatus', 'openNeeds'],
  custody: ['inCustody'],
  intelligence: ['wanted'],
};

/** The legal basis the shipped agreement gives each clause; own publications have none to cite. */
const LEGAL_BASIS: Readonly<Record<string, string>> = {
  own: 'Controller: the publishing agency holds this data as its own record',
  'identity-all': 'DPA 2018 Part 3 s.31 (law enforcement) / UK GDPR Art 6(1)(e) public task',
  'cj-core': 'DPA 2018 Part 3 s.31 (law enforcement); Offender Management Act 2007 s.14',
  'pathway-consent-cj': 'UK GDPR Art 6(1)(a) consent with Art 9(2)(a) explicit consent',
  'housing-core': 'UK GDPR Art 6(1)(e) public task; Homelessness Reduction Act 2017 s.213B (duty to refer)',
  'safeguarding-risk': 'DPA 2018 Sch 1 para 18 (safeguarding of children and individuals at risk)',
};

/** [rule, basis, clause] as the policy names them. */
const GROUNDS: readonly (readonly [string, string, string | null])[] = [
  ['own-publication', 'own', null],
  ['agreement', 'always', 'identity-all'],
  ['agreement', 'always', 'cj-core'],
  ['agreement', 'consent', 'pathway-consent-cj'],
  ['agreement', 'always', 'housing-core'],
  ['agreement', 'safeguarding', 'safeguarding-risk'],
];

/** mulberry32: small, fast and seeded, so the log's make-up does not change between runs. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface PooledSubject {
  readonly id: string;
  /** Event ids a consent or concern ground relies on. */
  readonly events: readonly string[];
  /** The log positions a view of this subject names: the same ones each time, as for a real subject. */
  readonly positions: readonly number[];
}

/** [action, share of the log, refused]: half views and timelines, a fifth lists and boards, ... */
const MIX: readonly (readonly [DisclosureAction, number, boolean])[] = [
  ['subject.view', 0.35, false],
  ['subject.timeline', 0.15, false],
  ['subject.list', 0.1, false],
  ['tasking.board', 0.1, false],
  ['alert', 0.2, false],
  ['subject.view', 0.1, true],
];

/** Produces batches of records; only the subject pool is kept between batches, so memory stays flat. */
export class DisclosureRecords {
  private readonly random: () => number;
  private readonly subjects: readonly PooledSubject[];
  private clock = Date.parse('2026-01-05T07:00:00Z');

  constructor(seed = 1) {
    this.random = seeded(seed);
    this.subjects = Array.from({ length: SUBJECTS }, () => ({
      id: randomUUID(),
      events: Array.from({ length: 4 }, () => randomUUID()),
      positions: Array.from({ length: this.int(EVENTS.min, EVENTS.max) }, () => this.int(1, LOG_LENGTH)).sort(
        (a, b) => a - b,
      ),
    }));
  }

  batch(size: number): DisclosureContent[] {
    return Array.from({ length: size }, () => this.next());
  }

  private int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private kind(): readonly [DisclosureAction, boolean] {
    let roll = this.random();
    for (const [action, share, refused] of MIX) {
      if ((roll -= share) < 0) return [action, refused];
    }
    return ['subject.view', false];
  }

  private next(): DisclosureContent {
    // About three seconds apart on average: a million records span some five weeks.
    this.clock += this.int(0, 6_000);
    const agency = this.pick(DEFAULT_AGENCIES);
    const [action, refused] = this.kind();
    const listed = action === 'subject.list' || action === 'tasking.board';
    const subjects = refused
      ? []
      : listed
        ? Array.from({ length: this.int(LISTED.min, LISTED.max) }, () => this.disclosure(LIST_FIELDS, 'none'))
        : [this.disclosure(FIELDS, action === 'alert' ? 'one' : 'all')];
    return {
      id: randomUUID(),
      at: new Date(this.clock).toISOString(),
      requestId: action === 'alert' ? null : randomUUID(),
      principal: {
        kind: action === 'alert' ? 'system' : 'person',
        user: `${agency}-user-${this.int(1, USERS_PER_AGENCY)}`,
        agency,
        role: ROLE_OF[agency],
      },
      action,
      outcome: refused ? 'refused' : 'disclosed',
      purpose: this.pick(PURPOSES_OF_USE.slice(0, 5)),
      agreementVersion: refused ? null : '2025.1',
      subjects,
      refusal: refused
        ? { status: 403, reason: 'Not shared with your agency', subjectId: this.pick(this.subjects).id }
        : null,
    };
  }

  private disclosure(
    fields: Readonly<Record<string, readonly string[]>>,
    events: 'all' | 'one' | 'none',
  ): SubjectDisclosure {
    const subject = this.pick(this.subjects);
    const categories = Object.keys(fields).filter(() => this.random() < 0.6);
    if (categories.length === 0) categories.push('identity');
    const grounds = Array.from({ length: this.int(1, 3) }, () => {
      const [rule, basis, clause] = this.pick(GROUNDS);
      const legalBasis = LEGAL_BASIS[clause ?? basis]!;
      const reliedOn = basis === 'consent' || basis === 'safeguarding' ? this.pick(subject.events) : null;
      return { rule, basis, clause, legalBasis, reliedOn, categories: categories.slice(0, this.int(1, 3)) };
    });
    return {
      subjectId: subject.id,
      grounds,
      fields: Object.fromEntries(
        categories.map((category) => [category, fields[category]!.filter(() => this.random() < 0.7)]),
      ),
      positions:
        events === 'all' ? subject.positions : events === 'one' ? [this.pick(subject.positions)] : [],
    };
  }
}

import {
  AbilityBuilder,
  createMongoAbility,
  type MongoAbility,
  type MongoQuery,
  subject as asSubject,
} from '@casl/ability';
import { permittedFieldsOf } from '@casl/ability/extra';
import {
  type DataCategory,
  DEFAULT_TIME_ZONE,
  type PublishedEvent,
  PURPOSES_OF_USE,
  type PurposeOfUse,
} from '@throughline/domain';
import type { Agreement, Clause } from './agreement';
import { decideRoleAccess } from './roles';
import {
  type BreakGlassGrant,
  consentControllers,
  consentOpening,
  restrictedKinds,
  restrictedPurposes,
  type SharingState,
} from './sharing-state';

/** Why a disclosure was allowed: carried into the audit record. */
export interface DisclosureReason {
  readonly rule: 'own-publication' | 'agreement' | 'break-glass';
  readonly basis: 'own' | 'always' | 'consent' | 'safeguarding' | 'break-glass';
  readonly clause: string | null;
  readonly legalBasis: string;
  readonly agreementVersion: string | null;
  /** The consent, concern or break-glass event the decision relied on. */
  readonly reliedOn: string | null;
  /** For break-glass: the categories the claim opened. */
  readonly categories?: readonly DataCategory[];
}

export interface Reader {
  /**
   * A person reads in a role, which the agreement's role section must allow for the purpose; an
   * agency reads as a whole (the alerts relay, cutting an alert for the agency's own system to
   * route), under the clauses alone; a system reads nothing.
   */
  readonly kind: 'person' | 'system' | 'agency';
  readonly id: string;
  readonly agency: string;
  readonly role: string;
}

/** The attributes a rule may test: what the data is, who published it, and its type and data. */
interface DisclosableAttributes {
  readonly category: DataCategory;
  readonly publisher: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

type Subjects = 'SubjectEvent' | (DisclosableAttributes & { readonly __caslSubjectType__: 'SubjectEvent' });
export type SharingAbility = MongoAbility<['read', Subjects], MongoQuery>;

/** A decision already made in a request, kept in its policy (see `decide`). */
export interface EntryDecision {
  readonly fields: readonly string[];
  /** The strongest ground that allows the event. */
  readonly reason: DisclosureReason;
  /** Set when a live break-glass claim also covers the event: it opens every field, past any cut. */
  readonly breakGlass: DisclosureReason | null;
}

export interface ReadPolicy {
  readonly ability: SharingAbility;
  readonly reasons: ReadonlyMap<string, DisclosureReason>;
  /** Data fields that rule conditions test (from clauses' `when.data`): part of a decision's identity. */
  readonly testedFields: readonly string[];
  /** Decisions already made in this request, by what the rules can see of an event. */
  readonly memo: Map<string, EntryDecision | null>;
  /** The compiled agreement the ability was built from: the one the projection's cuts come from too. */
  readonly engine: SharingEngine;
  /**
   * The kinds of data (an agency's category) a restriction keeps from this read: beyond use for
   * its purpose. Empty for a reader given nothing.
   */
  readonly restricted: readonly RestrictedKind[];
}

/** What a clause grants one recipient under the sharing state: categories, ground and whose data. */
interface Grant {
  readonly clause: Clause;
  readonly basis: 'always' | 'consent' | 'safeguarding';
  readonly categories: readonly DataCategory[];
  readonly reliedOn: string | null;
  /** A consent opens only the data of the agency that recorded it. */
  readonly controller?: string;
}

/** The clauses naming one recipient, split as the ability uses them. */
interface RecipientClauses {
  readonly opening: readonly Clause[];
  readonly never: readonly Clause[];
}

const OWN_LEGAL_BASIS = 'Controller: the publishing agency holds this data as its own record';
const BREAK_GLASS_LEGAL_BASIS = 'Emergency access claimed with a recorded justification, subject to review';

const clauseConditions = (clause: Clause, categories: readonly DataCategory[]): MongoQuery => ({
  category: { $in: [...categories] },
  ...(clause.when?.types ? { type: { $in: [...clause.when.types] } } : {}),
  ...Object.fromEntries(
    Object.entries(clause.when?.data ?? {}).map(([field, values]) => [`data.${field}`, { $in: [...values] }]),
  ),
});

/** What an agency may see of another's events of one kind: nothing, every field, or these fields. */
type Permission = 'none' | 'all' | ReadonlySet<string>;

/**
 * What the widest cut holds for one kind of event, worked out once per kind: the permissions, and
 * the field lists cut from the last field names the kind's events had (events of one type mostly
 * carry the same fields), shared by every event cut alike.
 */
interface KindCuts {
  readonly permissions: Map<string, Permission>;
  fields: readonly string[];
  readonly cuts: Map<string, readonly string[] | null>;
}

/** The kinds of one event type under one sharing state: by category, then publisher, then tested values. */
interface TypeCuts {
  readonly tested: readonly string[];
  readonly kinds: Map<string, Map<string, Map<string, KindCuts>>>;
}

/** Under one sharing state: each agency's widest ability, and the kinds worked out by event type. */
interface SharingCuts {
  readonly abilities: Map<string, SharingAbility>;
  readonly types: Map<string, TypeCuts>;
}

/** Which fields of an event an agency may see when projecting, or null for none. */
export type ProjectionCuts = (agency: string) => readonly string[] | null;

/** Distinct sharing states are few; this only bounds a pathological log. */
const KNOWN_SHARING_STATES = 10_000;
const NOT_TESTED = '';
/** Stands for "every field" in a rule without `fields` while the widest cut is read back. */
const EVERY_FIELD = '\u0000every-field';

const child = <K, V>(map: Map<K, V>, key: K, create: () => V): V => {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = create()));
  return value;
};

const sameFields = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((field, index) => field === b[index]);

/** A tested value as a rule condition sees it: values alike here are matched alike. */
const testedValueKey = (value: unknown): string => JSON.stringify(value) ?? 'undefined';

/** What of the sharing state a widest cut reads: the consents held and whom each concern reaches. */
function sharingKeyOf(sharing: SharingState): string {
  const consents = Object.keys(sharing.consents).sort().join(',');
  const concerns = Object.values(sharing.concerns)
    .map((concern) => `${concern.recipients.join('+')}/${concern.categories.join('+')}`)
    .sort()
    .join(',');
  const restrictions = restrictedKinds(sharing)
    .map((kind) => `${kind.agency}/${kind.category}/${kind.purposes.join('+')}`)
    .join(',');
  return `${consents};${concerns};${restrictions}`;
}

/** A kind of data a restriction holds, and the purposes it may still serve. */
export type RestrictedKind = ReturnType<typeof restrictedKinds>[number];

/**
 * The agreement in force, compiled once per version: the one place sharing is decided. It answers
 * both questions from the same clause table and the same ability builder: what this reader may see
 * now (`readPolicy`, a CASL ability for the request), and the widest cut a projection may hold for
 * an agency (`widestCuts`: the ability built from what the clauses grant the agency for every
 * purpose, with any consent or concern held whatever its expiry, and no break-glass). A read can
 * therefore never be wider than the cut, except by break-glass, which reaches past it by design.
 */
export class SharingEngine {
  readonly version: string | null;
  /** Data fields that some clause's `when.data` tests, in the agreement's order. */
  readonly testedFields: readonly string[];
  private readonly recipients = new Map<string, RecipientClauses>();
  private readonly testedByType = new Map<string, readonly string[]>();
  private readonly widest = new Map<string, SharingCuts>();
  /** Sharing states already keyed: a projection asks about one subject's state once per entry. */
  private readonly keyed = new WeakMap<SharingState, SharingCuts>();
  private last?: { readonly sharing: SharingState; readonly cuts: SharingCuts };

  constructor(readonly agreement: Agreement | null) {
    this.version = agreement?.version ?? null;
    const clauses = agreement?.clauses ?? [];
    this.testedFields = [...new Set(clauses.flatMap((clause) => Object.keys(clause.when?.data ?? {})))];
    for (const agency of new Set(clauses.flatMap((clause) => clause.recipients))) {
      const named = clauses.filter((clause) => clause.recipients.includes(agency));
      this.recipients.set(agency, {
        opening: named.filter((clause) => clause.basis !== 'never'),
        never: named.filter((clause) => clause.basis === 'never'),
      });
    }
  }

  private clausesOf(agency: string): RecipientClauses {
    return this.recipients.get(agency) ?? { opening: [], never: [] };
  }

  /**
   * What the clauses grant an agency for these purposes under the sharing state, in the
   * agreement's order. With `now`, a consent or concern counts only while unexpired then; without
   * it, any held (the widest cut, made before the time of any read is known).
   */
  private grants(
    agency: string,
    purposes: readonly PurposeOfUse[],
    sharing: SharingState,
    now: string | undefined,
  ): Grant[] {
    const grants: Grant[] = [];
    for (const clause of this.clausesOf(agency).opening) {
      const serves = purposes.filter((purpose) => clause.purposes.includes(purpose));
      if (serves.length === 0) continue;
      switch (clause.basis) {
        case 'always':
          grants.push({ clause, basis: 'always', categories: clause.categories, reliedOn: null });
          break;
        case 'consent':
          for (const controller of consentControllers(sharing)) {
            for (const category of clause.categories) {
              const grant = serves
                .map((purpose) =>
                  consentOpening(sharing, { controller, category, recipient: agency, purpose }, now),
                )
                .find((found) => found !== undefined);
              if (grant)
                grants.push({
                  clause,
                  basis: 'consent',
                  categories: [category],
                  reliedOn: grant.eventId,
                  controller,
                });
            }
          }
          break;
        case 'safeguarding':
          for (const concern of Object.values(sharing.concerns)) {
            if (!concern.recipients.includes(agency)) continue;
            if (now !== undefined && concern.expires <= now) continue;
            const categories = clause.categories.filter((category) => concern.categories.includes(category));
            if (categories.length > 0)
              grants.push({ clause, basis: 'safeguarding', categories, reliedOn: concern.eventId });
          }
          break;
        case 'never':
          break;
      }
    }
    return grants;
  }

  /**
   * The ability for one agency from what it is granted. Later rules take precedence in CASL:
   * break-glass is the weakest reason, the agency's own publications the strongest, and the never
   * clauses override everything not published by the agency itself.
   */
  private ability(
    agency: string,
    glass: readonly BreakGlassGrant[],
    grants: readonly Grant[],
    reasons: Map<string, DisclosureReason>,
    restricted: readonly RestrictedKind[],
    purposes: readonly PurposeOfUse[],
  ): SharingAbility {
    const builder = new AbilityBuilder<SharingAbility>(createMongoAbility);
    const because = (reason: DisclosureReason): string => {
      const key = String(reasons.size);
      reasons.set(key, reason);
      return key;
    };
    const agreementVersion = this.version;
    for (const grant of glass) {
      const reason = because({
        rule: 'break-glass',
        basis: 'break-glass',
        clause: null,
        legalBasis: BREAK_GLASS_LEGAL_BASIS,
        agreementVersion,
        reliedOn: grant.eventId,
        categories: grant.categories,
      });
      builder.can('read', 'SubjectEvent', { category: { $in: [...grant.categories] } }).because(reason);
    }
    for (const grant of grants) {
      const { clause, basis, categories, reliedOn, controller } = grant;
      const reason = because({
        rule: 'agreement',
        basis,
        clause: clause.id,
        legalBasis: clause.legalBasis,
        agreementVersion,
        reliedOn,
      });
      const conditions = clauseConditions(clause, categories);
      builder
        .can(
          'read',
          'SubjectEvent',
          clause.fields ? [...clause.fields] : undefined,
          controller === undefined ? conditions : { ...conditions, publisher: controller },
        )
        .because(reason);
    }
    builder.can('read', 'SubjectEvent', { publisher: agency }).because(
      because({
        rule: 'own-publication',
        basis: 'own',
        clause: null,
        legalBasis: OWN_LEGAL_BASIS,
        agreementVersion,
        reliedOn: null,
      }),
    );
    for (const clause of this.clausesOf(agency).never) {
      builder.cannot('read', 'SubjectEvent', {
        ...clauseConditions(clause, clause.categories),
        publisher: { $ne: agency },
      });
    }
    // Last of all, a restriction: its agency's data of the category is beyond use for any purpose
    // it does not name, whoever reads (the agency itself, a clause, a consent, break-glass alike).
    for (const kind of restricted) {
      if (purposes.every((purpose) => kind.purposes.includes(purpose))) continue;
      builder.cannot('read', 'SubjectEvent', { category: kind.category, publisher: kind.agency });
    }
    return builder.build();
  }

  /**
   * The read ability for one request: deny by default, and nothing at all for a person whose role
   * the agreement does not let read subjects for the purpose; the reader's own live break-glass
   * claims; each clause for the reader's agency and the stated purpose whose basis holds now
   * (consent given by the data's controller and unexpired, a safeguarding concern open and
   * unexpired); the reader's own publications; and last the clauses that say never.
   */
  readPolicy(reader: Reader, purpose: PurposeOfUse, sharing: SharingState, now: Date): ReadPolicy {
    const reasons = new Map<string, DisclosureReason>();
    const restricted = restrictedKinds(sharing).filter((kind) => !kind.purposes.includes(purpose));
    const policy = (ability: SharingAbility): ReadPolicy => ({
      ability,
      reasons,
      testedFields: this.testedFields,
      memo: new Map(),
      engine: this,
      restricted,
    });
    const nothing = (): ReadPolicy => policy(new AbilityBuilder<SharingAbility>(createMongoAbility).build());
    if (reader.kind === 'system') return nothing();
    if (reader.kind === 'person' && !decideRoleAccess(this.agreement, reader, 'subjects', purpose).allowed)
      return nothing();
    const nowIso = now.toISOString();
    const glass = sharing.breakGlass.filter(
      (grant) => grant.user === reader.id && grant.agency === reader.agency && grant.expiresAt > nowIso,
    );
    const grants = this.grants(reader.agency, [purpose], sharing, nowIso);
    return policy(this.ability(reader.agency, glass, grants, reasons, restrictedKinds(sharing), [purpose]));
  }

  /**
   * The never clause that closes a whole category to an agency. A clause narrowed by `when` closes
   * only the events it names, so a break-glass claim may still reach the rest of the category.
   */
  neverClauseFor(agency: string, category: DataCategory): Clause | undefined {
    return this.clausesOf(agency).never.find(
      (clause) => !clause.when && clause.categories.includes(category),
    );
  }

  /**
   * The clauses that would open a category to the agency for the purpose on a basis that needs a
   * consent or a concern: what a reader lacking that ground would need for it.
   */
  awaiting(
    agency: string,
    purpose: PurposeOfUse,
    category: DataCategory,
    basis: 'consent' | 'safeguarding',
  ): readonly Clause[] {
    return this.clausesOf(agency).opening.filter(
      (clause) =>
        clause.basis === basis && clause.purposes.includes(purpose) && clause.categories.includes(category),
    );
  }

  /**
   * The widest cuts of one event, before any purpose or time is known: what the ability built
   * from every purpose's grants allows each agency. Projections ask for every event, so the
   * abilities and each kind's permissions are kept per sharing state; only the event's own field
   * names are looked at afresh. The lists returned are shared between events and must not be changed.
   * Every purpose, not only those the role section opens: an agency reading as a whole (the alerts
   * relay) is held to no role, and the role section names roles, not agencies.
   */
  widestCuts(sharing: SharingState, event: Pick<PublishedEvent, 'type' | 'data' | 'meta'>): ProjectionCuts {
    // Restricted for every purpose: no agency holds it, its own publisher included.
    if (restrictedPurposes(sharing, event.meta.agency, event.meta.category)?.length === 0) return () => null;
    const ofSharing = this.sharingCuts(sharing);
    const kind = this.kindCutsOf(ofSharing, event);
    const fields = Object.keys(event.data as unknown as Record<string, unknown>);
    if (!sameFields(kind.fields, fields)) {
      kind.fields = fields;
      kind.cuts.clear();
    }
    const allFields = kind.fields;
    const cutFor = (agency: string): readonly string[] | null => {
      let permission = kind.permissions.get(agency);
      if (permission === undefined) {
        permission = this.permissionOf(ofSharing, sharing, agency, event);
        kind.permissions.set(agency, permission);
      }
      if (permission === 'none') return null;
      if (permission === 'all') return allFields;
      const permitted = permission;
      return allFields.filter((field) => permitted.has(field));
    };
    return (agency) => {
      if (event.meta.agency === agency) return allFields;
      // Another event of the kind with other fields may have replaced the remembered cuts meanwhile.
      if (kind.fields !== allFields) return cutFor(agency);
      let cut = kind.cuts.get(agency);
      if (cut === undefined) kind.cuts.set(agency, (cut = cutFor(agency)));
      return cut;
    };
  }

  private sharingCuts(sharing: SharingState): SharingCuts {
    // A projection asks about one subject's state for every entry in a row.
    if (this.last?.sharing === sharing) return this.last.cuts;
    let cuts = this.keyed.get(sharing);
    if (cuts) {
      this.last = { sharing, cuts };
      return cuts;
    }
    if (this.widest.size >= KNOWN_SHARING_STATES) this.widest.clear();
    cuts = child(this.widest, sharingKeyOf(sharing), () => ({
      abilities: new Map<string, SharingAbility>(),
      types: new Map<string, TypeCuts>(),
    }));
    this.keyed.set(sharing, cuts);
    this.last = { sharing, cuts };
    return cuts;
  }

  private kindCutsOf(
    ofSharing: SharingCuts,
    event: Pick<PublishedEvent, 'type' | 'data' | 'meta'>,
  ): KindCuts {
    const ofType = child(ofSharing.types, event.type, () => ({
      tested: this.testedFieldsOf(event.type),
      kinds: new Map<string, Map<string, Map<string, KindCuts>>>(),
    }));
    const data = event.data as unknown as Record<string, unknown>;
    const testedKey =
      ofType.tested.length === 0
        ? NOT_TESTED
        : ofType.tested.map((field) => testedValueKey(data[field])).join('\u0000');
    const byPublisher = child(
      ofType.kinds,
      event.meta.category,
      () => new Map<string, Map<string, KindCuts>>(),
    );
    const byTested = child(byPublisher, event.meta.agency, () => new Map<string, KindCuts>());
    return child(byTested, testedKey, () => ({ permissions: new Map(), fields: [], cuts: new Map() }));
  }

  /** The data fields the clauses test on events of a type, in a fixed order. */
  private testedFieldsOf(type: string): readonly string[] {
    return child(this.testedByType, type, () =>
      [
        ...new Set(
          (this.agreement?.clauses ?? [])
            .filter((clause) => !clause.when?.types || clause.when.types.includes(type))
            .flatMap((clause) => Object.keys(clause.when?.data ?? {})),
        ),
      ].sort(),
    );
  }

  private permissionOf(
    ofSharing: SharingCuts,
    sharing: SharingState,
    agency: string,
    event: Pick<PublishedEvent, 'type' | 'data' | 'meta'>,
  ): Permission {
    // Data a restriction holds is cut as widely as the purposes it still serves allow, no wider.
    const purposes = restrictedPurposes(sharing, event.meta.agency, event.meta.category) ?? PURPOSES_OF_USE;
    const ability = child(ofSharing.abilities, `${agency}|${purposes.join(',')}`, () =>
      this.ability(
        agency,
        [],
        this.grants(agency, purposes, sharing, undefined),
        new Map(),
        restrictedKinds(sharing),
        purposes,
      ),
    );
    const target = asSubject('SubjectEvent', {
      category: event.meta.category,
      publisher: event.meta.agency,
      type: event.type,
      data: event.data as unknown as Record<string, unknown>,
    });
    if (!ability.can('read', target)) return 'none';
    const fields = permittedFieldsOf(ability, 'read', target, {
      fieldsFrom: (rule) => rule.fields ?? [EVERY_FIELD],
    });
    return fields.includes(EVERY_FIELD) ? 'all' : new Set(fields);
  }
}

/**
 * The one cache of sharing decisions: each agreement compiled once, keyed by its version (with its
 * content, so two agreements that reuse a version, as tests do, never share an engine). An engine
 * also keeps the widest cuts it has worked out, so they live and go with their agreement. Turn the
 * cache off (`compiledAgreements.enabled = false`) to compile afresh on every call: slower, and the
 * way to rule the cache out when a decision looks wrong.
 */
export class CompiledAgreements {
  enabled = true;
  private byObject = new WeakMap<Agreement, SharingEngine>();
  private readonly byVersion = new Map<string, SharingEngine>();
  private none = new SharingEngine(null);
  /** The agreement asked about last: the projection asks for every event under the same one. */
  private last?: { readonly agreement: Agreement; readonly engine: SharingEngine };
  /** Versions in force at once are few; this only bounds a long run of loads. */
  private static readonly VERSIONS = 32;

  of(agreement: Agreement | null): SharingEngine {
    if (!this.enabled) return new SharingEngine(agreement);
    if (!agreement) return this.none;
    if (this.last?.agreement === agreement) return this.last.engine;
    let engine = this.byObject.get(agreement);
    if (engine) {
      this.last = { agreement, engine };
      return engine;
    }
    const key = `${agreement.version}\n${JSON.stringify(agreement)}`;
    engine = this.byVersion.get(key);
    if (!engine) {
      if (this.byVersion.size >= CompiledAgreements.VERSIONS) this.byVersion.clear();
      engine = new SharingEngine(agreement);
      this.byVersion.set(key, engine);
    }
    this.byObject.set(agreement, engine);
    this.last = { agreement, engine };
    return engine;
  }

  /** Forgets every engine: the next question compiles afresh. */
  clear(): void {
    this.byObject = new WeakMap();
    this.byVersion.clear();
    this.last = undefined;
    this.none = new SharingEngine(null);
  }
}

export const compiledAgreements = new CompiledAgreements();

/** The engine for an agreement (see `CompiledAgreements`). */
export const sharingEngine = (agreement: Agreement | null): SharingEngine => compiledAgreements.of(agreement);

/** The read ability for one request (see `SharingEngine.readPolicy`). */
export function buildReadPolicy(input: {
  readonly reader: Reader;
  readonly purpose: PurposeOfUse;
  readonly agreement: Agreement | null;
  readonly sharing: SharingState;
  readonly now: Date;
}): ReadPolicy {
  return sharingEngine(input.agreement).readPolicy(input.reader, input.purpose, input.sharing, input.now);
}

/** The widest cuts of one event for each agency (see `SharingEngine.widestCuts`). */
export const projectionCuts = (
  agreement: Agreement | null,
  sharing: SharingState,
  event: Pick<PublishedEvent, 'type' | 'data' | 'meta'>,
): ProjectionCuts => sharingEngine(agreement).widestCuts(sharing, event);

/** The widest cut of one event for one agency (see `SharingEngine.widestCuts`). */
export const projectionCut = (
  agreement: Agreement | null,
  sharing: SharingState,
  agency: string,
  event: Pick<PublishedEvent, 'type' | 'data' | 'meta'>,
): readonly string[] | null => projectionCuts(agreement, sharing, event)(agency);

/** Which subjects a subject list holds: the agency's caseload, or every subject it holds a view of. */
export type ListScope = 'caseload' | 'partnership';

/**
 * Whether the reader may list subjects this widely. The caseload (the subjects the reader's agency
 * works with) is every practitioner's list; the wider one only for an agency and role the
 * agreement names in `subjectList.partnershipWide`, and never without an agreement.
 */
export function mayList(
  agreement: Agreement | null,
  reader: Pick<Reader, 'agency' | 'role'>,
  scope: ListScope,
): boolean {
  if (scope === 'caseload') return true;
  return (agreement?.wideList ?? []).some(
    (named) => named.agency === reader.agency && named.role === reader.role,
  );
}

/** The time zone a date-only end is read in under the agreement (see `expiryInstant`). */
export const timeZoneOf = (agreement: Agreement | null): string => agreement?.timeZone ?? DEFAULT_TIME_ZONE;

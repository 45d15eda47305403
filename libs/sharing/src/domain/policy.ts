import {
  AbilityBuilder,
  createMongoAbility,
  type MongoAbility,
  type MongoQuery,
  subject as asSubject,
} from '@casl/ability';
import { permittedFieldsOf } from '@casl/ability/extra';
import {
  CATALOGUE,
  type DataCategory,
  EVENT_TYPES,
  type PublishedEvent,
  type PurposeOfUse,
} from '@throughline/domain';
import type { Agreement, Clause } from './agreement';
import { decideRoleAccess } from './roles';
import { consentControllers, consentOpening, type SharingState } from './sharing-state';

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

export interface ReadPolicy {
  readonly ability: SharingAbility;
  readonly reasons: ReadonlyMap<string, DisclosureReason>;
  /** Data fields that rule conditions test (from clauses' `when.data`): part of a decision's identity. */
  readonly testedFields: readonly string[];
  /** Decisions already made in this request, by what the rules can see of an event. */
  readonly memo: Map<string, EntryDecision | null>;
}

const OWN_LEGAL_BASIS = 'Controller: the publishing agency holds this data as its own record';

const clauseConditions = (clause: Clause, categories: readonly DataCategory[]): MongoQuery => ({
  category: { $in: [...categories] },
  ...(clause.when?.types ? { type: { $in: [...clause.when.types] } } : {}),
  ...Object.fromEntries(
    Object.entries(clause.when?.data ?? {}).map(([field, values]) => [`data.${field}`, { $in: [...values] }]),
  ),
});

/**
 * Builds the read ability for one request: deny by default, and nothing at all for a person whose
 * role the agreement does not let read subjects for the purpose; the reader's own live break-glass
 * claims; each agreement clause for the reader's agency and the stated purpose whose basis holds now
 * (consent given and unexpired, a safeguarding concern open and unexpired); the reader's own
 * publications; and last the clauses that say never, which nothing but the reader's own data escapes.
 */
export function buildReadPolicy(input: {
  readonly reader: Reader;
  readonly purpose: PurposeOfUse;
  readonly agreement: Agreement | null;
  readonly sharing: SharingState;
  readonly now: Date;
}): ReadPolicy {
  const { reader, purpose, agreement, sharing, now } = input;
  const builder = new AbilityBuilder<SharingAbility>(createMongoAbility);
  const reasons = new Map<string, DisclosureReason>();
  const because = (reason: DisclosureReason): string => {
    const key = String(reasons.size);
    reasons.set(key, reason);
    return key;
  };
  const testedFields = [
    ...new Set((agreement?.clauses ?? []).flatMap((clause) => Object.keys(clause.when?.data ?? {}))),
  ];
  const memo = new Map<string, EntryDecision | null>();
  if (reader.kind === 'system') return { ability: builder.build(), reasons, testedFields, memo };
  if (reader.kind === 'person' && !decideRoleAccess(agreement, reader, 'subjects', purpose).allowed)
    return { ability: builder.build(), reasons, testedFields, memo };
  const version = agreement?.version ?? null;
  const nowIso = now.toISOString();

  // Later rules take precedence in CASL: break-glass is the weakest reason, the reader's own
  // publications the strongest, and the never clauses override everything not published by the reader.
  for (const grant of sharing.breakGlass) {
    if (grant.user !== reader.id || grant.agency !== reader.agency || grant.expiresAt <= nowIso) continue;
    const reason = because({
      rule: 'break-glass',
      basis: 'break-glass',
      clause: null,
      legalBasis: 'Emergency access claimed with a recorded justification, subject to review',
      agreementVersion: version,
      reliedOn: grant.eventId,
      categories: grant.categories,
    });
    builder.can('read', 'SubjectEvent', { category: { $in: [...grant.categories] } }).because(reason);
  }
  const clauses = (agreement?.clauses ?? []).filter((clause) => clause.recipients.includes(reader.agency));
  for (const clause of clauses) {
    if (clause.basis === 'never' || !clause.purposes.includes(purpose)) continue;
    const fields = clause.fields ? [...clause.fields] : undefined;
    const allow = (
      categories: readonly DataCategory[],
      basis: DisclosureReason['basis'],
      reliedOn: string | null,
      publisher?: string,
    ): void => {
      if (categories.length === 0) return;
      const reason = because({
        rule: 'agreement',
        basis,
        clause: clause.id,
        legalBasis: clause.legalBasis,
        agreementVersion: version,
        reliedOn,
      });
      const conditions = clauseConditions(clause, categories);
      builder
        .can(
          'read',
          'SubjectEvent',
          fields,
          publisher === undefined ? conditions : { ...conditions, publisher },
        )
        .because(reason);
    };
    if (clause.basis === 'always') allow(clause.categories, 'always', null);
    if (clause.basis === 'consent') {
      for (const controller of consentControllers(sharing)) {
        for (const category of clause.categories) {
          const question = { controller, category, recipient: reader.agency, purpose };
          const grant = consentOpening(sharing, question, nowIso);
          if (grant) allow([category], 'consent', grant.eventId, controller);
        }
      }
    }
    if (clause.basis === 'safeguarding') {
      for (const concern of Object.values(sharing.concerns)) {
        if (!concern.recipients.includes(reader.agency) || concern.expires <= nowIso) continue;
        allow(
          clause.categories.filter((category) => concern.categories.includes(category)),
          'safeguarding',
          concern.eventId,
        );
      }
    }
  }
  builder.can('read', 'SubjectEvent', { publisher: reader.agency }).because(
    because({
      rule: 'own-publication',
      basis: 'own',
      clause: null,
      legalBasis: OWN_LEGAL_BASIS,
      agreementVersion: version,
      reliedOn: null,
    }),
  );

  for (const clause of clauses.filter((c) => c.basis === 'never')) {
    builder.cannot('read', 'SubjectEvent', {
      ...clauseConditions(clause, clause.categories),
      publisher: { $ne: reader.agency },
    });
  }
  return { ability: builder.build(), reasons, testedFields, memo };
}

const breakGlassCovers = (reason: DisclosureReason, category: DataCategory): boolean =>
  reason.categories?.includes(category) ?? false;

export interface EntryDecision {
  readonly fields: readonly string[];
  /** The strongest ground that allows the event. */
  readonly reason: DisclosureReason;
  /** Set when a live break-glass claim also covers the event: it opens every field, past any cut. */
  readonly breakGlass: DisclosureReason | null;
}

/** What of one event the policy lets the reader see: the permitted fields and the reason, or null. */
export function decide(
  policy: ReadPolicy,
  event: Pick<PublishedEvent, 'type' | 'data' | 'meta'>,
): EntryDecision | null {
  const data = event.data as unknown as Record<string, unknown>;
  // Rules see only category, publisher, type and the tested data fields, and the fields returned
  // depend on the data's keys: events alike in all of these get the same decision.
  const key = [
    event.meta.category,
    event.meta.agency,
    event.type,
    ...policy.testedFields.map((field) => String(data[field])),
    Object.keys(data).join(','),
  ].join('|');
  const known = policy.memo.get(key);
  if (known !== undefined) return known;
  const target = asSubject('SubjectEvent', {
    category: event.meta.category,
    publisher: event.meta.agency,
    type: event.type,
    data,
  });
  const rule = policy.ability.relevantRuleFor('read', target);
  const reason = rule && !rule.inverted ? policy.reasons.get(rule.reason ?? '') : undefined;
  let decision: EntryDecision | null = null;
  if (reason) {
    const allFields = Object.keys(data);
    const fields = permittedFieldsOf(policy.ability, 'read', target, {
      fieldsFrom: (r) => r.fields ?? allFields,
    });
    // Break-glass is the weakest reason, so another rule may be named even when a claim covers the
    // event; the claim still opens every field, and the read must know it to say so in the audit.
    const glass = policy.ability
      .rulesFor('read', 'SubjectEvent')
      .map((candidate) => policy.reasons.get(candidate.reason ?? ''))
      .find(
        (candidate) => candidate?.rule === 'break-glass' && breakGlassCovers(candidate, event.meta.category),
      );
    const permitted = allFields.filter((field) => fields.includes(field));
    // When the claim shows more than the named rule allows, the claim is the ground.
    const ruleFields = rule?.fields === undefined ? undefined : [rule.fields].flat();
    const beyondRule = ruleFields !== undefined && permitted.some((field) => !ruleFields.includes(field));
    decision = { fields: permitted, reason: glass && beyondRule ? glass : reason, breakGlass: glass ?? null };
  }
  policy.memo.set(key, decision);
  return decision;
}

/** As CASL's `$in`: a list field matches when any of its items is listed. */
const matchesAny = (value: unknown, values: readonly string[]): boolean =>
  Array.isArray(value) ? value.some((item) => values.includes(String(item))) : values.includes(String(value));

const clauseIndex = new WeakMap<Agreement, Map<string, Clause[]>>();

/** The clauses naming this recipient and category, indexed once per agreement (projection hot path). */
function clausesFor(agreement: Agreement, agency: string, category: DataCategory): readonly Clause[] {
  let index = clauseIndex.get(agreement);
  if (!index) {
    index = new Map();
    for (const clause of agreement.clauses) {
      for (const recipient of clause.recipients) {
        for (const clauseCategory of clause.categories) {
          const key = `${recipient}|${clauseCategory}`;
          index.set(key, [...(index.get(key) ?? []), clause]);
        }
      }
    }
    clauseIndex.set(agreement, index);
  }
  return index.get(`${agency}|${category}`) ?? [];
}

const testedFields = new WeakMap<Agreement, Map<string, readonly string[]>>();

/** The data fields the agreement's clauses test on events of a type, in a fixed order. */
function testedFieldsOf(agreement: Agreement, type: string): readonly string[] {
  let byType = testedFields.get(agreement);
  if (!byType) testedFields.set(agreement, (byType = new Map<string, readonly string[]>()));
  let fields = byType.get(type);
  if (!fields) {
    const testing = agreement.clauses.filter(
      (clause) => !clause.when?.types || clause.when.types.includes(type),
    );
    fields = [...new Set(testing.flatMap((clause) => Object.keys(clause.when?.data ?? {})))].sort();
    byType.set(type, fields);
  }
  return fields;
}

/** A tested value as `matchesAny` sees it: values alike here are matched alike. */
const testedValueKey = (value: unknown): string =>
  Array.isArray(value) ? JSON.stringify(value.map(String)) : `=${String(value)}`;

const sharingKeys = new WeakMap<SharingState, string>();

/** What of the sharing state a projection cut reads: the consents held and whom each concern reaches. */
function sharingKeyOf(sharing: SharingState): string {
  let key = sharingKeys.get(sharing);
  if (key === undefined) {
    const consents = Object.keys(sharing.consents).sort().join(',');
    const concerns = Object.values(sharing.concerns)
      .map((concern) => `${concern.recipients.join('+')}/${concern.categories.join('+')}`)
      .sort()
      .join(',');
    key = `${consents};${concerns}`;
    sharingKeys.set(sharing, key);
  }
  return key;
}

/** What an agency may see of another's events of one kind: nothing, every field, or these fields. */
type Permission = 'none' | 'all' | ReadonlySet<string>;

function permissionOf(
  agreement: Agreement | null,
  sharing: SharingState,
  agency: string,
  event: Pick<PublishedEvent, 'type' | 'data' | 'meta'>,
): Permission {
  const category = event.meta.category;
  const data = event.data as unknown as Record<string, unknown>;
  const applies = (clause: Clause): boolean =>
    (!clause.when?.types || clause.when.types.includes(event.type)) &&
    Object.entries(clause.when?.data ?? {}).every(([field, values]) => matchesAny(data[field], values));
  const clauses = agreement ? clausesFor(agreement, agency, category).filter(applies) : [];
  if (clauses.some((clause) => clause.basis === 'never')) return 'none';
  const holds = (clause: Clause): boolean => {
    switch (clause.basis) {
      case 'always':
        return true;
      case 'consent':
        return clause.purposes.some(
          (purpose) =>
            consentOpening(sharing, {
              controller: event.meta.agency,
              category,
              recipient: agency,
              purpose,
            }) !== undefined,
        );
      case 'safeguarding':
        return Object.values(sharing.concerns).some(
          (c) => c.recipients.includes(agency) && c.categories.includes(category),
        );
      case 'never':
        return false;
    }
  };
  const allowing = clauses.filter(holds);
  if (allowing.length === 0) return 'none';
  if (allowing.some((clause) => !clause.fields)) return 'all';
  return new Set(allowing.flatMap((clause) => clause.fields ?? []));
}

/**
 * What the agreement lets each agency see of one kind of event, worked out once per kind: the
 * permissions, and the field lists cut from the last field names the kind's events had (events of
 * one type mostly carry the same fields), shared by every event cut alike.
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

/**
 * Kinds already worked out, per agreement, then by the sharing state's key, then the event type.
 * Everything `permissionOf` reads is in those keys, so a permission is worked out once per
 * distinct case. Nested maps rather than one composite key: this runs for every event projected,
 * and building and hashing a key string per event costs more than the lookups.
 */
const knownKinds = new WeakMap<object, Map<string, Map<string, TypeCuts>>>();
const NO_AGREEMENT = {};
/** Distinct sharing states are few; this only bounds a pathological log. */
const KNOWN_SHARING_STATES = 10_000;
const NOT_TESTED = '';

const child = <K, V>(map: Map<K, V>, key: K, create: () => V): V => {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = create()));
  return value;
};

function kindCutsOf(
  agreement: Agreement | null,
  sharing: SharingState,
  event: Pick<PublishedEvent, 'type' | 'data' | 'meta'>,
): KindCuts {
  const owner = agreement ?? NO_AGREEMENT;
  let bySharing = knownKinds.get(owner);
  if (!bySharing || bySharing.size >= KNOWN_SHARING_STATES)
    knownKinds.set(owner, (bySharing = new Map<string, Map<string, TypeCuts>>()));
  const byType = child(bySharing, sharingKeyOf(sharing), () => new Map<string, TypeCuts>());
  const ofType = child(byType, event.type, () => ({
    tested: agreement ? testedFieldsOf(agreement, event.type) : [],
    kinds: new Map<string, Map<string, Map<string, KindCuts>>>(),
  }));
  const data = event.data as unknown as Record<string, unknown>;
  const testedKey =
    ofType.tested.length === 0
      ? NOT_TESTED
      : JSON.stringify(ofType.tested.map((field) => testedValueKey(data[field])));
  const byPublisher = child(
    ofType.kinds,
    event.meta.category,
    () => new Map<string, Map<string, KindCuts>>(),
  );
  const byTested = child(byPublisher, event.meta.agency, () => new Map<string, KindCuts>());
  return child(byTested, testedKey, () => ({ permissions: new Map(), fields: [], cuts: new Map() }));
}

const sameFields = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((field, index) => field === b[index]);

/** Which fields of an event an agency may see when projecting, or null for none. */
export type ProjectionCuts = (agency: string) => readonly string[] | null;

/**
 * The agreement cuts made when projecting, before any purpose is known: the widest a read could
 * get, for each agency. Projections call it for every event, so permissions and cuts are
 * remembered per distinct case; only the event's own field names are looked at afresh. The lists
 * returned are shared between events and must not be changed.
 */
export function projectionCuts(
  agreement: Agreement | null,
  sharing: SharingState,
  event: Pick<PublishedEvent, 'type' | 'data' | 'meta'>,
): ProjectionCuts {
  const kind = kindCutsOf(agreement, sharing, event);
  const fields = Object.keys(event.data as unknown as Record<string, unknown>);
  if (!sameFields(kind.fields, fields)) {
    kind.fields = fields;
    kind.cuts.clear();
  }
  const allFields = kind.fields;
  const cutFor = (agency: string): readonly string[] | null => {
    let permission = kind.permissions.get(agency);
    if (permission === undefined) {
      permission = permissionOf(agreement, sharing, agency, event);
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

/** The projection cut of one event for one agency (see `projectionCuts`). */
export const projectionCut = (
  agreement: Agreement | null,
  sharing: SharingState,
  agency: string,
  event: Pick<PublishedEvent, 'type' | 'data' | 'meta'>,
): readonly string[] | null => projectionCuts(agreement, sharing, event)(agency);

/** The grounds a request's policy holds for one category of other agencies' data. */
export interface CategoryGrounds {
  /** Grounds that open every event and field of the category. */
  readonly whole: readonly DisclosureReason[];
  /** Grounds narrowed to some event types, data values or fields. */
  readonly partial: readonly DisclosureReason[];
  /** A never clause closes the whole category. */
  readonly closed: boolean;
}

const isNarrowed = (rule: { fields?: string | string[]; conditions?: MongoQuery }): boolean =>
  rule.fields !== undefined ||
  Object.keys(rule.conditions ?? {}).some((key) => key === 'type' || key.startsWith('data.'));

/**
 * What the policy built for this request holds for a category, read back from its own rules so
 * that the rule is decided in one place: the reader's own publications are left out, as they say
 * nothing of what the agreement shares.
 */
export function categoryGrounds(policy: ReadPolicy, category: DataCategory): CategoryGrounds {
  const whole: DisclosureReason[] = [];
  const partial: DisclosureReason[] = [];
  let closed = false;
  // A consent opens only its controller's data: it opens the whole category only together with
  // consents from every other agency that publishes the category, and nothing where its
  // controller publishes none of it.
  const publishers = categoryPublishers(category);
  const byController = new Map<string, DisclosureReason>();
  for (const rule of policy.ability.rulesFor('read', 'SubjectEvent')) {
    const conditions = rule.conditions as { category?: { $in?: readonly string[] }; publisher?: unknown };
    if (!conditions?.category?.$in?.includes(category)) continue;
    if (rule.inverted) {
      closed ||= !isNarrowed(rule);
      continue;
    }
    const reason = policy.reasons.get(rule.reason ?? '');
    if (!reason || reason.rule === 'own-publication') continue;
    const controller = conditions.publisher;
    if (typeof controller === 'string' && !isNarrowed(rule)) {
      if (publishers === 'any' || publishers.has(controller)) byController.set(controller, reason);
      continue;
    }
    (isNarrowed(rule) ? partial : whole).push(reason);
  }
  const coversAll = publishers !== 'any' && [...publishers].every((agency) => byController.has(agency));
  (coversAll ? whole : partial).push(...byController.values());
  return { whole, partial, closed };
}

const publishersByCategory = new Map<DataCategory, ReadonlySet<string> | 'any'>();

/** The agencies the catalogue lets publish a category's events, or 'any'. */
function categoryPublishers(category: DataCategory): ReadonlySet<string> | 'any' {
  let found = publishersByCategory.get(category);
  if (!found) {
    const agencies = new Set<string>();
    for (const type of EVENT_TYPES) {
      const spec = CATALOGUE[type];
      if (spec.category !== category || spec.recordedByPlatform) continue;
      if (spec.publishers === 'any') {
        found = 'any';
        break;
      }
      for (const agency of spec.publishers) agencies.add(agency);
    }
    found ??= agencies;
    publishersByCategory.set(category, found);
  }
  return found;
}

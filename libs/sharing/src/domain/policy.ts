import type { MongoQuery } from '@casl/ability';
import { subject as asSubject } from '@casl/ability';
import { permittedFieldsOf } from '@casl/ability/extra';
import { CATALOGUE, type DataCategory, EVENT_TYPES, type PublishedEvent } from '@throughline/domain';
import type { DisclosureReason, EntryDecision, ReadPolicy } from './engine';

// The rules are decided in `engine.ts`; this file applies a request's policy to events and reads it back.
export {
  buildReadPolicy,
  compiledAgreements,
  CompiledAgreements,
  type DisclosureReason,
  type EntryDecision,
  type ListScope,
  mayList,
  projectionCut,
  projectionCuts,
  type ProjectionCuts,
  type Reader,
  type ReadPolicy,
  type SharingAbility,
  SharingEngine,
  sharingEngine,
  timeZoneOf,
} from './engine';

const breakGlassCovers = (reason: DisclosureReason, category: DataCategory): boolean =>
  reason.categories?.includes(category) ?? false;

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
  // A consent opens only its controller's data, and only of the types its controller may publish.
  // It opens the whole category together with consents from every other agency that may publish
  // the category (the reader's own data is its own), and nothing where its controller publishes
  // none of what the rule reaches.
  const rules = policy.ability.rulesFor('read', 'SubjectEvent');
  const reader = rules.find((rule) => policy.reasons.get(rule.reason ?? '')?.rule === 'own-publication')
    ?.conditions?.publisher;
  const byController = new Map<string, DisclosureReason>();
  for (const rule of rules) {
    const conditions = rule.conditions as {
      category?: { $in?: readonly string[] };
      publisher?: unknown;
      type?: unknown;
    };
    if (!conditions?.category?.$in?.includes(category)) continue;
    if (rule.inverted) {
      closed ||= !isNarrowed(rule);
      continue;
    }
    const reason = policy.reasons.get(rule.reason ?? '');
    if (!reason || reason.rule === 'own-publication') continue;
    const controller = conditions.publisher;
    if (typeof controller === 'string') {
      // The reader's own data is its own already; a controller publishing none of it opens nothing.
      if (controller === reader || !publishesAny(controller, category, typesOf(conditions.type))) continue;
      if (isNarrowed(rule)) partial.push(reason);
      else byController.set(controller, reason);
      continue;
    }
    (isNarrowed(rule) ? partial : whole).push(reason);
  }
  const others = categoryPublishers(category, policy.engine.agreement?.agencies ?? []).filter(
    (agency) => agency !== reader,
  );
  const coversAll = others.every((agency) => byController.has(agency));
  (coversAll ? whole : partial).push(...byController.values());
  return { whole, partial, closed };
}

/** The event types a rule's `type` condition names, or undefined when it names none. */
const typesOf = (condition: unknown): readonly string[] | undefined => {
  if (typeof condition === 'string') return [condition];
  const listed = (condition as { $in?: unknown } | undefined)?.$in;
  return Array.isArray(listed) ? (listed as string[]) : undefined;
};

const publishing = new Map<string, boolean>();

/** Whether the catalogue lets an agency publish any event of the category (of these types, if named). */
function publishesAny(agency: string, category: DataCategory, types?: readonly string[]): boolean {
  const key = `${agency}\u0000${category}\u0000${types?.join(',') ?? ''}`;
  let found = publishing.get(key);
  if (found === undefined) {
    found = EVENT_TYPES.some((type) => {
      const spec = CATALOGUE[type];
      if (spec.category !== category || spec.recordedByPlatform) return false;
      if (types && !types.includes(type)) return false;
      return spec.publishers === 'any' || (spec.publishers as readonly string[]).includes(agency);
    });
    publishing.set(key, found);
  }
  return found;
}

/** The agencies that may publish some of a category: the catalogue's, or every partner for a type any may publish. */
const categoryPublishers = (category: DataCategory, partners: readonly string[]): string[] =>
  [
    ...new Set([
      ...partners,
      ...EVENT_TYPES.flatMap((type) => {
        const publishers = CATALOGUE[type].publishers;
        return publishers === 'any' ? [] : [...publishers];
      }),
    ]),
  ].filter((agency) => publishesAny(agency, category));

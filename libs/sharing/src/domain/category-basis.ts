import { DATA_CATEGORIES, type DataCategory, type PurposeOfUse } from '@throughline/domain';
import type { Agreement } from './agreement';
import { categoryGrounds, type DisclosureReason, type ReadPolicy, type Reader } from './policy';

/** Why what a reader is not served is withheld. */
export const WITHHELD_BASES = ['not-shared', 'consent-required', 'safeguarding-only', 'restricted'] as const;
export type WithheldBasis = (typeof WITHHELD_BASES)[number];

/**
 * The reader's basis for one category of other agencies' data. The first five say on what ground
 * it is served (`shared-in-part`: only some event types, data values or fields of it); the last
 * four why it is withheld (`restricted`: an agency that publishes it has restricted its own data of the
 * category, DPA 2018 s.47, for this purpose, for every reader).
 */
export const CATEGORY_BASES = [
  'shared',
  'consent',
  'safeguarding',
  'break-glass',
  'shared-in-part',
  ...WITHHELD_BASES,
] as const;
export type CategoryBasis = (typeof CATEGORY_BASES)[number];

export interface CategoryAccess {
  readonly basis: CategoryBasis;
  /** The basis of whatever of the category is withheld: all of it when `basis` is a withheld one. */
  readonly withheld: WithheldBasis;
}

export const isWithheldBasis = (basis: CategoryBasis): basis is WithheldBasis =>
  (WITHHELD_BASES as readonly string[]).includes(basis);

/** Strongest first, as the policy ranks its reasons. */
const SERVED_BY: readonly [DisclosureReason['basis'], CategoryBasis][] = [
  ['always', 'shared'],
  ['consent', 'consent'],
  ['safeguarding', 'safeguarding'],
  ['break-glass', 'break-glass'],
];

/**
 * Each category's basis for one reader, purpose and moment, read from the request's policy and,
 * for what it withholds, from the clauses its engine says would open it. Nothing here looks at the
 * subject's data: two subjects whose sharing state is the same get the same bases whatever events
 * they hold, so a basis never tells whether withheld data exists.
 */
export function categoryAccess(input: {
  readonly policy: ReadPolicy;
  /** Not read: the policy carries the engine it was built from, so the two cannot disagree. */
  readonly agreement?: Agreement | null;
  readonly reader: Reader;
  readonly purpose: PurposeOfUse;
}): Record<DataCategory, CategoryAccess> {
  const { policy, reader, purpose } = input;
  const access = {} as Record<DataCategory, CategoryAccess>;
  for (const category of DATA_CATEGORIES) {
    const grounds = categoryGrounds(policy, category);
    const live = new Set([...grounds.whole, ...grounds.partial].map((reason) => reason.clause));
    // A clause whose ground does not hold now: what the reader would need for the rest.
    const waiting = (basis: 'consent' | 'safeguarding'): boolean =>
      reader.kind === 'person' &&
      policy.engine.awaiting(reader.agency, purpose, category, basis).some((clause) => !live.has(clause.id));
    const withheld: WithheldBasis = grounds.closed
      ? 'not-shared'
      : waiting('consent')
        ? 'consent-required'
        : waiting('safeguarding')
          ? 'safeguarding-only'
          : 'not-shared';
    if (policy.restricted.some((kind) => kind.category === category)) {
      // A restriction is the owner's word on its own data and binds every reader: it is stated
      // whatever else of the category is served, so the view never reads a restricted record as
      // absent. Other agencies' data of the category is still served on its own ground.
      access[category] = { basis: 'restricted', withheld: 'restricted' };
      continue;
    }
    const served = SERVED_BY.find(([basis]) => grounds.whole.some((reason) => reason.basis === basis));
    const basis: CategoryBasis = grounds.closed
      ? 'not-shared'
      : served
        ? served[1]
        : grounds.partial.length > 0
          ? 'shared-in-part'
          : withheld;
    access[category] = { basis, withheld };
  }
  return access;
}

/** Each category's basis for one reader and purpose (see `categoryAccess`). */
export const categoryBasis = (
  input: Parameters<typeof categoryAccess>[0],
): Record<DataCategory, CategoryBasis> =>
  Object.fromEntries(
    Object.entries(categoryAccess(input)).map(([category, access]) => [category, access.basis]),
  ) as Record<DataCategory, CategoryBasis>;

/**
 * What a policy's answers depend on: its rules with their grounds, but not the events relied on.
 * Policies alike here answer every question alike, so work derived from one (the bases, the
 * withheld fields) can be kept for the rest.
 */
export function policySignature(policy: ReadPolicy): string {
  return JSON.stringify(
    policy.ability.rules.map((rule) => {
      const reason = policy.reasons.get(rule.reason ?? '');
      return [
        rule.inverted ?? false,
        rule.fields ?? null,
        rule.conditions ?? null,
        reason?.rule ?? null,
        reason?.basis ?? null,
        reason?.clause ?? null,
      ];
    }),
  );
}

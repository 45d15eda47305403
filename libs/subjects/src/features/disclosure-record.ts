import type { SubjectDisclosure } from '@throughline/audit';
import type { DisclosedEntry } from '../domain/disclose';

type Ground = SubjectDisclosure['grounds'][number];

/**
 * What the audit record says of one subject's disclosure: each ground relied on (with the categories
 * it opened), the fields disclosed per category, and the events. Only ids and names of fields: the
 * record must survive an erasure of the subject's personal data.
 */
export function subjectDisclosure(
  subjectId: string,
  entries: readonly DisclosedEntry[],
  options?: DisclosureOptions,
): SubjectDisclosure {
  if (options) return summarise(subjectId, entries, options);
  // A cut served again (the reader keeps cuts per document version) is summarised once.
  let summary = summaries.get(entries);
  if (summary?.subjectId !== subjectId) {
    summary = summarise(subjectId, entries, {});
    summaries.set(entries, summary);
  }
  return summary;
}

interface DisclosureOptions {
  readonly onlyCategories?: readonly string[];
  readonly fields?: Readonly<Record<string, readonly string[]>>;
  readonly withEvents?: boolean;
}

const summaries = new WeakMap<readonly DisclosedEntry[], SubjectDisclosure>();

function summarise(
  subjectId: string,
  entries: readonly DisclosedEntry[],
  options: DisclosureOptions,
): SubjectDisclosure {
  const grounds = new Map<string, Ground & { categories: string[] }>();
  const fields = new Map<string, Set<string>>();
  const positions: number[] = [];
  for (const { entry, reason } of entries) {
    const category = entry.meta.category;
    if (options.onlyCategories && !options.onlyCategories.includes(category)) continue;
    const key = `${reason.rule}|${reason.basis}|${reason.clause ?? ''}|${reason.reliedOn ?? ''}`;
    const ground = grounds.get(key) ?? { ...reason, categories: [] };
    if (!ground.categories.includes(category)) ground.categories.push(category);
    grounds.set(key, ground);
    const disclosed = fields.get(category) ?? new Set<string>();
    for (const field of options.fields?.[category] ?? Object.keys(entry.data)) disclosed.add(field);
    fields.set(category, disclosed);
    if (options.withEvents !== false) positions.push(entry.position);
  }
  return {
    subjectId,
    grounds: [...grounds.values()].map(({ rule, basis, clause, legalBasis, reliedOn, categories }) => ({
      rule,
      basis,
      clause,
      legalBasis,
      reliedOn,
      categories,
    })),
    fields: Object.fromEntries([...fields].map(([category, set]) => [category, [...set].sort()])),
    positions,
  };
}

/** The fields a subject list shows, by the category they come from. */
export const LIST_FIELDS: Readonly<Record<string, readonly string[]>> = {
  identity: ['givenName', 'familyName'],
  cohort: ['band', 'trend', 'cohortClass', 'cohortStatus', 'openNeeds'],
  custody: ['inCustody'],
  intelligence: ['wanted'],
};

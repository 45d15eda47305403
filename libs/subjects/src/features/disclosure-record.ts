import { setImmediate as yieldToLoop } from 'node:timers/promises';
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
  if (options) return new Summary(options).add(entries, 0, entries.length).of(subjectId);
  // A cut served again (the reader keeps cuts per document version) is summarised once.
  let summary = summaries.get(entries);
  if (summary?.subjectId !== subjectId) {
    summary = new Summary({}).add(entries, 0, entries.length).of(subjectId);
    summaries.set(entries, summary);
  }
  return summary;
}

/** Entries summarised at a time by `subjectDisclosureInStretches`. */
const SUMMARY_STRETCH = 5_000;

/**
 * `subjectDisclosure` of a whole subject's entries, a stretch at a time with other work let in
 * between: a subject of a hundred thousand entries is not summarised in one go.
 */
export async function subjectDisclosureInStretches(
  subjectId: string,
  entries: readonly DisclosedEntry[],
): Promise<SubjectDisclosure> {
  if (entries.length <= SUMMARY_STRETCH) return subjectDisclosure(subjectId, entries);
  const known = summaries.get(entries);
  if (known?.subjectId === subjectId) return known;
  const summary = new Summary({});
  for (let from = 0; from < entries.length; from += SUMMARY_STRETCH) {
    if (from > 0) await yieldToLoop();
    summary.add(entries, from, Math.min(entries.length, from + SUMMARY_STRETCH));
  }
  const made = summary.of(subjectId);
  summaries.set(entries, made);
  return made;
}

interface DisclosureOptions {
  readonly onlyCategories?: readonly string[];
  readonly fields?: Readonly<Record<string, readonly string[]>>;
  readonly withEvents?: boolean;
}

const summaries = new WeakMap<readonly DisclosedEntry[], SubjectDisclosure>();

/** Each ground relied on, the fields disclosed per category and the events, gathered entry by entry. */
class Summary {
  private readonly grounds = new Map<string, Ground & { categories: string[] }>();
  private readonly fields = new Map<string, Set<string>>();
  private readonly positions: number[] = [];

  constructor(private readonly options: DisclosureOptions) {}

  add(entries: readonly DisclosedEntry[], from: number, to: number): this {
    const { options, grounds, fields, positions } = this;
    for (let index = from; index < to; index++) {
      const { entry, reason } = entries[index]!;
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
    return this;
  }

  of(subjectId: string): SubjectDisclosure {
    return {
      subjectId,
      grounds: [...this.grounds.values()].map(
        ({ rule, basis, clause, legalBasis, reliedOn, categories }) => ({
          rule,
          basis,
          clause,
          legalBasis,
          reliedOn,
          categories,
        }),
      ),
      fields: Object.fromEntries([...this.fields].map(([category, set]) => [category, [...set].sort()])),
      positions: this.positions,
    };
  }
}

/** The fields a subject list shows, by the category they come from. */
export const LIST_FIELDS: Readonly<Record<string, readonly string[]>> = {
  identity: ['givenName', 'familyName'],
  cohort: ['band', 'trend', 'cohortClass', 'cohortStatus', 'openNeeds'],
  custody: ['inCustody'],
  intelligence: ['wanted'],
};

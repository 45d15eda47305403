import type { SubjectDisclosure } from './disclosure';
import type { SubjectFound } from './subject-search';

/** Why two records may be one person. */
export type DuplicateReason = 'name-and-birth' | 'identifier';

/** Two records that may be one person, for the partnership admin to merge or leave apart. */
export interface PossibleDuplicate {
  readonly records: readonly [SubjectFound, SubjectFound];
  readonly reasons: readonly DuplicateReason[];
}

/** A name as compared: accents, case, spaces, hyphens and apostrophes do not tell people apart. */
export const comparableName = (name: string): string =>
  name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}]/gu, '');

/**
 * An identifier's value as compared across schemes (and agencies' local namespaces): the same
 * number held as a prison number by one record and as a local reference by another is a clue.
 */
export const comparableIdentifierValue = (identifier: string): string => {
  const value = identifier.slice(identifier.indexOf(':') + 1);
  const local = identifier.startsWith('local:') ? value.slice(value.indexOf('/') + 1) : value;
  return local.replace(/[\s/-]/g, '').toUpperCase();
};

/**
 * The pairs of records that may be one person: the same given and family name (as compared) and
 * date of birth, or an identifier value in common under any schemes. Records already put together
 * (`sameAlready`) are left out. Pairs are in the order of their first record's id.
 */
export function possibleDuplicates(
  records: readonly SubjectFound[],
  sameAlready: (a: string, b: string) => boolean,
): PossibleDuplicate[] {
  const reasons = new Map<string, { records: [SubjectFound, SubjectFound]; reasons: Set<DuplicateReason> }>();
  const pairUp = (group: readonly SubjectFound[], reason: DuplicateReason): void => {
    for (let i = 0; i < group.length; i += 1)
      for (let j = i + 1; j < group.length; j += 1) {
        const [a, b] = [group[i]!, group[j]!].sort((x, y) => (x.subjectId < y.subjectId ? -1 : 1)) as [
          SubjectFound,
          SubjectFound,
        ];
        if (a.subjectId === b.subjectId || sameAlready(a.subjectId, b.subjectId)) continue;
        const key = `${a.subjectId}|${b.subjectId}`;
        const known = reasons.get(key) ?? { records: [a, b], reasons: new Set<DuplicateReason>() };
        known.reasons.add(reason);
        reasons.set(key, known);
      }
  };
  const groups = (keyOf: (record: SubjectFound) => readonly string[]): SubjectFound[][] => {
    const byKey = new Map<string, SubjectFound[]>();
    for (const record of records)
      for (const key of new Set(keyOf(record))) byKey.set(key, [...(byKey.get(key) ?? []), record]);
    return [...byKey.values()].filter((group) => group.length > 1);
  };
  for (const group of groups((record) =>
    record.givenName && record.familyName && record.dateOfBirth
      ? [`${comparableName(record.givenName)}|${comparableName(record.familyName)}|${record.dateOfBirth}`]
      : [],
  ))
    pairUp(group, 'name-and-birth');
  for (const group of groups((record) => record.identifiers.map(comparableIdentifierValue)))
    pairUp(group, 'identifier');
  return [...reasons.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, pair]) => ({ records: pair.records, reasons: [...pair.reasons].sort() }));
}

/** What the list disclosed of one record in it, for its audit record: who the person is, no more. */
export function duplicateDisclosure(
  found: SubjectFound & { readonly positions: readonly number[] },
): SubjectDisclosure {
  return {
    subjectId: found.subjectId,
    grounds: [
      {
        rule: 'possible-duplicates',
        basis: 'statute',
        clause: null,
        legalBasis: 'UK GDPR Art 5(1)(d) (accuracy)',
        reliedOn: null,
        categories: ['identity'],
      },
    ],
    fields: { identity: ['dateOfBirth', 'familyName', 'givenName', 'identifiers'] },
    positions: found.positions,
  };
}

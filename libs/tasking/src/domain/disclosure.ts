import type { SubjectDisclosure } from '@throughline/audit';
import type { ReleasedDetail } from './releases';

/** The board's flags by category: what a board read discloses of each row. */
export const BOARD_FIELDS: Readonly<Record<string, readonly string[]>> = {
  identity: ['givenName', 'familyName'],
  cohort: ['band', 'trend', 'cohortClass', 'category', 'openNeeds', 'keyWorkers', 'actions', 'reviewDue'],
  custody: ['inCustody', 'releaseDate'],
  intelligence: ['wanted'],
};

export const DESELECTION_FIELDS: Readonly<Record<string, readonly string[]>> = {
  identity: ['givenName', 'familyName'],
  cohort: ['cohortClass', 'deselection'],
};

/** The ground a tasking meeting's disclosure rests on. */
export const taskingGround = (categories: readonly string[]): SubjectDisclosure['grounds'][number] => ({
  rule: 'tasking-meeting',
  basis: 'always',
  clause: 'taskingMeeting',
  legalBasis: 'Information-sharing agreement: consolidated flags for the tasking meeting',
  reliedOn: null,
  categories,
});

/** What a read of the meeting's flags discloses of one row: the flags alone, on the meeting's ground. */
export const flagsDisclosure =
  (fields: Readonly<Record<string, readonly string[]>>) =>
  (row: { readonly subjectId: string }): SubjectDisclosure => ({
    subjectId: row.subjectId,
    grounds: [taskingGround(Object.keys(fields))],
    fields,
    positions: [],
  });

/**
 * What a board read discloses of one row: the flags on the meeting's ground, and each live release
 * on its own (the releasing agency's legal basis, the release event relied on, the fields and
 * events it showed).
 */
export function boardRowDisclosure(
  subjectId: string,
  released: readonly ReleasedDetail[],
  detail: 'events' | 'summary' = 'events',
): SubjectDisclosure {
  const flags = flagsDisclosure(BOARD_FIELDS)({ subjectId });
  if (released.length === 0) return flags;
  // A list that names each release (agency, categories) and links to its events shows none of them.
  if (detail === 'summary')
    return {
      ...flags,
      grounds: [
        ...flags.grounds,
        ...released.map((release) => ({
          rule: 'owner-release',
          basis: 'release',
          clause: 'taskingMeeting',
          legalBasis: release.legalBasis,
          reliedOn: release.eventId,
          categories: [...release.categories],
        })),
      ],
    };
  const fields = new Map(Object.entries(BOARD_FIELDS).map(([category, names]) => [category, new Set(names)]));
  const positions: number[] = [];
  for (const release of released) {
    for (const event of release.events) {
      const names = fields.get(event.category) ?? new Set<string>();
      for (const name of Object.keys(event.data)) names.add(name);
      fields.set(event.category, names);
      positions.push(event.position);
    }
  }
  return {
    subjectId,
    grounds: [
      ...flags.grounds,
      ...released
        .filter((release) => release.events.length > 0)
        .map((release) => ({
          rule: 'owner-release',
          basis: 'release',
          clause: 'taskingMeeting',
          legalBasis: release.legalBasis,
          reliedOn: release.eventId,
          categories: [...new Set(release.events.map((event) => event.category))],
        })),
    ],
    fields: Object.fromEntries([...fields].map(([category, names]) => [category, [...names].sort()])),
    positions,
  };
}

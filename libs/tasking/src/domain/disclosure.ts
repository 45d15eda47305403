import type { SubjectDisclosure } from '@throughline/audit';

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

export const DATA_CATEGORIES = [
  'identity',
  'cohort',
  'offending',
  'intelligence',
  'custody',
  'supervision',
  'risk',
  'drugs',
  'health',
  'housing',
  'ete',
  'finance',
  'family',
  'consent',
  'safeguarding',
] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

/** Special category data (DPA 2018 s.35/s.42): shared only with consent, safeguarding or statute. */
export const SPECIAL_CATEGORIES: readonly DataCategory[] = ['drugs', 'health', 'family'];

export const PURPOSES_OF_USE = [
  'case-management',
  'tasking',
  'safeguarding',
  'continuity-of-care',
  'enforcement',
  'audit',
  'subject-access',
] as const;
export type PurposeOfUse = (typeof PURPOSES_OF_USE)[number];

/**
 * What a role may be allowed to read, by kind of route: a person's subject record and timeline, the
 * tasking board, the IG audit tools, subject access exports, aggregates (no person named), and the
 * identity tools (records that may be one person).
 */
export const VIEWS = ['subjects', 'tasking', 'audit', 'subject-access', 'aggregates', 'identity'] as const;
export type View = (typeof VIEWS)[number];
export const isView = (value: string): value is View => (VIEWS as readonly string[]).includes(value);

export const isDataCategory = (value: string): value is DataCategory =>
  (DATA_CATEGORIES as readonly string[]).includes(value);
export const isPurposeOfUse = (value: string): value is PurposeOfUse =>
  (PURPOSES_OF_USE as readonly string[]).includes(value);

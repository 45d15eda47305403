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

export const isDataCategory = (value: string): value is DataCategory =>
  (DATA_CATEGORIES as readonly string[]).includes(value);
export const isPurposeOfUse = (value: string): value is PurposeOfUse =>
  (PURPOSES_OF_USE as readonly string[]).includes(value);

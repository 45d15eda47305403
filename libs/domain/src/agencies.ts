/** The default partners of an IOM partnership. A partnership may add others by configuration. */
export const DEFAULT_AGENCIES = ['police', 'probation', 'prison', 'health', 'housing', 'voluntary'] as const;
export type DefaultAgency = (typeof DEFAULT_AGENCIES)[number];
/** An agency identifier: one of the defaults or one a partnership configured. */
export type AgencyId = string;

export const ROLES = [
  'iom-officer',
  'offender-manager',
  'prison-officer',
  'drug-worker',
  'housing-officer',
  'mentor',
  'analyst',
  'tasking-chair',
  'ig-lead',
  'partnership-admin',
  'system',
] as const;
export type Role = (typeof ROLES)[number];

export const isDefaultAgency = (value: string): value is DefaultAgency =>
  (DEFAULT_AGENCIES as readonly string[]).includes(value);

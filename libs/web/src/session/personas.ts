/** A demo persona: one agency and role, as a new user would pick it in embedded mode. */
export interface Persona {
  readonly key: string;
  readonly agency: string;
  readonly role: string;
  /** The user id the token names unless the person types their own. */
  readonly user: string;
  readonly title: string;
  readonly description: string;
}

export const PERSONAS: readonly Persona[] = [
  {
    key: 'police-iom-officer',
    agency: 'police',
    role: 'iom-officer',
    user: 'pc-101',
    title: 'IOM police officer',
    description: 'Police: offending, intelligence, custody and supervision for the cohort',
  },
  {
    key: 'probation-offender-manager',
    agency: 'probation',
    role: 'offender-manager',
    user: 'om-204',
    title: 'Offender manager',
    description: 'Probation: orders, licences, appointments, risk and resettlement',
  },
  {
    key: 'prison-prison-officer',
    agency: 'prison',
    role: 'prison-officer',
    user: 'po-318',
    title: 'Prison officer',
    description: 'Prison: custody, release planning and throughcare',
  },
  {
    key: 'health-drug-worker',
    agency: 'health',
    role: 'drug-worker',
    user: 'dw-412',
    title: 'Drug worker',
    description: 'Health: treatment, drug tests and health; custody dates only',
  },
  {
    key: 'housing-housing-officer',
    agency: 'housing',
    role: 'housing-officer',
    user: 'ho-517',
    title: 'Housing officer',
    description: 'Housing: accommodation, key workers, custody dates only',
  },
  {
    key: 'voluntary-mentor',
    agency: 'voluntary',
    role: 'mentor',
    user: 'mentor-623',
    title: 'Mentor (voluntary sector)',
    description: 'Voluntary: housing, employment and finance; never arrests or wanted status',
  },
  {
    key: 'police-tasking-chair',
    agency: 'police',
    role: 'tasking-chair',
    user: 'chair-01',
    title: 'Tasking meeting chair',
    description: 'The cohort board: flags, actions, reviews and de-selections',
  },
  {
    key: 'partnership-ig-lead',
    agency: 'partnership',
    role: 'ig-lead',
    user: 'ig-01',
    title: 'Information-governance lead',
    description: 'Disclosure register, refusals, break-glass reviews, verification, exports',
  },
  {
    key: 'police-ig-lead',
    agency: 'police',
    role: 'ig-lead',
    user: 'ig-police-01',
    title: 'Police information-governance lead',
    description: 'As the partnership IG lead, and the police records: MoPI reviews due, restrictions',
  },
];

export const personaByKey = (key: string): Persona | undefined =>
  PERSONAS.find((persona) => persona.key === key);

export const CHAIR_ROLE = 'tasking-chair';
export const IG_ROLE = 'ig-lead';

/** Where each role starts: the board for a chair, the console for IG, the subjects for the rest. */
export const homeFor = (role: string): string =>
  role === CHAIR_ROLE ? '/app/board' : role === IG_ROLE ? '/app/ig' : '/app/subjects';

import type { OffenceGroup } from '@throughline/domain';

/** Invented people in an invented partnership; the place names only give the data a local feel. */
export const MALE_NAMES = [
  'Daniel',
  'Craig',
  'Damon',
  'Dave',
  'Bob',
  'Gavin',
  'Lee',
  'Wayne',
  'Darren',
  'Jamie',
  'Ryan',
  'Kyle',
  'Liam',
  'Connor',
  'Jordan',
  'Dean',
  'Scott',
  'Carl',
  'Paul',
  'Mark',
  'Shane',
  'Jason',
  'Stuart',
  'Tony',
  'Nathan',
  'Ashley',
  'Jake',
  'Kieran',
  'Reece',
  'Aaron',
  'Mohammed',
  'Imran',
  'Tomasz',
  'Marek',
  'Callum',
] as const;
export const FEMALE_NAMES = [
  'Lisa',
  'Kelly',
  'Michelle',
  'Donna',
  'Stacey',
  'Leanne',
  'Sarah',
  'Gemma',
  'Kerry',
  'Jade',
  'Amy',
  'Nicola',
] as const;
export const FAMILY_NAMES = [
  'Hartshorne',
  'Bourne',
  'Salt',
  'Heath',
  'Plant',
  'Beech',
  'Tunnicliffe',
  'Boulton',
  'Alcock',
  'Bagnall',
  'Machin',
  'Mountford',
  'Wedgwood',
  'Shenton',
  'Steele',
  'Cartlidge',
  'Hulme',
  'Barlow',
  'Proctor',
  'Riley',
  'Walker',
  'Jones',
  'Smith',
  'Clarke',
  'Turner',
  'Hughes',
  'Evans',
  'Khan',
  'Hussain',
  'Kowalski',
  'Walsh',
  'Doyle',
  'Brennan',
  'Lowe',
  'Wright',
  'Fenton',
  'Goodwin',
  'Hollins',
  'Dale',
  'Sherratt',
] as const;

export const OFFENCES: readonly (readonly [string, OffenceGroup, number])[] = [
  ['Burglary dwelling', 'burglary', 5],
  ['Burglary other than dwelling', 'burglary', 3],
  ['Robbery of personal property', 'robbery', 2],
  ['Theft of a motor vehicle', 'vehicle-crime', 3],
  ['Theft from a motor vehicle', 'vehicle-crime', 4],
  ['Theft from a shop', 'shoplifting', 8],
  ['Theft from the person', 'theft', 2],
  ['Handling stolen goods', 'theft', 2],
  ['Fraud by false representation', 'fraud', 1],
  ['Possession of a class A drug', 'drugs', 3],
  ['Possession with intent to supply', 'drugs', 1],
  ['Assault occasioning actual bodily harm', 'violence', 2],
  ['Common assault', 'violence', 2],
  ['Threatening behaviour', 'public-order', 2],
  ['Criminal damage', 'criminal-damage', 2],
  ['Failing to surrender to bail', 'breach', 1],
];

export const CUSTODY_SUITES = [
  'Northern Area Custody',
  'Watling Street Custody',
  'Stafford Custody',
] as const;
export const MAGISTRATES = [
  'North Staffordshire Justice Centre',
  'Stafford Magistrates',
  'Cannock Magistrates',
] as const;
export const CROWN_COURT = 'Stoke-on-Trent Crown Court';

export const REMAND_PRISONS = ['HMP Birmingham', 'HMP Stoke Heath', 'HMP Dovegate'] as const;
export const TRAINING_PRISONS = [
  'HMP Featherstone',
  'HMP Oakwood',
  'HMP Stafford',
  'HMP Drake Hall',
] as const;
export const YOUNG_ADULT_PRISON = 'HMYOI Swinfen Hall';
export const WOMENS_PRISON = 'HMP Drake Hall';

export const WORKERS = {
  police: ['PC 4471 Sam Begum', 'PC 2210 Gary Lomas', 'DC 1187 Helen Sutton', 'PC 3356 Andy Cope'],
  probation: ['Jo Okafor', 'Martin Fradley', 'Priya Nandha', 'Claire Birks', 'Tom Elkin'],
  health: ['Ravi Patel', 'Sue Capewell', 'Dawn Meakin'],
  housing: ['Karen Whitehurst', 'Neil Bloor'],
  voluntary: ['Ali Shah', 'Becky Mycock', 'Pete Mellor', 'Sandra Oakes'],
  prison: ['Officer Hammersley', 'Officer Dean'],
} as const;

/**
 * The user ids of the workers who sign in as the demo personas (libs/web's personas), so a
 * persona's inbox marks the people they are key worker for as theirs; the other workers are
 * named only by name, as a system that knows no sign-in would name them.
 */
export const WORKER_USERS: Readonly<Record<string, string>> = {
  'PC 4471 Sam Begum': 'pc-101',
  'Jo Okafor': 'om-204',
  'Officer Hammersley': 'po-318',
  'Ravi Patel': 'dw-412',
  'Karen Whitehurst': 'ho-517',
  'Ali Shah': 'mentor-623',
};

export const CONTACTS = {
  police: '01782 000101',
  probation: '01782 000202',
  health: '01782 000303',
  housing: '01782 000404',
  voluntary: '01782 000505',
  prison: '01785 000606',
} as const;

export const STREETS = [
  'Victoria Road',
  'Lightwood Road',
  'Uttoxeter Road',
  'King Street',
  'Church Street',
  'Waterloo Road',
  'Leek Road',
  'Werrington Road',
  'Weston Road',
  'High Street',
  'Market Lane',
  'Chell Heath Road',
] as const;
export const TOWNS = [
  'Longton',
  'Hanley',
  'Fenton',
  'Burslem',
  'Tunstall',
  'Stoke',
  'Meir',
  'Bentilee',
] as const;
export const HOSTELS = ['Hanley Hostel', 'Longton Direct Access', 'Burslem Foyer'] as const;
export const APPROVED_PREMISES = ['Approved premises, Wolstanton', 'Approved premises, Stafford'] as const;

export const TREATMENT_PROVIDERS = [
  'Community drug service',
  'Recovery hub',
  'Residential rehab, Leek',
] as const;
export const ETE_PROVIDERS = [
  'Construction skills course',
  'Job centre work coach',
  'IOM computer class',
  'Warehouse, Trentham',
] as const;

export const MISSED_REASONS: readonly (readonly [string, boolean, number])[] = [
  ['No contact', false, 5],
  ['Forgot the appointment', false, 3],
  ['Unwell, sick note provided', true, 2],
  ['Attending job interview', true, 1],
  ['Childcare problem', true, 1],
  ['Arrested the day before', true, 1],
];

import {
  type CohortCategory,
  type DefaultAgency,
  type Gender,
  type IdentifierScheme,
  nhsNumberOf,
  pncIdOf,
} from '@throughline/domain';
import type { Rng } from './prng';
import { FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES } from './reference';
import { DAY } from './time';

/** Where a person is on the road to desistance (the four groups of 001:886-916). */
export interface Profile {
  readonly category: CohortCategory;
  /** Weekly chance of arrest before anything else changes it. */
  readonly arrestHazard: number;
  /** Chance of keeping any one appointment. */
  readonly engagement: number;
  readonly drugs: 'none' | 'cannabis' | 'crack' | 'heroin';
  /** Chance per week of turning a corner once things are stable. */
  readonly desistance: number;
}

export interface Identity {
  readonly givenName: string;
  readonly familyName: string;
  readonly gender: Gender;
  readonly dateOfBirth: number;
  readonly pnc: string;
  readonly crn: string;
  readonly nomis: string;
  readonly nhs: string;
  readonly housingId: string;
  readonly voluntaryId: string;
}

/**
 * The identifier each agency's system holds for a person, which it alone registers or links (the
 * default issuers; housing and voluntary each keep a local id).
 */
export function identifierFor(
  identity: Identity,
  agency: DefaultAgency,
): { readonly scheme: IdentifierScheme; readonly value: string } {
  switch (agency) {
    case 'police':
      return { scheme: 'pnc', value: identity.pnc };
    case 'probation':
      return { scheme: 'crn', value: identity.crn };
    case 'prison':
      return { scheme: 'nomis', value: identity.nomis };
    case 'health':
      return { scheme: 'nhs', value: identity.nhs };
    case 'housing':
      return { scheme: 'local', value: identity.housingId };
    case 'voluntary':
      return { scheme: 'local', value: identity.voluntaryId };
  }
}

/** NHS numbers in the 999 range are reserved for test data; the tenth digit is a modulus 11 check. */
function nhsNumber(rng: Rng): string {
  for (;;) {
    const number = nhsNumberOf(`999${rng.digits(6)}`);
    if (number) return number;
  }
}

export function profileFor(rng: Rng, category: CohortCategory): Profile {
  switch (category) {
    case 1:
      return {
        category,
        arrestHazard: 0.024,
        engagement: 0.85,
        drugs: rng.weighted([
          ['none', 5],
          ['cannabis', 4],
          ['crack', 1],
        ]),
        desistance: 0.015,
      };
    case 2:
      return {
        category,
        arrestHazard: 0.04,
        engagement: 0.8,
        drugs: rng.weighted([
          ['heroin', 6],
          ['crack', 3],
          ['none', 1],
        ]),
        desistance: 0.01,
      };
    case 3:
      return {
        category,
        arrestHazard: 0.045,
        engagement: 0.66,
        drugs: rng.weighted([
          ['heroin', 5],
          ['crack', 3],
          ['cannabis', 1],
          ['none', 1],
        ]),
        desistance: 0.004,
      };
    case 4:
      return {
        category,
        arrestHazard: 0.065,
        engagement: 0.55,
        drugs: rng.weighted([
          ['heroin', 4],
          ['crack', 4],
          ['cannabis', 2],
          ['none', 1],
        ]),
        desistance: 0.002,
      };
  }
}

/** Draws identities one after another so every identifier is unique across the partnership. */
export class IdentityFactory {
  private readonly used = new Set<string>();
  private serial = 0;

  constructor(
    private readonly rng: Rng,
    private readonly start: number,
  ) {}

  private unique(make: () => string): string {
    for (;;) {
      const value = make();
      if (!this.used.has(value)) {
        this.used.add(value);
        return value;
      }
    }
  }

  next(category: CohortCategory): Identity {
    const rng = this.rng;
    this.serial += 1;
    const female = rng.chance(category === 3 ? 0.3 : 0.1);
    const startYear = new Date(this.start).getUTCFullYear();
    const age = category === 1 ? rng.int(18, 24) : rng.int(23, 52);
    const dateOfBirth = Date.UTC(startYear - age, 0, 1) - rng.int(0, 364) * DAY;
    const firstArrestYear = Math.min(startYear - 1, startYear - age + rng.int(13, 19));
    const hasPrisonHistory = category !== 1 && rng.chance(0.8);
    const identity: Identity = {
      givenName: rng.pick(female ? FEMALE_NAMES : MALE_NAMES),
      familyName: rng.pick(FAMILY_NAMES),
      gender: female ? 'female' : 'male',
      dateOfBirth,
      pnc: this.unique(() => pncIdOf(firstArrestYear, rng.int(1, 9_999_999))),
      crn: this.unique(() => `${rng.letters(1)}${rng.digits(6)}`),
      nomis: this.unique(() => `${rng.pick(['A', 'G'])}${rng.digits(4)}${rng.letters(2)}`),
      nhs: this.unique(() => nhsNumber(rng)),
      housingId: `HSG-${String(this.serial).padStart(6, '0')}`,
      voluntaryId: `VOL-${String(this.serial).padStart(6, '0')}`,
    };
    // Which of their identifiers a person's registration listed, once drawn here: a registration now
    // gives only the registering agency's own (decision 0021), the rest being linked by their
    // issuers when first used. The draws stay, so a seed gives the same people and journeys.
    rng.chance(0.6);
    if (hasPrisonHistory) rng.chance(0.7);
    rng.chance(0.3);
    return identity;
  }
}

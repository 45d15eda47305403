import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { ROLES, type Role } from '../agencies';
import { AGENCY_ID_PATTERN } from './common';
import { IsCalendarDate, Optional } from './dates';
import { defineEvent } from './spec';

/** Bands of the 0-64 risk matrix (001:437): red 39-64, amber 20-38, green 0-19. */
export const COHORT_BANDS = ['red', 'amber', 'green'] as const;
export type CohortBand = (typeof COHORT_BANDS)[number];
export const SCORE_MAX = 64;

/** The band a score falls in, so publishers and projections agree on the thresholds. */
export const bandOfScore = (score: number): CohortBand =>
  score >= 39 ? 'red' : score >= 20 ? 'amber' : 'green';

/** Cohort classes (001:431); the `target` classes are mostly non-statutory. */
export const COHORT_CLASSES = ['PPO', 'PPO-target', 'CuD', 'DYO', 'target', 'monitor'] as const;
export type CohortClass = (typeof COHORT_CLASSES)[number];

/**
 * Who benefits (001:886-916): 1 last chance before custody, 2 prison regulars ready to change,
 * 3 vulnerable non-copers, 4 not yet ready to change.
 */
export const COHORT_CATEGORIES = [1, 2, 3, 4] as const;
export type CohortCategory = (typeof COHORT_CATEGORIES)[number];

export const DESELECTION_REASONS = [
  'progress',
  'not-engaging',
  'capacity',
  'moved',
  'died',
  'other',
] as const;
export type DeselectionReason = (typeof DESELECTION_REASONS)[number];

/** The seven reducing-re-offending pathways. */
export const PATHWAYS = [
  'accommodation',
  'ete',
  'health',
  'drugs-alcohol',
  'finance',
  'children-families',
  'attitudes',
] as const;
export type Pathway = (typeof PATHWAYS)[number];

export const NEED_LEVELS = ['none', 'low', 'medium', 'high'] as const;
export type NeedLevel = (typeof NEED_LEVELS)[number];

export class ReferralReceivedV1 {
  @Matches(AGENCY_ID_PATTERN) readonly referredBy!: string;
  @IsString() @Length(1, 1000) readonly reason!: string;
  @Optional() @IsString() @Length(1, 100) readonly referrer?: string;
}

export class ScoreFactors {
  @IsInt() @Min(0) @Max(SCORE_MAX) readonly recentOffending!: number;
  @IsInt() @Min(0) @Max(SCORE_MAX) readonly riskOfHarm!: number;
  @IsInt() @Min(0) @Max(SCORE_MAX) readonly intelligence!: number;
  @IsInt() @Min(0) @Max(SCORE_MAX) readonly linkedSeries!: number;
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(5) readonly multiplier!: number;
}

export class CohortScoredV1 {
  @IsInt() @Min(0) @Max(SCORE_MAX) readonly score!: number;
  @IsIn(COHORT_BANDS) readonly band!: CohortBand;
  @IsObject() @ValidateNested() @Type(() => ScoreFactors) readonly factors!: ScoreFactors;
  @Optional() @IsString() @Length(1, 1000) readonly note?: string;
}

export class CohortAdoptedV1 {
  @IsIn(COHORT_CLASSES) readonly cohortClass!: CohortClass;
  @IsIn(COHORT_CATEGORIES) readonly category!: CohortCategory;
  @IsBoolean() readonly statutory!: boolean;
  @IsCalendarDate() readonly reviewDue!: string;
  /** The tasking meeting that decided it, when one did. */
  @Optional() @IsString() @Length(1, 100) readonly meeting?: string;
}

export class CohortDeselectedV1 {
  @IsIn(DESELECTION_REASONS) readonly reason!: DeselectionReason;
  @Optional() @IsString() @Length(1, 1000) readonly note?: string;
  /** The tasking meeting that decided it, when one did. */
  @Optional() @IsString() @Length(1, 100) readonly meeting?: string;
}

export class KeyWorkerAssignedV1 {
  @Matches(AGENCY_ID_PATTERN) readonly agency!: string;
  @IsString() @Length(1, 100) readonly worker!: string;
  @IsString() @Length(1, 200) readonly contact!: string;
  @Optional() @IsIn(ROLES) readonly role?: Role;
  /**
   * The worker's user id at the agency, as its sign-in names them: puts the person on that
   * worker's own caseload (their inbox marks the person as theirs). Without it the person is on the
   * agency's caseload alone.
   */
  @Optional() @IsString() @Length(1, 200) readonly user?: string;
}

export class PathwayNeedAssessedV1 {
  @IsIn(PATHWAYS) readonly pathway!: Pathway;
  @IsIn(NEED_LEVELS) readonly level!: NeedLevel;
  @Optional() @IsString() @Length(1, 1000) readonly note?: string;
}

export const cohortEvents = {
  'iom.referral.received.v1': defineEvent({
    category: 'cohort',
    publishers: ['police', 'probation', 'prison'],
    schema: ReferralReceivedV1,
    summary: 'The subject is referred to the IOM unit for assessment.',
  }),
  'iom.cohort.scored.v1': defineEvent({
    category: 'cohort',
    publishers: ['police'],
    schema: CohortScoredV1,
    summary: 'The subject is scored on the 0-64 risk matrix and banded red, amber or green.',
  }),
  'iom.cohort.adopted.v1': defineEvent({
    category: 'cohort',
    publishers: ['police', 'probation'],
    schema: CohortAdoptedV1,
    summary: 'The subject is adopted into the cohort (or re-classed), with a review date.',
  }),
  'iom.cohort.deselected.v1': defineEvent({
    category: 'cohort',
    publishers: ['police', 'probation'],
    schema: CohortDeselectedV1,
    summary: 'The subject leaves the cohort; the reason feeds the de-selection register.',
  }),
  'iom.key-worker.assigned.v1': defineEvent({
    category: 'cohort',
    publishers: 'any',
    schema: KeyWorkerAssignedV1,
    summary: "A named worker becomes the subject's key worker for an agency (replacing any previous one).",
  }),
  'iom.pathway.need-assessed.v1': defineEvent({
    category: 'cohort',
    publishers: 'any',
    schema: PathwayNeedAssessedV1,
    summary: 'The level of need on one reducing-re-offending pathway is assessed.',
  }),
} as const;

import { IsBoolean, IsIn, IsString, Length, Matches } from 'class-validator';
import { Optional } from './dates';
import { defineEvent } from './spec';

export const WANTED_REASONS = ['warrant', 'recall', 'failed-to-appear', 'suspect', 'breach'] as const;
export type WantedReason = (typeof WANTED_REASONS)[number];

export const WANTED_CLEARED_REASONS = ['arrested', 'surrendered', 'withdrawn', 'other'] as const;
export type WantedClearedReason = (typeof WANTED_CLEARED_REASONS)[number];

/** The 3x5x2 grading: source evaluation 1-3, intelligence assessment A-E, handling code P or C. */
export const INTELLIGENCE_GRADING_PATTERN = /^[1-3][A-E][PC]$/;

export const INTELLIGENCE_TOPICS = [
  'acquisitive-crime',
  'drug-supply',
  'associates',
  'whereabouts',
  'weapons',
  'vulnerability',
  'other',
] as const;
export type IntelligenceTopic = (typeof INTELLIGENCE_TOPICS)[number];

export class WantedFlaggedV1 {
  @IsIn(WANTED_REASONS) readonly reason!: WantedReason;
  @IsBoolean() readonly warrant!: boolean;
  @Optional() @IsString() @Length(1, 64) readonly warrantReference?: string;
  @Optional() @IsString() @Length(1, 500) readonly note?: string;
}

export class WantedClearedV1 {
  @IsIn(WANTED_CLEARED_REASONS) readonly reason!: WantedClearedReason;
  @Optional() @IsString() @Length(1, 500) readonly note?: string;
}

export class IntelligenceLoggedV1 {
  @Matches(INTELLIGENCE_GRADING_PATTERN) readonly grading!: string;
  @IsIn(INTELLIGENCE_TOPICS) readonly topic!: IntelligenceTopic;
  @IsString() @Length(1, 2000) readonly summary!: string;
}

export const intelligenceEvents = {
  'iom.wanted.flagged.v1': defineEvent({
    category: 'intelligence',
    publishers: ['police'],
    schema: WantedFlaggedV1,
    summary: 'The police mark the subject as wanted.',
  }),
  'iom.wanted.cleared.v1': defineEvent({
    category: 'intelligence',
    publishers: ['police'],
    schema: WantedClearedV1,
    summary: 'The subject is no longer wanted.',
  }),
  'iom.intelligence.logged.v1': defineEvent({
    category: 'intelligence',
    publishers: ['police'],
    schema: IntelligenceLoggedV1,
    summary: 'A graded intelligence item about the subject (police-side partners only by default).',
  }),
} as const;

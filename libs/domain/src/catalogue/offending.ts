import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsObject,
  IsString,
  Length,
  ValidateNested,
} from 'class-validator';
import { IsCalendarDate, IsInstant, Optional } from './dates';
import { defineEvent } from './spec';

/** Offence groups the dashboard counts by; serious acquisitive crime (SAC) is the IOM core. */
export const OFFENCE_GROUPS = [
  'burglary',
  'robbery',
  'vehicle-crime',
  'theft',
  'shoplifting',
  'fraud',
  'drugs',
  'violence',
  'public-order',
  'criminal-damage',
  'breach',
  'other',
] as const;
export type OffenceGroup = (typeof OFFENCE_GROUPS)[number];

/** The groups counted as serious acquisitive crime. */
export const SERIOUS_ACQUISITIVE_GROUPS: readonly OffenceGroup[] = ['burglary', 'robbery', 'vehicle-crime'];

export const CHARGE_OUTCOMES = ['bailed', 'remanded'] as const;
export type ChargeOutcome = (typeof CHARGE_OUTCOMES)[number];

export class ArrestRecordedV1 {
  @IsString() @Length(1, 200) readonly offence!: string;
  @IsIn(OFFENCE_GROUPS) readonly offenceGroup!: OffenceGroup;
  @IsInstant() readonly arrestedAt!: string;
  @IsString() @Length(1, 100) readonly custodySuite!: string;
}

export class OffenceData {
  @IsString() @Length(1, 200) readonly offence!: string;
  @IsIn(OFFENCE_GROUPS) readonly offenceGroup!: OffenceGroup;
}

export class ChargeRecordedV1 {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => OffenceData)
  readonly offences!: readonly OffenceData[];
  @IsIn(CHARGE_OUTCOMES) readonly outcome!: ChargeOutcome;
  @IsString() @Length(1, 100) readonly court!: string;
  @Optional() @IsCalendarDate() readonly firstHearing?: string;
}

export class ConvictionRecordedV1 {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => OffenceData)
  readonly offences!: readonly OffenceData[];
  @IsString() @Length(1, 100) readonly court!: string;
  @IsCalendarDate() readonly convictedOn!: string;
  @IsString() @Length(1, 500) readonly sentenceSummary!: string;
}

export const offendingEvents = {
  'iom.arrest.recorded.v1': defineEvent({
    category: 'offending',
    publishers: ['police'],
    schema: ArrestRecordedV1,
    summary: 'The police arrested the subject.',
  }),
  'iom.charge.recorded.v1': defineEvent({
    category: 'offending',
    publishers: ['police'],
    schema: ChargeRecordedV1,
    summary: 'The subject is charged and either bailed to court or remanded in custody.',
  }),
  'iom.conviction.recorded.v1': defineEvent({
    category: 'offending',
    publishers: ['police', 'probation'],
    schema: ConvictionRecordedV1,
    summary: 'A court convicts the subject; the sentence itself follows as iom.sentence.imposed.v1.',
  }),
} as const;

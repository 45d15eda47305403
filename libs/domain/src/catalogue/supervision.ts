import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { AGENCY_ID_PATTERN, LOCAL_ID_PATTERN } from './common';
import { IsCalendarDate, IsInstant, Optional } from './dates';
import { defineEvent } from './spec';

export const HOME_VISIT_OUTCOMES = ['seen', 'not-home', 'refused-entry', 'concerns-noted'] as const;
export type HomeVisitOutcome = (typeof HOME_VISIT_OUTCOMES)[number];

export const SENTENCE_ORDERS = ['community', 'suspended', 'custody'] as const;
export type SentenceOrder = (typeof SENTENCE_ORDERS)[number];

/** Drug rehabilitation, alcohol treatment, education-training-employment, curfew and other requirements. */
export const SENTENCE_REQUIREMENTS = [
  'DRR',
  'ATR',
  'ETE',
  'curfew',
  'unpaid-work',
  'rehabilitation-activity',
  'programme',
  'mental-health-treatment',
] as const;
export type SentenceRequirement = (typeof SENTENCE_REQUIREMENTS)[number];

export const LICENCE_CONDITIONS = [
  'drug-testing',
  'drug-appointment',
  'residence',
  'exclusion-zone',
  'curfew',
  'electronic-monitoring',
  'non-association',
  'no-contact',
] as const;
export type LicenceCondition = (typeof LICENCE_CONDITIONS)[number];

export const BREACHABLE_ORDERS = ['community', 'suspended', 'licence', 'post-sentence-supervision'] as const;
export type BreachableOrder = (typeof BREACHABLE_ORDERS)[number];

/** Kept apart so a recall is never counted as new offending (001:783). */
export const RECALL_REASONS = ['no-new-offence', 'new-offence'] as const;
export type RecallReason = (typeof RECALL_REASONS)[number];

export class HomeVisitRecordedV1 {
  @IsIn(HOME_VISIT_OUTCOMES) readonly outcome!: HomeVisitOutcome;
  @IsString() @Length(1, 100) readonly by!: string;
  @Optional() @IsString() @Length(1, 1000) readonly note?: string;
}

export class SentenceImposedV1 {
  @IsIn(SENTENCE_ORDERS) readonly order!: SentenceOrder;
  @IsArray()
  @ArrayMaxSize(SENTENCE_REQUIREMENTS.length)
  @ArrayUnique()
  @IsIn(SENTENCE_REQUIREMENTS, { each: true })
  readonly requirements!: readonly SentenceRequirement[];
  @IsInt() @Min(1) @Max(600) readonly lengthMonths!: number;
  @IsString() @Length(1, 100) readonly court!: string;
}

export class LicenceConditionsSetV1 {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(LICENCE_CONDITIONS.length)
  @ArrayUnique()
  @IsIn(LICENCE_CONDITIONS, { each: true })
  readonly conditions!: readonly LicenceCondition[];
  @IsCalendarDate() readonly licenceEnds!: string;
}

/** Appointment events share these fields; `appointmentId` ties scheduled to attended or missed. */
export class AppointmentData {
  @Matches(LOCAL_ID_PATTERN) readonly appointmentId!: string;
  @Matches(AGENCY_ID_PATTERN) readonly with!: string;
  @IsString() @Length(1, 200) readonly purpose!: string;
  @IsInstant() readonly at!: string;
}

export class AppointmentScheduledV1 extends AppointmentData {}

export class AppointmentAttendedV1 extends AppointmentData {}

export class AppointmentMissedV1 extends AppointmentData {
  @IsString() @Length(1, 500) readonly reason!: string;
  @IsBoolean() readonly acceptable!: boolean;
}

export class BreachRecordedV1 {
  @IsIn(BREACHABLE_ORDERS) readonly order!: BreachableOrder;
  @IsString() @Length(1, 500) readonly reason!: string;
}

export class RecallRecordedV1 {
  @IsIn(RECALL_REASONS) readonly reason!: RecallReason;
  @Optional() @IsString() @Length(1, 500) readonly note?: string;
}

export const supervisionEvents = {
  'iom.home-visit.recorded.v1': defineEvent({
    category: 'supervision',
    publishers: ['police', 'probation'],
    schema: HomeVisitRecordedV1,
    summary: 'A police or probation officer visited the subject at home.',
  }),
  'iom.sentence.imposed.v1': defineEvent({
    category: 'supervision',
    publishers: ['probation'],
    schema: SentenceImposedV1,
    summary: 'A court imposes a community order, suspended sentence or custodial sentence.',
  }),
  'iom.licence.conditions-set.v1': defineEvent({
    category: 'supervision',
    publishers: ['probation'],
    schema: LicenceConditionsSetV1,
    summary: 'The conditions of a release licence are set (they replace any earlier set).',
  }),
  'iom.appointment.scheduled.v1': defineEvent({
    category: 'supervision',
    publishers: 'any',
    schema: AppointmentScheduledV1,
    summary: 'An appointment with an agency is booked.',
  }),
  'iom.appointment.attended.v1': defineEvent({
    category: 'supervision',
    publishers: 'any',
    schema: AppointmentAttendedV1,
    summary: 'The subject kept an appointment.',
  }),
  'iom.appointment.missed.v1': defineEvent({
    category: 'supervision',
    publishers: 'any',
    schema: AppointmentMissedV1,
    summary: 'The subject missed an appointment; `acceptable` says whether the absence was excused.',
  }),
  'iom.breach.recorded.v1': defineEvent({
    category: 'supervision',
    publishers: ['probation'],
    schema: BreachRecordedV1,
    summary: 'Probation starts breach action on an order or licence.',
  }),
  'iom.recall.recorded.v1': defineEvent({
    category: 'supervision',
    publishers: ['probation'],
    schema: RecallRecordedV1,
    summary: 'The subject is recalled to custody on licence; new custody follows as iom.custody.received.v1.',
  }),
} as const;

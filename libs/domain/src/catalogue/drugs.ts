import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsString,
  Length,
  ValidateNested,
} from 'class-validator';
import { Optional } from './dates';
import { defineEvent } from './spec';

export const DRUG_TEST_CONTEXTS = ['on-arrest', 'licence', 'prison-mandatory', 'voluntary'] as const;
export type DrugTestContext = (typeof DRUG_TEST_CONTEXTS)[number];

export const SUBSTANCES = [
  'opiates',
  'cocaine',
  'cannabis',
  'amphetamines',
  'benzodiazepines',
  'synthetic-cannabinoids',
  'methadone',
  'buprenorphine',
  'alcohol',
] as const;
export type Substance = (typeof SUBSTANCES)[number];

export const DRUG_TEST_RESULTS = ['positive', 'negative'] as const;
export type DrugTestResult = (typeof DRUG_TEST_RESULTS)[number];

export const REQUIRED_ASSESSMENT_OUTCOMES = [
  'referred-to-treatment',
  'already-in-treatment',
  'no-treatment-need',
  'declined-further-support',
] as const;
export type RequiredAssessmentOutcome = (typeof REQUIRED_ASSESSMENT_OUTCOMES)[number];

export const TREATMENT_MODALITIES = ['prescribing', 'psychosocial', 'detox', 'residential'] as const;
export type TreatmentModality = (typeof TREATMENT_MODALITIES)[number];

export const TREATMENT_END_REASONS = ['completed', 'dropped-out', 'transferred', 'custody'] as const;
export type TreatmentEndReason = (typeof TREATMENT_END_REASONS)[number];

export class SubstanceResult {
  @IsIn(SUBSTANCES) readonly substance!: Substance;
  @IsIn(DRUG_TEST_RESULTS) readonly result!: DrugTestResult;
}

export class DrugTestRecordedV1 {
  @IsIn(DRUG_TEST_CONTEXTS) readonly context!: DrugTestContext;
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SUBSTANCES.length)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => SubstanceResult)
  readonly results!: readonly SubstanceResult[];
}

/** The assessment a positive test on arrest obliges the subject to attend. */
export class RequiredAssessmentRecordedV1 {
  @IsBoolean() readonly attended!: boolean;
  @Optional() @IsIn(REQUIRED_ASSESSMENT_OUTCOMES) readonly outcome?: RequiredAssessmentOutcome;
}

export class TreatmentStartedV1 {
  @IsIn(TREATMENT_MODALITIES) readonly modality!: TreatmentModality;
  @Optional() @IsIn(SUBSTANCES) readonly primarySubstance?: Substance;
  @Optional() @IsString() @Length(1, 100) readonly provider?: string;
}

export class TreatmentEndedV1 {
  @IsIn(TREATMENT_MODALITIES) readonly modality!: TreatmentModality;
  @IsIn(TREATMENT_END_REASONS) readonly reason!: TreatmentEndReason;
}

export const drugsEvents = {
  'iom.drug-test.recorded.v1': defineEvent({
    category: 'drugs',
    publishers: ['police', 'prison', 'probation', 'health'],
    schema: DrugTestRecordedV1,
    summary: 'A drug test result, one entry per substance tested.',
  }),
  'iom.required-assessment.recorded.v1': defineEvent({
    category: 'drugs',
    publishers: ['health'],
    schema: RequiredAssessmentRecordedV1,
    summary:
      'Whether the subject attended the drug assessment required after a positive test, and its outcome.',
  }),
  'iom.treatment.started.v1': defineEvent({
    category: 'drugs',
    publishers: ['health'],
    schema: TreatmentStartedV1,
    summary: 'A drug or alcohol treatment episode starts.',
  }),
  'iom.treatment.ended.v1': defineEvent({
    category: 'drugs',
    publishers: ['health'],
    schema: TreatmentEndedV1,
    summary: 'A treatment episode ends; the reason distinguishes completion from drop-out.',
  }),
} as const;

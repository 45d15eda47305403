import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsObject,
  IsNumber,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { defineEvent } from './spec';

export const RISK_TOOLS = ['OASys', 'OGRS'] as const;
export type RiskTool = (typeof RISK_TOOLS)[number];

/** Risk of serious harm levels. */
export const ROSH_LEVELS = ['low', 'medium', 'high', 'very-high'] as const;
export type RoshLevel = (typeof ROSH_LEVELS)[number];

export class RiskScore {
  /** e.g. `ogrs-1yr`, `ogrs-2yr`, `ogp`, `ovp` */
  @IsString() @Length(1, 50) readonly name!: string;
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(100) readonly value!: number;
}

export class RiskAssessedV1 {
  @IsIn(RISK_TOOLS) readonly tool!: RiskTool;
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => RiskScore)
  readonly scores!: readonly RiskScore[];
  @IsIn(ROSH_LEVELS) readonly roshLevel!: RoshLevel;
}

export const riskEvents = {
  'iom.risk.assessed.v1': defineEvent({
    category: 'risk',
    publishers: ['probation'],
    schema: RiskAssessedV1,
    summary:
      'Probation completes a risk assessment (OASys or OGRS) with its scores and risk of serious harm.',
  }),
} as const;

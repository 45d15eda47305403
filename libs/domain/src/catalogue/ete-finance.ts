import { IsBoolean, IsIn, IsString, Length } from 'class-validator';
import { IsCalendarDate, Optional } from './dates';
import { defineEvent } from './spec';

export const EMPLOYMENT_STATUSES = ['employed', 'training', 'education', 'unemployed'] as const;
export type EmploymentStatus = (typeof EMPLOYMENT_STATUSES)[number];

export const BENEFITS = ['universal-credit', 'employment-support', 'personal-independence', 'other'] as const;
export type Benefit = (typeof BENEFITS)[number];

export const CLAIM_STATUSES = ['applied', 'awarded', 'refused', 'suspended', 'sanctioned', 'closed'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

export const DEBT_BANDS = ['under-500', '500-2000', '2000-10000', 'over-10000'] as const;
export type DebtBand = (typeof DEBT_BANDS)[number];

export class EmploymentChangedV1 {
  @IsIn(EMPLOYMENT_STATUSES) readonly status!: EmploymentStatus;
  @Optional() @IsString() @Length(1, 100) readonly provider?: string;
}

export class BenefitsChangedV1 {
  @IsIn(BENEFITS) readonly benefit!: Benefit;
  @IsIn(CLAIM_STATUSES) readonly claimStatus!: ClaimStatus;
  /** Set once known: the gap from release to first payment is a partnership measure (001:695). */
  @Optional() @IsCalendarDate() readonly firstPaymentDate?: string;
}

export class DebtRecordedV1 {
  @IsIn(DEBT_BANDS) readonly amountBand!: DebtBand;
  @IsBoolean() readonly adviceGiven!: boolean;
  @Optional() @IsString() @Length(1, 500) readonly note?: string;
}

export const eteFinanceEvents = {
  'iom.employment.changed.v1': defineEvent({
    category: 'ete',
    publishers: ['voluntary', 'probation'],
    schema: EmploymentChangedV1,
    summary: "The subject's employment, training or education status changes.",
  }),
  'iom.benefits.changed.v1': defineEvent({
    category: 'finance',
    publishers: ['voluntary', 'probation'],
    schema: BenefitsChangedV1,
    summary: "A benefit claim's status changes.",
  }),
  'iom.debt.recorded.v1': defineEvent({
    category: 'finance',
    publishers: ['voluntary'],
    schema: DebtRecordedV1,
    summary: 'Debt is recorded, with whether advice was given.',
  }),
} as const;

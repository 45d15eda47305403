import { IsBoolean, IsIn, IsString, Length } from 'class-validator';
import { Optional } from './dates';
import { defineEvent } from './spec';

/** `NFA` is no fixed abode. */
export const ACCOMMODATION_STATUSES = [
  'settled',
  'temporary',
  'hostel',
  'approved-premises',
  'rough-sleeping',
  'NFA',
] as const;
export type AccommodationStatus = (typeof ACCOMMODATION_STATUSES)[number];

export class AccommodationChangedV1 {
  @IsIn(ACCOMMODATION_STATUSES) readonly status!: AccommodationStatus;
  @Optional() @IsString() @Length(1, 300) readonly address?: string;
  @IsBoolean() readonly tenancyAtRisk!: boolean;
}

export const housingEvents = {
  'iom.accommodation.changed.v1': defineEvent({
    category: 'housing',
    publishers: ['housing', 'probation', 'voluntary'],
    schema: AccommodationChangedV1,
    summary: "The subject's accommodation changes.",
  }),
} as const;

import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import type { DataCategory } from '../categories';
import { AGENCY_ID_PATTERN, IsDataCategoryList, LOCAL_ID_PATTERN } from './common';
import { IsDateOrInstant, Optional } from './dates';
import { defineEvent } from './spec';

export const SAFEGUARDING_KINDS = ['child', 'adult-at-risk', 'domestic-abuse', 'serious-harm'] as const;
export type SafeguardingKind = (typeof SAFEGUARDING_KINDS)[number];

export class SafeguardingConcernRaisedV1 {
  @Matches(LOCAL_ID_PATTERN) readonly concernId!: string;
  @IsIn(SAFEGUARDING_KINDS) readonly kind!: SafeguardingKind;
  /** e.g. `DPA 2018 Sch 8 para 4`; carried into every disclosure the concern permits. */
  @IsString() @Length(1, 200) readonly legalBasis!: string;
  @IsDataCategoryList()
  readonly categories!: readonly DataCategory[];
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(32)
  @ArrayUnique()
  @Matches(AGENCY_ID_PATTERN, { each: true })
  readonly recipients!: readonly string[];
  @IsDateOrInstant() readonly expires!: string;
  @Optional() @IsString() @Length(1, 1000) readonly summary?: string;
}

export class SafeguardingConcernClosedV1 {
  @Matches(LOCAL_ID_PATTERN) readonly concernId!: string;
  @IsString() @Length(1, 500) readonly reason!: string;
}

export const safeguardingEvents = {
  'iom.safeguarding.concern-raised.v1': defineEvent({
    category: 'safeguarding',
    publishers: 'any',
    schema: SafeguardingConcernRaisedV1,
    summary:
      'A safeguarding concern opens the named categories to the named recipients until it expires or is closed.',
  }),
  'iom.safeguarding.concern-closed.v1': defineEvent({
    category: 'safeguarding',
    publishers: 'any',
    schema: SafeguardingConcernClosedV1,
    summary: 'A safeguarding concern is closed; the access it opened ends.',
  }),
} as const;

import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsObject,
  IsString,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { PURPOSES_OF_USE, type DataCategory, type PurposeOfUse } from '../categories';
import { AGENCY_ID_PATTERN, IsDataCategoryList } from './common';
import { IsDateOrInstant, Optional } from './dates';
import { defineEvent } from './spec';

/** What a consent covers: every combination of the listed categories, recipients and purposes. */
export class ConsentScope {
  @IsDataCategoryList()
  readonly categories!: readonly DataCategory[];
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(32)
  @ArrayUnique()
  @Matches(AGENCY_ID_PATTERN, { each: true })
  readonly recipients!: readonly string[];
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PURPOSES_OF_USE.length)
  @ArrayUnique()
  @IsIn(PURPOSES_OF_USE, { each: true })
  readonly purposes!: readonly PurposeOfUse[];
}

export class ConsentGivenV1 {
  @IsObject() @ValidateNested() @Type(() => ConsentScope) readonly scope!: ConsentScope;
  @Optional() @IsDateOrInstant() readonly expires?: string;
  @IsString() @Length(1, 100) readonly recordedBy!: string;
  @IsString() @Length(1, 64) readonly formReference!: string;
}

export class ConsentWithdrawnV1 {
  @IsObject() @ValidateNested() @Type(() => ConsentScope) readonly scope!: ConsentScope;
  @IsString() @Length(1, 100) readonly recordedBy!: string;
  @Optional() @IsString() @Length(1, 64) readonly formReference?: string;
  @Optional() @IsString() @Length(1, 500) readonly reason?: string;
}

export class ConsentRefusedV1 {
  @IsObject() @ValidateNested() @Type(() => ConsentScope) readonly scope!: ConsentScope;
  @IsString() @Length(1, 100) readonly recordedBy!: string;
  @Optional() @IsString() @Length(1, 64) readonly formReference?: string;
  @Optional() @IsString() @Length(1, 500) readonly reason?: string;
}

export const consentEvents = {
  'iom.consent.given.v1': defineEvent({
    category: 'consent',
    publishers: 'any',
    schema: ConsentGivenV1,
    summary:
      "The subject consents to the listed recipients seeing the listed categories for the listed purposes, of the recording agency's own data only: the publisher is the controller holding the signed form, and its consent never opens another agency's data.",
  }),
  'iom.consent.withdrawn.v1': defineEvent({
    category: 'consent',
    publishers: 'any',
    schema: ConsentWithdrawnV1,
    summary:
      'The subject withdraws consent for every combination in the scope, whichever consent and whichever agency granted it; effective on the next read.',
  }),
  'iom.consent.refused.v1': defineEvent({
    category: 'consent',
    publishers: 'any',
    schema: ConsentRefusedV1,
    summary:
      'The subject refuses consent for the scope; like a withdrawal it ends any earlier consent for those combinations.',
  }),
} as const;

import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsString, Length, Matches } from 'class-validator';
import { type DataCategory, DATA_CATEGORIES, PURPOSES_OF_USE, type PurposeOfUse } from '../categories';
import { IsDataCategoryList } from './common';
import { IsCalendarDate } from './dates';
import { defineEvent } from './spec';

/** The platform names each restriction; the lift names the one it ends. */
const RESTRICTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The IG lead's decision, at a review the retention schedule called, to keep a category of the agency's data. */
export class RetentionReviewedV1 {
  @IsIn(DATA_CATEGORIES) readonly category!: DataCategory;
  /** Only retention is decided here: disposal is erasure's own event. */
  @IsIn(['retain']) readonly outcome!: 'retain';
  /** Why the data is still needed (MoPI: the necessity for a policing purpose). */
  @IsString() @Length(1, 2000) readonly reason!: string;
  /** The date the category is next reviewed; it leaves the queue until then. */
  @IsCalendarDate() readonly nextReview!: string;
  @IsString() @Length(1, 100) readonly reviewer!: string;
}

/** The owning agency restricts processing of its own data of named categories (DPA 2018 s.47). */
export class RecordRestrictedV1 {
  @Matches(RESTRICTION_ID) readonly restrictionId!: string;
  @IsDataCategoryList()
  readonly categories!: readonly DataCategory[];
  /** The purposes the data may still be used for; none means it is beyond use for every purpose. */
  @IsArray()
  @ArrayMaxSize(PURPOSES_OF_USE.length)
  @ArrayUnique()
  @IsIn(PURPOSES_OF_USE, { each: true })
  readonly purposes!: readonly PurposeOfUse[];
  @IsString() @Length(1, 2000) readonly reason!: string;
  /** e.g. `DPA 2018 s.47(2)`; carried into the subject's access report. */
  @IsString() @Length(1, 200) readonly legalBasis!: string;
  @IsString() @Length(1, 100) readonly restrictedBy!: string;
}

export class RecordRestrictionLiftedV1 {
  @Matches(RESTRICTION_ID) readonly restrictionId!: string;
  @IsString() @Length(1, 2000) readonly reason!: string;
  @IsString() @Length(1, 100) readonly liftedBy!: string;
}

export const retentionEvents = {
  'iom.retention.reviewed.v1': defineEvent({
    category: 'consent',
    publishers: 'any',
    schema: RetentionReviewedV1,
    summary:
      "The recording agency's IG lead reviewed a category of its own data about the subject when the retention schedule called for it, and decided to retain it, with the reason and the date of the next review.",
    recordedByPlatform: true,
  }),
  'iom.record.restricted.v1': defineEvent({
    category: 'consent',
    publishers: 'any',
    schema: RecordRestrictedV1,
    summary:
      "The recording agency's IG lead restricts processing of the agency's own data of the named categories about the subject (DPA 2018 s.47): it is kept but used by no reader, the agency included, for any purpose but those named.",
    recordedByPlatform: true,
  }),
  'iom.record.restriction-lifted.v1': defineEvent({
    category: 'consent',
    publishers: 'any',
    schema: RecordRestrictionLiftedV1,
    summary:
      'The IG lead of the agency that restricted the data lifts the restriction named: the data is used again as the agreement says.',
    recordedByPlatform: true,
  }),
} as const;

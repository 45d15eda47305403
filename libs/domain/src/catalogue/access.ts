import { IsIn, IsString, Length, Matches } from 'class-validator';
import type { DataCategory } from '../categories';
import { AGENCY_ID_PATTERN, IsDataCategoryList } from './common';
import { IsInstant, Optional } from './dates';
import { defineEvent } from './spec';

export class BreakGlassClaimedV1 {
  /** The practitioner who claimed access (their user id in the credential). */
  @IsString() @Length(1, 100) readonly user!: string;
  @Matches(AGENCY_ID_PATTERN) readonly agency!: string;
  @IsDataCategoryList()
  readonly categories!: readonly DataCategory[];
  @IsInstant() readonly expiresAt!: string;
  /** Written by the practitioner; the IG lead reviews every claim against it. */
  @IsString() @Length(10, 2000) readonly justification!: string;
}

/** The IG lead's review of a break-glass claim. */
export class BreakGlassReviewedV1 {
  /** The stored id of the claim reviewed. */
  @IsString() @Length(36, 36) readonly claimEventId!: string;
  @IsIn(['approved', 'flagged']) readonly outcome!: 'approved' | 'flagged';
  @IsString() @Length(1, 100) readonly reviewer!: string;
  @Optional() @IsString() @Length(1, 2000) readonly note?: string;
}

export const accessEvents = {
  'iom.break-glass.claimed.v1': defineEvent({
    category: 'safeguarding',
    publishers: 'any',
    schema: BreakGlassClaimedV1,
    summary:
      'A practitioner claims emergency access to named categories of a subject for a short time, with a written justification.',
    recordedByPlatform: true,
  }),
  'iom.break-glass.reviewed.v1': defineEvent({
    category: 'safeguarding',
    publishers: 'any',
    schema: BreakGlassReviewedV1,
    summary:
      'The information-governance lead approved or flagged a break-glass claim after reviewing what was seen.',
    recordedByPlatform: true,
  }),
} as const;

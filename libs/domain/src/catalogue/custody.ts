import { IsBoolean, IsIn, IsString, Length } from 'class-validator';
import { IsCalendarDate, IsInstant, Optional } from './dates';
import { defineEvent } from './spec';

export const CUSTODY_STATUSES = ['remand', 'sentenced'] as const;
export type CustodyStatus = (typeof CUSTODY_STATUSES)[number];

/** Conditional release date, home detention curfew, release on temporary licence. */
export const RELEASE_TYPES = ['CRD', 'HDC', 'ROTL'] as const;
export type ReleaseType = (typeof RELEASE_TYPES)[number];

/** Partners ask for at least four weeks' notice of a release (000:151). */
export const RELEASE_NOTICE_DAYS = 28;

export class CustodyReceivedV1 {
  @IsString() @Length(1, 100) readonly establishment!: string;
  @IsIn(CUSTODY_STATUSES) readonly status!: CustodyStatus;
  @Optional() @IsCalendarDate() readonly expectedRelease?: string;
}

export class CustodyTransferredV1 {
  @IsString() @Length(1, 100) readonly from!: string;
  @IsString() @Length(1, 100) readonly to!: string;
}

export class ReleasePlannedV1 {
  @IsCalendarDate() readonly date!: string;
  @IsIn(RELEASE_TYPES) readonly type!: ReleaseType;
  @IsBoolean() readonly addressKnown!: boolean;
}

export class CustodyReleasedV1 {
  @IsInstant() readonly releasedAt!: string;
  @IsBoolean() readonly licence!: boolean;
  @IsBoolean() readonly gatePickup!: boolean;
  @Optional() @IsString() @Length(1, 300) readonly address?: string;
}

export const custodyEvents = {
  'iom.custody.received.v1': defineEvent({
    category: 'custody',
    publishers: ['prison'],
    schema: CustodyReceivedV1,
    summary:
      'A prison receives the subject, on remand or under sentence (also sent when a remand becomes a sentence).',
  }),
  'iom.custody.transferred.v1': defineEvent({
    category: 'custody',
    publishers: ['prison'],
    schema: CustodyTransferredV1,
    summary: 'The subject moves between establishments.',
  }),
  'iom.release.planned.v1': defineEvent({
    category: 'custody',
    publishers: ['prison'],
    schema: ReleasePlannedV1,
    summary: 'A release date is set; partners expect this at least four weeks ahead.',
  }),
  'iom.custody.released.v1': defineEvent({
    category: 'custody',
    publishers: ['prison'],
    schema: CustodyReleasedV1,
    summary: 'The subject leaves custody, on licence or not.',
  }),
} as const;

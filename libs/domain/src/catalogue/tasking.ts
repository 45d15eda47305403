import { IsString, Length, Matches } from 'class-validator';
import type { DataCategory } from '../categories';
import { AGENCY_ID_PATTERN, IsDataCategoryList, LOCAL_ID_PATTERN } from './common';
import { IsCalendarDate, IsDateOrInstant, Optional } from './dates';
import { defineEvent } from './spec';

export class TaskingActionAssignedV1 {
  @Matches(LOCAL_ID_PATTERN) readonly actionId!: string;
  @IsString() @Length(1, 100) readonly meeting!: string;
  @Matches(AGENCY_ID_PATTERN) readonly ownerAgency!: string;
  @IsCalendarDate() readonly due!: string;
  @IsString() @Length(1, 1000) readonly text!: string;
}

export class TaskingActionCompletedV1 {
  @Matches(LOCAL_ID_PATTERN) readonly actionId!: string;
  @Optional() @IsString() @Length(1, 1000) readonly note?: string;
}

/**
 * Originator control: the publishing agency releases the detail of its own events in the named
 * categories to the tasking meeting, until the release expires or is withdrawn.
 */
export class TaskingDetailReleasedV1 {
  @Matches(LOCAL_ID_PATTERN) readonly releaseId!: string;
  @IsString() @Length(1, 100) readonly meeting!: string;
  @IsDataCategoryList()
  readonly categories!: readonly DataCategory[];
  /** The releasing agency's ground for sharing with the meeting; carried into every disclosure it permits. */
  @IsString() @Length(1, 200) readonly legalBasis!: string;
  /** Only the agency's events from this time on; all of them when absent. */
  @Optional() @IsDateOrInstant() readonly from?: string;
  @IsDateOrInstant() readonly expires!: string;
}

export class TaskingDetailWithdrawnV1 {
  @Matches(LOCAL_ID_PATTERN) readonly releaseId!: string;
  @Optional() @IsString() @Length(1, 500) readonly reason?: string;
}

export const taskingEvents = {
  'iom.tasking.action-assigned.v1': defineEvent({
    category: 'cohort',
    publishers: 'any',
    schema: TaskingActionAssignedV1,
    summary: 'A tasking meeting assigns an action about the subject to an agency, with a due date.',
  }),
  'iom.tasking.action-completed.v1': defineEvent({
    category: 'cohort',
    publishers: 'any',
    schema: TaskingActionCompletedV1,
    summary: 'A tasking action is done.',
  }),
  'iom.tasking.detail-released.v1': defineEvent({
    category: 'cohort',
    publishers: 'any',
    schema: TaskingDetailReleasedV1,
    summary:
      "The publishing agency releases the detail of its own events in the named categories to the tasking meeting, until the release expires or is withdrawn; the board shows it beside the subject's flags.",
  }),
  'iom.tasking.detail-withdrawn.v1': defineEvent({
    category: 'cohort',
    publishers: 'any',
    schema: TaskingDetailWithdrawnV1,
    summary: 'The agency that released detail to the tasking meeting withdraws the release.',
  }),
} as const;

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
import { COHORT_BANDS, COHORT_CLASSES, type CohortBand, type CohortClass } from './cohort';
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

/** The platform names each meeting; decisions and actions taken in it name it by this id. */
export const MEETING_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The chair opens a tasking meeting: its date, who chairs, the agencies present and the cohort it covers. */
export class MeetingOpenedV1 {
  @Matches(MEETING_ID_PATTERN) readonly meetingId!: string;
  @IsCalendarDate() readonly date!: string;
  /** The chair's user id. */
  @IsString() @Length(1, 100) readonly chair!: string;
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(32)
  @ArrayUnique()
  @Matches(AGENCY_ID_PATTERN, { each: true })
  readonly agenciesPresent!: readonly string[];
  /** The cohort classes the meeting covers; none named means the whole cohort. */
  @IsArray()
  @ArrayMaxSize(COHORT_CLASSES.length)
  @ArrayUnique()
  @IsIn(COHORT_CLASSES, { each: true })
  readonly cohortClasses!: readonly CohortClass[];
}

export class MeetingClosedV1 {
  @Matches(MEETING_ID_PATTERN) readonly meetingId!: string;
  /** The chair's user id. */
  @IsString() @Length(1, 100) readonly closedBy!: string;
}

export const MEETING_DECISIONS = ['escalate', 'band-change'] as const;
export type MeetingDecision = (typeof MEETING_DECISIONS)[number];

/**
 * A decision of the tasking meeting about the subject that no other event records: an escalation,
 * or a band change the meeting agreed (the band itself still moves with the next score). Adoption
 * and de-selection are recorded as `iom.cohort.adopted.v1` and `iom.cohort.deselected.v1` naming
 * the meeting, actions as `iom.tasking.action-assigned.v1`.
 */
export class TaskingDecisionRecordedV1 {
  @Matches(MEETING_ID_PATTERN) readonly meeting!: string;
  @IsIn(MEETING_DECISIONS) readonly decision!: MeetingDecision;
  /** The band agreed, with a band change (the platform records it with every band change). */
  @Optional() @IsIn(COHORT_BANDS) readonly band?: CohortBand;
  @IsString() @Length(1, 2000) readonly reason!: string;
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
  'iom.tasking.decision-recorded.v1': defineEvent({
    category: 'cohort',
    publishers: 'any',
    schema: TaskingDecisionRecordedV1,
    summary:
      'The chair records a decision of the tasking meeting about the subject that no other event records: an escalation, or an agreed band change, with the reason.',
    recordedByPlatform: true,
  }),
  'iom.meeting.opened.v1': defineEvent({
    category: 'cohort',
    publishers: 'any',
    schema: MeetingOpenedV1,
    summary:
      "The chair opens a tasking meeting: its date, the chair, the agencies present and the cohort classes it covers. Kept on the partnership's meetings stream, about no one subject.",
    recordedByPlatform: true,
  }),
  'iom.meeting.closed.v1': defineEvent({
    category: 'cohort',
    publishers: 'any',
    schema: MeetingClosedV1,
    summary:
      'The chair closes the tasking meeting: its minutes are final, and it becomes the meeting the next agenda counts changes from.',
    recordedByPlatform: true,
  }),
} as const;

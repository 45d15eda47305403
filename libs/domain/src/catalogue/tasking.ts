import { IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import { AGENCY_ID_PATTERN, LOCAL_ID_PATTERN } from './common';
import { defineEvent } from './spec';

export class TaskingActionAssignedV1 {
  @Matches(LOCAL_ID_PATTERN) readonly actionId!: string;
  @IsString() @Length(1, 100) readonly meeting!: string;
  @Matches(AGENCY_ID_PATTERN) readonly ownerAgency!: string;
  @IsISO8601({ strict: true }) readonly due!: string;
  @IsString() @Length(1, 1000) readonly text!: string;
}

export class TaskingActionCompletedV1 {
  @Matches(LOCAL_ID_PATTERN) readonly actionId!: string;
  @IsOptional() @IsString() @Length(1, 1000) readonly note?: string;
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
} as const;

import { IsBoolean, IsIn, IsInt, IsString, Length, Max, Min } from 'class-validator';
import { Optional } from './dates';
import { defineEvent } from './spec';

export const CHILD_CONTACT = ['none', 'supervised', 'regular', 'lives-with'] as const;
export type ChildContact = (typeof CHILD_CONTACT)[number];

export class FamilyCircumstanceRecordedV1 {
  @IsInt() @Min(0) @Max(20) readonly children!: number;
  @Optional() @IsIn(CHILD_CONTACT) readonly contact?: ChildContact;
  @IsBoolean() readonly socialServicesInvolved!: boolean;
  @Optional() @IsString() @Length(1, 1000) readonly note?: string;
}

export const familyEvents = {
  'iom.family.circumstance-recorded.v1': defineEvent({
    category: 'family',
    publishers: ['probation', 'voluntary', 'health'],
    schema: FamilyCircumstanceRecordedV1,
    summary: "The subject's family circumstances: children, contact and social-services involvement.",
  }),
} as const;

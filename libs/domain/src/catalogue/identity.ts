import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsObject, IsString, Length, ValidateNested } from 'class-validator';
import { IDENTIFIER_SCHEMES, type IdentifierScheme } from '../identifiers';
import { IsCalendarDate, Optional } from './dates';
import { defineEvent } from './spec';

export const GENDERS = ['male', 'female', 'other', 'unknown'] as const;
export type Gender = (typeof GENDERS)[number];

export class IdentifierData {
  @IsIn(IDENTIFIER_SCHEMES) readonly scheme!: IdentifierScheme;
  @IsString() @Length(1, 64) readonly value!: string;
}

export class SubjectRegisteredV1 {
  @IsString() @Length(1, 100) readonly givenName!: string;
  @IsString() @Length(1, 100) readonly familyName!: string;
  @IsCalendarDate() readonly dateOfBirth!: string;
  @Optional() @IsIn(GENDERS) readonly gender?: Gender;
  @IsArray()
  @ArrayMaxSize(20)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => IdentifierData)
  readonly identifiers!: readonly IdentifierData[];
}

export class IdentifierLinkedV1 {
  @IsIn(IDENTIFIER_SCHEMES) readonly scheme!: IdentifierScheme;
  @IsString() @Length(1, 64) readonly value!: string;
}

export const identityEvents = {
  'iom.subject.registered.v1': defineEvent({
    category: 'identity',
    publishers: 'any',
    schema: SubjectRegisteredV1,
    summary: 'A person is registered with the partnership, with the identifiers agencies know them by.',
    registersSubject: true,
  }),
  'iom.subject.identifier-linked.v1': defineEvent({
    category: 'identity',
    publishers: 'any',
    schema: IdentifierLinkedV1,
    summary: 'Another agency identifier is linked to the subject.',
  }),
} as const;

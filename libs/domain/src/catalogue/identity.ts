import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsObject,
  IsString,
  Length,
  Matches,
  registerDecorator,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import {
  IDENTIFIER_SCHEMES,
  type IdentifierScheme,
  isIdentifierScheme,
  normaliseIdentifier,
  PARTNERSHIP_ID_PATTERN,
} from '../identifiers';
import { IsCalendarDate, Optional } from './dates';
import { defineEvent } from './spec';

export const GENDERS = ['male', 'female', 'other', 'unknown'] as const;
export type Gender = (typeof GENDERS)[number];

/** Why a value is no identifier of the scheme beside it, or undefined; a wrong scheme is the scheme's issue. */
const identifierValueProblem = (scheme: unknown, value: unknown): string | undefined => {
  if (!isIdentifierScheme(scheme) || typeof value !== 'string') return undefined;
  // The agency only prefixes a local identifier; it never decides whether a value is one.
  const identifier = normaliseIdentifier(scheme, value, '');
  return identifier.ok ? undefined : identifier.reason;
};

/**
 * The value is an identifier of the scheme named by the object's `scheme` property, by the rule
 * every identifier is read by (`normaliseIdentifier`). The docs and JSON Schemas read its name.
 */
const IsIdentifierValue =
  (): PropertyDecorator =>
  (target, property): void => {
    registerDecorator({
      name: 'isIdentifierValue',
      target: target.constructor,
      propertyName: String(property),
      constraints: ['scheme'],
      validator: {
        validate: (value: unknown, args?: ValidationArguments): boolean =>
          identifierValueProblem((args?.object as { scheme?: unknown } | undefined)?.scheme, value) ===
          undefined,
        defaultMessage: (args?: ValidationArguments): string =>
          `${args?.property ?? 'value'} ${
            identifierValueProblem((args?.object as { scheme?: unknown } | undefined)?.scheme, args?.value) ??
            'must be an identifier of its scheme'
          }`,
      },
    });
  };

export class IdentifierData {
  @IsIn(IDENTIFIER_SCHEMES) readonly scheme!: IdentifierScheme;
  @IsString() @Length(1, 64) @IsIdentifierValue() readonly value!: string;
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
  @IsString() @Length(1, 64) @IsIdentifierValue() readonly value!: string;
}

export class IdentifierUnlinkedV1 {
  @IsIn(IDENTIFIER_SCHEMES) readonly scheme!: IdentifierScheme;
  @IsString() @Length(1, 64) @IsIdentifierValue() readonly value!: string;
  @IsString() @Length(10, 1000) readonly reason!: string;
}

export class SubjectMergedV1 {
  /** The partnership id of the other record of the same person, merged into this one. */
  @Matches(PARTNERSHIP_ID_PATTERN) readonly mergedSubjectId!: string;
  @IsString() @Length(10, 1000) readonly reason!: string;
}

export class SubjectUnmergedV1 {
  /** The partnership id of a record merged into this one by mistake, parted from it again. */
  @Matches(PARTNERSHIP_ID_PATTERN) readonly mergedSubjectId!: string;
  @IsString() @Length(10, 1000) readonly reason!: string;
}

export const identityEvents = {
  'iom.subject.registered.v1': defineEvent({
    category: 'identity',
    publishers: 'any',
    schema: SubjectRegisteredV1,
    summary:
      'A person is registered with the partnership, with the identifiers the registering agency issued them.',
    registersSubject: true,
  }),
  'iom.subject.identifier-linked.v1': defineEvent({
    category: 'identity',
    publishers: 'any',
    schema: IdentifierLinkedV1,
    summary: 'An identifier the publishing agency issued is linked to a person the partnership knows.',
  }),
  'iom.subject.identifier-unlinked.v1': defineEvent({
    category: 'identity',
    publishers: 'any',
    schema: IdentifierUnlinkedV1,
    summary:
      'An identifier linked to the subject by mistake is taken from them by the agency that issues it, and may then be linked to the right person.',
  }),
  'iom.subject.merged.v1': defineEvent({
    category: 'identity',
    publishers: ['police', 'probation'],
    schema: SubjectMergedV1,
    summary:
      "Another record of the same person is merged into the subject: its identifiers and partnership id resolve to the subject, whose views, timeline and subject access hold both records' events.",
  }),
  'iom.subject.unmerged.v1': defineEvent({
    category: 'identity',
    publishers: ['police', 'probation'],
    schema: SubjectUnmergedV1,
    summary:
      'A record merged into the subject by mistake is parted from it again: each record stands alone, with the events it always held.',
  }),
} as const;

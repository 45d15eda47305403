import { IsObject, IsString, Length } from 'class-validator';
import { Optional } from './dates';
import { defineEvent } from './spec';

/**
 * Corrections name their target by CloudEvent id. Ids are unique only per source, so `targetSource`
 * names the target's source when it differs from the correction's own.
 */
export class RecordCorrectedV1 {
  @IsString() @Length(1, 200) readonly targetEventId!: string;
  @Optional() @IsString() @Length(1, 200) readonly targetSource?: string;
  @IsString() @Length(1, 500) readonly reason!: string;
  /** The target's `data` as it should have been; checked against the target type's schema on ingestion. */
  @IsObject() readonly replacement!: Record<string, unknown>;
}

export class RecordRedactedV1 {
  @IsString() @Length(1, 200) readonly targetEventId!: string;
  @Optional() @IsString() @Length(1, 200) readonly targetSource?: string;
  @IsString() @Length(1, 500) readonly reason!: string;
}

export const recordsEvents = {
  'iom.record.corrected.v1': defineEvent({
    category: 'of-target',
    publishers: 'any',
    schema: RecordCorrectedV1,
    summary:
      "Replaces the data of an earlier event, named by its CloudEvent id (and `targetSource` if it came from another of your sources). Takes the target's category; only the target's publisher may send it.",
  }),
  'iom.record.redacted.v1': defineEvent({
    category: 'of-target',
    publishers: 'any',
    schema: RecordRedactedV1,
    summary:
      "Withdraws an earlier event's data from every view, named as for a correction. Takes the target's category; only the target's publisher may send it.",
  }),
} as const;

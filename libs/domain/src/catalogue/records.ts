import { IsString, Length } from 'class-validator';
import { valueRule } from './common';
import { Optional } from './dates';
import { defineEvent } from './spec';

/**
 * Corrections name their target by CloudEvent id. Ids are unique only per source, so `targetSource`
 * names the target's source when it differs from the correction's own.
 */
/**
 * The data of some catalogue type. Which one is the target's, known only on ingestion, where the
 * value is checked against that type's schema; here it need only be an object.
 */
const IsEventData = valueRule(
  'isEventData',
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  "an object: the target type's data",
);

export class RecordCorrectedV1 {
  @IsString() @Length(1, 200) readonly targetEventId!: string;
  @Optional() @IsString() @Length(1, 200) readonly targetSource?: string;
  @IsString() @Length(1, 500) readonly reason!: string;
  /** The target's `data` as it should have been. */
  @IsEventData() readonly replacement!: Record<string, unknown>;
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
      "Replaces the data of an earlier event, named by its CloudEvent id (and `targetSource` if it came from another of your sources), with `replacement`: the whole of its data as it should have been, checked against the target type's rules. The target is the original event, never another correction or a redaction. Takes the target's category; only the target's publisher may send it.",
  }),
  'iom.record.redacted.v1': defineEvent({
    category: 'of-target',
    publishers: 'any',
    schema: RecordRedactedV1,
    summary:
      "Withdraws an earlier event's data from every view, named as for a correction. Takes the target's category; only the target's publisher may send it.",
  }),
} as const;

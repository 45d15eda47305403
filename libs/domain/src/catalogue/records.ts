import { IsString, Length } from 'class-validator';
import type { DataCategory } from '../categories';
import { IsDataCategoryList, valueRule } from './common';
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

export class RecordErasedV1 {
  /** The categories of the publisher's data about the subject to erase; all of it when left out. */
  @Optional() @IsDataCategoryList() readonly categories?: DataCategory[];
  @IsString() @Length(1, 500) readonly reason!: string;
  /** The decision the erasure carries out (a DPIA, a request's reference, a court order). */
  @IsString() @Length(1, 200) readonly decisionRef!: string;
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
      "Withdraws an earlier event's data from every view, named as for a correction, and destroys it: the target's data and that of its corrections can never be read again, by anyone, while the rest of your data stays. Takes the target's category; only the target's publisher may send it.",
  }),
  'iom.record.erased.v1': defineEvent({
    // Stated to every reader of the subject, so an absence is never taken for nothing recorded.
    category: 'identity',
    publishers: 'any',
    schema: RecordErasedV1,
    summary:
      "Erases the publishing agency's data about the subject, of the listed `categories` or all of it: the keys that sealed it are destroyed, so it can never be read again, by anyone. Views, the timeline and the subject access export state the erasure (who, when, `reason`, `decisionRef`) in its place. Data the agency sends afterwards is kept as usual. `reason` and `decisionRef` are stored in the clear for good: name the decision, not the person's data.",
  }),
} as const;

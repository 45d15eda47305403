import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { EventIssue } from '@throughline/ingestion';
import type { DecodeFailureReason } from './cloud-event-binding';

/** Headers the platform adds to a dead-lettered record; the original headers are kept beside them. */
export const DLQ_HEADERS = {
  error: 'throughline-error',
  reason: 'throughline-error-reason',
  topic: 'throughline-source-topic',
  partition: 'throughline-source-partition',
  offset: 'throughline-source-offset',
  group: 'throughline-consumer-group',
} as const;

/**
 * Why a record was refused: a decoding failure, or the ingestion use case's verdict (403/409/422,
 * or 429 when its subject is at the per-subject ceiling).
 */
export type DeadLetterReason =
  DecodeFailureReason | 'not-allowed' | 'conflict' | 'invalid-event' | 'subject-ceiling';

export interface DeadLetterError {
  readonly reason: DeadLetterReason;
  /** The HTTP status the same event would have met on POST /v1/events (400 for undecodable records). */
  readonly status: number;
  readonly message: string;
  readonly issues: readonly Omit<EventIssue, 'index'>[];
}

export const reasonOfStatus = (status: 403 | 409 | 422): DeadLetterReason =>
  status === 403 ? 'not-allowed' : status === 409 ? 'conflict' : 'invalid-event';

export interface SourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly groupId: string;
  readonly message: KafkaMessage;
}

/**
 * The dead-letter record: the original key, value and headers byte for byte (so the partner can
 * fix and replay exactly what they sent), plus where it came from and why it was refused.
 */
export function deadLetterMessage(source: SourceRecord, error: DeadLetterError): Message {
  const { message } = source;
  const headers: IHeaders = {
    ...(message.headers ?? {}),
    [DLQ_HEADERS.error]: JSON.stringify(error),
    [DLQ_HEADERS.reason]: error.reason,
    [DLQ_HEADERS.topic]: source.topic,
    [DLQ_HEADERS.partition]: String(source.partition),
    [DLQ_HEADERS.offset]: message.offset,
    [DLQ_HEADERS.group]: source.groupId,
  };
  // A fresh timestamp, so the DLQ's retention counts from when the record was refused.
  return { key: message.key, value: message.value, headers };
}

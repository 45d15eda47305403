import type { KafkaMessage, Message } from 'kafkajs';
import {
  type IngestEventsService,
  type IngestPublisher,
  IngestRejectedError,
  type IngestResult,
  SubjectCeilingError,
} from '@throughline/ingestion';
import { boundSources, type KafkaSettings } from '../kafka-settings';
import { decodeCloudEvent } from './cloud-event-binding';
import { type DeadLetterError, deadLetterMessage, reasonOfStatus, type SourceRecord } from './dead-letter';

export interface PartitionChunk {
  readonly topic: string;
  readonly partition: number;
  /** The agency that owns the topic: the publisher of everything on it. */
  readonly agency: string;
  readonly messages: readonly KafkaMessage[];
}

export interface ChunkOutcome {
  readonly stored: number;
  readonly duplicates: number;
  /** Ready to send to the DLQ, in offset order. */
  readonly deadLetters: readonly Message[];
}

interface Decoded {
  readonly message: KafkaMessage;
  readonly event: Record<string, unknown>;
}

/**
 * Turns one partition's records into events through the ingestion use case that serves
 * POST /v1/events. Records that cannot be decoded, and events the use case refuses, become
 * dead letters; anything else it throws (the store is down) propagates so the caller retries.
 */
export class RecordIngester {
  constructor(
    private readonly settings: Pick<KafkaSettings, 'sources' | 'groupId'>,
    private readonly ingestion: IngestEventsService,
  ) {}

  async ingest(chunk: PartitionChunk): Promise<ChunkOutcome> {
    const dead: { offset: string; message: Message }[] = [];
    const decoded: Decoded[] = [];
    for (const message of chunk.messages) {
      const result = decodeCloudEvent(message);
      if (result.ok) decoded.push({ message, event: result.event });
      else {
        const error: DeadLetterError = {
          reason: result.reason,
          status: 400,
          message: result.message,
          issues: [],
        };
        dead.push({ offset: message.offset, message: deadLetterMessage(this.source(chunk, message), error) });
      }
    }

    let stored = 0;
    let duplicates = 0;
    const count = (results: readonly IngestResult[]): void => {
      for (const result of results) {
        if (result.duplicate) duplicates++;
        else stored++;
      }
    };
    const deadLetterAt = (item: Decoded, error: DeadLetterError): void => {
      dead.push({
        offset: item.message.offset,
        message: deadLetterMessage(this.source(chunk, item.message), error),
      });
    };
    const deadLetter = (item: Decoded, refusal: IngestRejectedError): void =>
      deadLetterAt(item, rejection(refusal));
    // The common case: the whole chunk in one call, so one transaction on the store. The use case
    // refuses a batch as a whole, naming each event it refuses: those become dead letters and the
    // rest is offered again as one batch, in offset order, which keeps every good record and the
    // order of a subject's events.
    let offered = decoded;
    while (offered.length > 0) {
      try {
        count(await this.offer(chunk, offered));
        break;
      } catch (error) {
        if (error instanceof SubjectCeilingError) {
          // Holding the partition until the subject's day has room would hold every other
          // subject on it: the flooded subject's records go to the DLQ, to be replayed later.
          const over = new Set(error.indexes);
          for (const [index, item] of offered.entries())
            if (over.has(index)) deadLetterAt(item, ceilingRejection(error));
          offered = offered.filter((_, index) => !over.has(index));
          continue;
        }
        if (!(error instanceof IngestRejectedError)) throw error;
        const named = new Set(error.issues.map((issue) => issue.index));
        if (!offered.some((_, index) => named.has(index))) {
          // A refusal naming no event: one record at a time isolates each bad one.
          for (const item of offered) {
            try {
              count(await this.offer(chunk, [item]));
            } catch (refusal) {
              if (refusal instanceof SubjectCeilingError) deadLetterAt(item, ceilingRejection(refusal));
              else if (refusal instanceof IngestRejectedError) deadLetter(item, refusal);
              else throw refusal;
            }
          }
          break;
        }
        for (const [index, item] of offered.entries()) {
          if (named.has(index))
            deadLetter(item, new IngestRejectedError(error.issues.filter((issue) => issue.index === index)));
        }
        offered = offered.filter((_, index) => !named.has(index));
      }
    }
    dead.sort((a, b) => compareOffsets(a.offset, b.offset));
    return { stored, duplicates, deadLetters: dead.map(({ message }) => message) };
  }

  private offer(chunk: PartitionChunk, decoded: readonly Decoded[]): Promise<IngestResult[]> {
    return this.ingestion.ingest(
      decoded.map(({ event }) => event),
      this.publisher(chunk, decoded),
      this.requestId(chunk, decoded),
    );
  }

  private publisher(chunk: PartitionChunk, decoded: readonly Decoded[]): IngestPublisher {
    const seen = decoded.flatMap(({ event }) => (typeof event.source === 'string' ? [event.source] : []));
    return {
      id: `kafka:${chunk.topic}`,
      agency: chunk.agency,
      sources: boundSources(this.settings, chunk.agency, seen),
    };
  }

  /** Stored in each event's metadata, so an event can be traced back to the record it came from. */
  private requestId(chunk: PartitionChunk, decoded: readonly Decoded[]): string {
    const first = decoded[0]!.message.offset;
    const last = decoded[decoded.length - 1]!.message.offset;
    return `kafka:${chunk.topic}/${chunk.partition}/${first === last ? first : `${first}-${last}`}`;
  }

  private source(chunk: PartitionChunk, message: KafkaMessage): SourceRecord {
    return { topic: chunk.topic, partition: chunk.partition, groupId: this.settings.groupId, message };
  }
}

function rejection(error: IngestRejectedError): DeadLetterError {
  const issues = error.issues.map(({ field, constraint, message, status }) => ({
    field,
    constraint,
    message,
    status,
  }));
  return {
    reason: reasonOfStatus(error.status),
    status: error.status,
    message: issues
      .map((issue) => (issue.field ? `${issue.field}: ${issue.message}` : issue.message))
      .join('; '),
    issues,
  };
}

function ceilingRejection(error: SubjectCeilingError): DeadLetterError {
  return {
    reason: 'subject-ceiling',
    status: 429,
    message: `subject ${error.refusals.map((refusal) => refusal.subjectId).join(', ')} is at its ceiling of ${error.ceiling} events a day`,
    issues: [],
  };
}

/** Kafka offsets are 64-bit integers carried as strings. */
export const compareOffsets = (a: string, b: string): number => {
  const [x, y] = [BigInt(a), BigInt(b)];
  return x < y ? -1 : x > y ? 1 : 0;
};

import type { IHeaders } from 'kafkajs';

/**
 * The CloudEvents Kafka protocol binding (v1.0), decoding only: it turns a record into the same
 * JSON shape that `POST /v1/events` receives, and leaves every rule about that shape to the
 * ingestion use case, so Kafka and HTTP cannot drift apart.
 */

export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json';
export const BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json';
const BINARY_PREFIX = 'ce_';

export type DecodeFailureReason =
  | 'empty-value'
  | 'unknown-content-mode'
  | 'batch-not-supported'
  | 'invalid-json'
  | 'not-an-object'
  | 'bad-header';

export type Decoded =
  | { readonly ok: true; readonly mode: 'structured' | 'binary'; readonly event: Record<string, unknown> }
  | { readonly ok: false; readonly reason: DecodeFailureReason; readonly message: string };

export interface KafkaRecord {
  readonly headers?: IHeaders;
  readonly value: Buffer | null;
}

/** A header's value as text; Kafka allows repeated keys, which the binding never uses, so those are refused. */
function headerText(value: IHeaders[string]): string | undefined | null {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.length === 1 ? headerText(value[0]) : null;
  return Buffer.isBuffer(value) ? value.toString('utf8') : value;
}

/** Header names are matched case-insensitively: some client libraries capitalise `Content-Type`. */
function readHeaders(headers: IHeaders | undefined): Map<string, string> | string {
  const found = new Map<string, string>();
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const text = headerText(raw);
    if (text === undefined) continue;
    if (text === null) return name;
    found.set(name.toLowerCase(), text);
  }
  return found;
}

const mediaType = (contentType: string | undefined): string | undefined =>
  contentType?.split(';')[0]?.trim().toLowerCase();

function parseJson(
  value: Buffer,
  what: string,
): { ok: true; json: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, json: JSON.parse(value.toString('utf8')) as unknown };
  } catch (error) {
    return {
      ok: false,
      message: `${what} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

const failure = (reason: DecodeFailureReason, message: string): Decoded => ({ ok: false, reason, message });

/** Decodes one record in structured or binary mode into a CloudEvent object (not yet validated). */
export function decodeCloudEvent(record: KafkaRecord): Decoded {
  const headers = readHeaders(record.headers);
  if (typeof headers === 'string')
    return failure('bad-header', `header "${headers}" is repeated; each attribute must appear once`);
  if (record.value === null || record.value.length === 0) {
    return failure(
      'empty-value',
      'the record has no value; a CloudEvent (structured mode) or its data (binary mode) is required',
    );
  }
  const contentType = mediaType(headers.get('content-type'));

  if (headers.has(`${BINARY_PREFIX}specversion`)) {
    const event: Record<string, unknown> = {};
    for (const [name, value] of headers) {
      if (name.startsWith(BINARY_PREFIX)) event[name.slice(BINARY_PREFIX.length)] = value;
    }
    if (contentType !== undefined && contentType !== 'application/json') {
      return failure(
        'unknown-content-mode',
        `binary mode needs content-type application/json for the data, got "${contentType}"`,
      );
    }
    const data = parseJson(record.value, 'the value (event data)');
    if (!data.ok) return failure('invalid-json', data.message);
    // datacontenttype is the binary-mode content-type header; validation checks it like the HTTP body's.
    return {
      ok: true,
      mode: 'binary',
      event: { ...event, datacontenttype: 'application/json', data: data.json },
    };
  }

  if (contentType === STRUCTURED_CONTENT_TYPE) {
    const parsed = parseJson(record.value, 'the value (a structured-mode CloudEvent)');
    if (!parsed.ok) return failure('invalid-json', parsed.message);
    if (typeof parsed.json !== 'object' || parsed.json === null || Array.isArray(parsed.json)) {
      return failure('not-an-object', 'a structured-mode value must be one JSON object');
    }
    return { ok: true, mode: 'structured', event: parsed.json as Record<string, unknown> };
  }

  if (contentType === BATCH_CONTENT_TYPE) {
    return failure('batch-not-supported', 'the Kafka binding has no batch mode; send one event per record');
  }
  return failure(
    'unknown-content-mode',
    `neither structured mode (content-type ${STRUCTURED_CONTENT_TYPE}) nor binary mode (ce_specversion header); content-type was ${contentType ? `"${contentType}"` : 'absent'}`,
  );
}

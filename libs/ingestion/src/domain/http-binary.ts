/**
 * The CloudEvents HTTP protocol binding's binary mode (v1.0, section 3.1): the context attributes
 * in `ce-` headers, the data in the body. Decoding only: the result has the shape a structured-mode
 * body has, and every rule about it is the ingestion use case's, so the three modes (and Kafka)
 * cannot drift apart.
 *
 * The attribute values are taken as sent (percent-decoded, as the binding says), never reparsed:
 * a parser that turns `ce-time: 2025-02-30T10:00:00Z` into the 2nd of March (as the `cloudevents`
 * SDK's reader does) would store a date no one sent, so the validator sees the text.
 */
export type BinaryDecoded =
  | { readonly ok: true; readonly event: Record<string, unknown> }
  | { readonly ok: false; readonly detail: string };

const PREFIX = 'ce-';

/** Whether a request is in binary mode: it carries the one attribute every event must have. */
export const isBinaryMode = (headers: Readonly<Record<string, unknown>>): boolean =>
  headers[`${PREFIX}specversion`] !== undefined;

/**
 * The event a binary-mode request carries, from each header given once (`headersDistinct`, so a
 * repeated attribute is refused rather than joined) and the parsed JSON body.
 */
export function decodeBinaryMode(
  headers: Readonly<Record<string, readonly string[] | undefined>>,
  mediaType: string | undefined,
  body: unknown,
): BinaryDecoded {
  const event: Record<string, unknown> = {};
  for (const [name, values] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!lower.startsWith(PREFIX) || values === undefined) continue;
    if (values.length !== 1)
      return { ok: false, detail: `header ${lower} is repeated; each attribute is sent once` };
    const attribute = lower.slice(PREFIX.length);
    if (attribute === 'data' || attribute === 'datacontenttype')
      return {
        ok: false,
        detail: `${lower} is not an attribute of binary mode: the body is the data, its type Content-Type`,
      };
    try {
      event[attribute] = decodeURIComponent(values[0]!);
    } catch {
      return { ok: false, detail: `header ${lower} is not percent-encoded UTF-8` };
    }
  }
  if (mediaType !== 'application/json')
    return {
      ok: false,
      detail: `binary mode carries the event data as application/json; Content-Type was ${mediaType ? `"${mediaType}"` : 'absent'}`,
    };
  return { ok: true, event: { ...event, datacontenttype: 'application/json', data: body } };
}

import {
  ALERT_KINDS,
  type AlertingType,
  type AlertKind,
  isAlerting,
  type PublishedEvent,
  releaseNotice,
} from '@throughline/domain';
import type { IdentifiedDisclosure } from '@throughline/audit';
import { uuidFromName } from '@throughline/ingestion';
import {
  type Agreement,
  agenciesTold,
  type DisclosureReason,
  type SubjectSharing,
  TOLD_PURPOSE,
  TOLD_READER,
} from '@throughline/sharing';

export type { SubjectSharing } from '@throughline/sharing';

export const ALERT_SOURCE = 'urn:throughline:alerts';
/** Alerts are cut for a practitioner managing the case, never for enforcement or tasking. */
export const ALERT_PURPOSE = TOLD_PURPOSE;
export const ALERT_READER_ID = TOLD_READER.id;
export const ALERT_READER_ROLE = TOLD_READER.role;

/** v1 of the alert contract on `throughline.alerts.<agency>` (docs/asyncapi.yaml). */
export interface Alert {
  readonly specversion: '1.0';
  readonly type: `iom.alert.${AlertKind}.v1`;
  /** The same for the same event and recipient on every run, so a consumer can drop repeats. */
  readonly id: string;
  readonly source: typeof ALERT_SOURCE;
  /** The partnership id of the subject. */
  readonly subject: string;
  /** When the event entered the partnership's log. */
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: AlertData;
}

export interface AlertData {
  readonly eventType: AlertingType;
  /** The event's id in the log, as the timeline API shows it. */
  readonly eventId: string;
  /** The recipient agency. */
  readonly agency: string;
  /** The agency that published the event. */
  readonly publisher: string;
  readonly category: string;
  /** When it happened, as the publisher said (CloudEvents `time` of the event). */
  readonly occurredAt: string;
  /** Only the data fields the recipient may see. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** Why the recipient may see them: the clause and legal basis an audit record would carry. */
  readonly disclosure: DisclosureReason;
  /**
   * A planned release whose date the recipient may see: the days of notice it gives, and whether
   * that is short of the 28 the partnership works to.
   */
  readonly notice?: { readonly days: number; readonly short: boolean };
}

export interface AlertInput {
  readonly event: PublishedEvent;
  readonly recordedAt: Date;
  readonly subject: SubjectSharing;
  readonly agreement: Agreement | null;
  readonly now: Date;
}

export const alertId = (eventId: string, agency: string): string =>
  uuidFromName(`alert\n${eventId}\n${agency}`);

/**
 * The alerts one event produces: one per agency told of it (`agenciesTold` in the sharing
 * context, the rule every person's inbox is decided by too), cut to the fields the engine lets
 * that agency see.
 */
export function planAlerts({ event, recordedAt, subject, agreement, now }: AlertInput): Alert[] {
  const eventType = event.type;
  if (!isAlerting(eventType)) return [];
  const kind = ALERT_KINDS[eventType];
  const data = event.data as unknown as Record<string, unknown>;
  return agenciesTold({ event, subject, agreement, now }).map(({ agency, decision }) => ({
    specversion: '1.0',
    type: `iom.alert.${kind}.v1`,
    id: alertId(event.id, agency),
    source: ALERT_SOURCE,
    subject: event.subjectId,
    time: recordedAt.toISOString(),
    datacontenttype: 'application/json',
    data: {
      eventType,
      eventId: event.id,
      agency,
      publisher: event.meta.agency,
      category: event.meta.category,
      occurredAt: event.meta.time,
      fields: Object.fromEntries(
        decision.fields.filter((field) => field in data).map((field) => [field, data[field]]),
      ),
      disclosure: decision.reason,
      ...noticeOf(event, decision.fields),
    },
  }));
}

/** The notice a planned release gives, when the recipient may see its date. */
function noticeOf(event: PublishedEvent, fields: readonly string[]): { notice?: AlertData['notice'] } {
  if (event.type !== 'iom.release.planned.v1' || !fields.includes('date')) return {};
  const notice = releaseNotice(event.meta.time, event.data.date);
  return notice ? { notice } : {};
}

/**
 * The audit record of sending one alert: a disclosure to the recipient agency, on the policy's
 * ground, of the alert's fields. Ids and field names only, like every audit record. The record's
 * id is the alert's (and so is its request id), so the register holds one record per alert however
 * often the relay offers it, and a recipient can ask for the receipt by the id it received. The
 * event is named by its log position, which the alert itself does not carry.
 */
export function alertDisclosure(alert: Alert, position: number): IdentifiedDisclosure {
  const { data } = alert;
  const { rule, basis, clause, legalBasis, reliedOn, agreementVersion } = data.disclosure;
  return {
    id: alert.id,
    requestId: alert.id,
    principal: { kind: 'system', user: ALERT_READER_ID, agency: data.agency, role: ALERT_READER_ROLE },
    action: 'alert',
    outcome: 'disclosed',
    purpose: ALERT_PURPOSE,
    agreementVersion,
    subjects: [
      {
        subjectId: alert.subject,
        grounds: [{ rule, basis, clause, legalBasis, reliedOn, categories: [data.category] }],
        fields: { [data.category]: Object.keys(data.fields).sort() },
        positions: [position],
      },
    ],
    refusal: null,
  };
}

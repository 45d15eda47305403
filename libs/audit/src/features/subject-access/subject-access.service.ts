import { Injectable } from '@nestjs/common';
import type { Principal } from '@throughline/auth';
import { type EventMeta, subjectStream, type TimelineEntry, timelineOf } from '@throughline/domain';
import { EventStore, type RecordedEvent } from '@throughline/event-store';
import { IdentityIndex } from '@throughline/ingestion';
import { toPublishedEvent } from '@throughline/projections';
import { AuditService } from '../../audit.service';
import type { AuditRecord, DisclosureContent, SubjectDisclosure } from '../../domain/disclosure';
import { aboutSubject, type SubjectAccessRecord } from '../../domain/subject-access';

/** One event held about the subject, as it now stands: corrections applied, redactions applied. */
export interface HeldEvent {
  readonly id: string;
  readonly type: string;
  readonly revision: number;
  readonly position: number;
  readonly recordedAt: string;
  readonly meta: EventMeta;
  readonly data: unknown;
  /** The correction whose replacement `data` is, and when it was made. */
  readonly correctedBy?: { readonly eventId: string; readonly at: string };
  /** The redaction that withdrew this event's data (`data` is then empty), and when it was made. */
  readonly redactedBy?: { readonly eventId: string; readonly at: string };
  /** The erasure that destroyed this event's data (`data` is then empty), and when it was made. */
  readonly erasedBy?: { readonly eventId: string; readonly at: string };
}

/** An erasure of an agency's data about the subject: what, when and why, never what it erased. */
export interface ErasureStatement {
  readonly eventId: string;
  readonly agency: string;
  /** The categories erased, or `all` of the agency's data about the subject. */
  readonly categories: readonly string[] | 'all';
  readonly reason: string;
  readonly decisionRef: string;
  readonly at: string;
  /** How many events held had their data erased by it. */
  readonly eventsErased: number;
}

export interface SubjectAccessExport {
  /** The person's surviving record, when the subject asked for was merged into it. */
  readonly subjectId: string;
  /** Every record of the person the export holds: the surviving record first, then those merged into it. */
  readonly records: readonly string[];
  readonly generatedAt: string;
  /** Everything held about the subject, oldest first, with corrections and redactions applied. */
  readonly held: readonly HeldEvent[];
  /** The erasures of data about the subject, oldest first: the data itself is gone for good. */
  readonly erasures: readonly ErasureStatement[];
  /**
   * Every restriction of processing made on the person's data (DPA 2018 s.47), oldest first: what
   * was restricted, by which agency and person, when, why and on what basis, which purposes it
   * left open, and when and why it was lifted.
   */
  readonly restrictions: readonly RestrictionStated[];
  /**
   * Every disclosure of the subject's data and every refused attempt at it, oldest first, each cut
   * down to what it says of this subject (`aboutSubject`): never another person's id or data.
   */
  readonly disclosures: readonly SubjectAccessRecord[];
  /** To check a receipt for any of the disclosures against the signed audit log. */
  /** Null only where this process holds no signing key (AUDIT_SIGNING_KEY_FILE). */
  readonly publicKey: string | null;
}

export interface RestrictionStated {
  readonly restrictionId: string;
  readonly agency: string;
  readonly restrictedBy: string;
  readonly restrictedAt: string;
  readonly categories: readonly string[];
  readonly purposesStillAllowed: readonly string[];
  readonly reason: string;
  readonly legalBasis: string;
  readonly lifted: { readonly by: string; readonly at: string; readonly reason: string } | null;
}

/** The restrictions the held events record, each with its lift by the same agency, if any. */
export function restrictionsOf(held: readonly HeldEvent[]): RestrictionStated[] {
  const found = new Map<string, RestrictionStated>();
  for (const event of held) {
    const data = event.data as Record<string, unknown>;
    if (event.type === 'iom.record.restricted.v1' && typeof data.restrictionId === 'string')
      found.set(data.restrictionId, {
        restrictionId: data.restrictionId,
        agency: event.meta.agency,
        restrictedBy: String(data.restrictedBy),
        restrictedAt: event.meta.time,
        categories: data.categories as string[],
        purposesStillAllowed: data.purposes as string[],
        reason: String(data.reason),
        legalBasis: String(data.legalBasis),
        lifted: null,
      });
    const restriction = found.get(String(data.restrictionId));
    if (
      event.type === 'iom.record.restriction-lifted.v1' &&
      restriction &&
      restriction.agency === event.meta.agency &&
      restriction.lifted === null
    )
      found.set(restriction.restrictionId, {
        ...restriction,
        lifted: { by: String(data.liftedBy), at: event.meta.time, reason: String(data.reason) },
      });
  }
  return [...found.values()];
}

/** Who asks for an export or a search, for its own audit record. */
export interface SubjectAccessRequester {
  readonly principal: DisclosureContent['principal'];
  readonly requestId: string | null;
}

/** The requester an authenticated HTTP request (API or page) makes. */
export const requesterOf = (
  principal: Principal,
  request: { readonly id?: unknown },
): SubjectAccessRequester => ({
  principal: { kind: principal.kind, user: principal.id, agency: principal.agency, role: principal.role },
  requestId: typeof request.id === 'string' ? request.id : null,
});

const REGISTER_PAGE = 500;

/**
 * The subject access export (UK GDPR Art 15): what is held about a person and who saw it. The one
 * use case behind the API, the IG console and the CLI: each asks it, and it records the export as a
 * disclosure before handing it over.
 */
@Injectable()
export class SubjectAccessService {
  constructor(
    private readonly events: EventStore,
    private readonly audit: AuditService,
    private readonly identity: IdentityIndex,
  ) {}

  /** The export and the id of its audit record, or undefined when no subject has this id. */
  async export(
    subjectId: string,
    requester: SubjectAccessRequester,
  ): Promise<{ readonly exported: SubjectAccessExport; readonly disclosureId: string } | undefined> {
    const exported = await this.assemble(subjectId);
    if (!exported) return undefined;
    const record = await this.audit.record({
      requestId: requester.requestId,
      principal: requester.principal,
      action: 'subject.access-export',
      outcome: 'disclosed',
      purpose: 'subject-access',
      agreementVersion: null,
      subjects: [subjectAccessDisclosure(exported)],
      refusal: null,
    });
    return { exported, disclosureId: record.content.id };
  }

  /** Everything held about the person, of every record merged into one, and every disclosure of any. */
  private async assemble(subjectId: string): Promise<SubjectAccessExport | undefined> {
    const records = await this.identity.recordsOf(subjectId);
    const held: HeldEvent[] = [];
    for (const record of records)
      held.push(...heldEvents(await this.events.readStream(subjectStream(record))));
    if (held.length === 0) return undefined;
    held.sort((a, b) => a.position - b.position);
    const found: AuditRecord[] = [];
    for (let beforeSeq: number | undefined; ;) {
      const page = await this.audit.store.query({
        subjectId: records,
        limit: REGISTER_PAGE,
        ...(beforeSeq ? { beforeSeq } : {}),
      });
      found.push(...page);
      if (page.length < REGISTER_PAGE) break;
      beforeSeq = page[page.length - 1]!.seq;
    }
    return {
      subjectId: records[0]!,
      records,
      generatedAt: new Date().toISOString(),
      held,
      restrictions: restrictionsOf(held),
      erasures: erasuresIn(held),
      disclosures: found.reverse().map((record) => aboutSubject(record, records)),
      publicKey: this.audit.currentKey?.publicKeyPem ?? null,
    };
  }
}

/** The stream as the corrected timeline every reader is given, with when each event was stored. */
function heldEvents(stream: readonly RecordedEvent[]): HeldEvent[] {
  const published = stream.map(toPublishedEvent);
  const timeline = timelineOf(published.filter((event) => event !== undefined));
  const byId = new Map<string, TimelineEntry>(timeline.map((entry) => [entry.id, entry]));
  return stream.map((event) => {
    // An event outside the catalogue is held all the same; no correction can name it.
    const entry = byId.get(event.id);
    return {
      id: event.id,
      type: event.type,
      revision: event.revision,
      position: event.position,
      recordedAt: event.recordedAt.toISOString(),
      meta: event.metadata as unknown as EventMeta,
      data: entry ? entry.data : event.data,
      ...(entry?.correctedBy ? { correctedBy: entry.correctedBy } : {}),
      ...(entry?.redactedBy ? { redactedBy: entry.redactedBy } : {}),
      ...(entry?.erasedBy ? { erasedBy: entry.erasedBy } : {}),
    };
  });
}

function erasuresIn(held: readonly HeldEvent[]): ErasureStatement[] {
  return held
    .filter((event) => event.type === 'iom.record.erased.v1')
    .map((event) => {
      const data = event.data as { categories?: string[]; reason: string; decisionRef: string };
      return {
        eventId: event.meta.ceId,
        agency: event.meta.agency,
        categories: data.categories ?? 'all',
        reason: data.reason,
        decisionRef: data.decisionRef,
        at: event.meta.time,
        eventsErased: held.filter((other) => other.erasedBy?.eventId === event.id).length,
      };
    });
}

/** What a subject access export discloses, for its audit record: everything held, under Art 15. */
export function subjectAccessDisclosure(exported: SubjectAccessExport): SubjectDisclosure {
  return {
    subjectId: exported.subjectId,
    grounds: [
      {
        rule: 'subject-access',
        basis: 'statute',
        clause: null,
        legalBasis: 'UK GDPR Art 15 (right of access)',
        reliedOn: null,
        categories: [...new Set(exported.held.map((event) => event.meta.category))],
      },
    ],
    fields: {},
    positions: exported.held.map((event) => event.position),
  };
}

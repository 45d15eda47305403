import { Injectable } from '@nestjs/common';
import { type EventMeta, subjectStream } from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { AuditService } from '../../audit.service';
import type { AuditRecord, SubjectDisclosure } from '../../domain/disclosure';

export interface SubjectAccessExport {
  readonly subjectId: string;
  readonly generatedAt: string;
  /** Everything held: every event recorded about the subject, as stored, oldest first. */
  readonly held: readonly {
    id: string;
    type: string;
    revision: number;
    position: number;
    recordedAt: string;
    meta: EventMeta;
    data: unknown;
  }[];
  /** Every disclosure of the subject's data, and every refused attempt, oldest first. */
  readonly disclosures: readonly AuditRecord[];
  /** To check the disclosures against the signed audit log. */
  readonly publicKey: string;
}

/** The subject access export (UK GDPR Art 15): what is held about a person and who saw it. */
@Injectable()
export class SubjectAccessService {
  constructor(
    private readonly events: EventStore,
    private readonly audit: AuditService,
  ) {}

  async export(subjectId: string): Promise<SubjectAccessExport | undefined> {
    const stream = await this.events.readStream(subjectStream(subjectId));
    if (stream.length === 0) return undefined;
    const disclosures: AuditRecord[] = [];
    for (let beforeSeq: number | undefined; ;) {
      const page = await this.audit.store.query({
        subjectId,
        limit: 500,
        ...(beforeSeq ? { beforeSeq } : {}),
      });
      disclosures.push(...page);
      if (page.length < 500) break;
      beforeSeq = page[page.length - 1]!.seq;
    }
    return {
      subjectId,
      generatedAt: new Date().toISOString(),
      held: stream.map((event) => ({
        id: event.id,
        type: event.type,
        revision: event.revision,
        position: event.position,
        recordedAt: event.recordedAt.toISOString(),
        meta: event.metadata as unknown as EventMeta,
        data: event.data,
      })),
      disclosures: disclosures.reverse(),
      publicKey: this.audit.signer.publicKeyPem,
    };
  }
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

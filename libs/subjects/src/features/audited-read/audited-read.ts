import { Injectable } from '@nestjs/common';
import { AuditService, type DisclosureAction, type SubjectDisclosure } from '@throughline/audit';
import { type Principal, RoleGate } from '@throughline/auth';
import type { PurposeOfUse, View } from '@throughline/domain';

/** Who reads, for what purpose, and the request the disclosure record names. */
export interface Reader {
  readonly principal: Principal;
  readonly purpose: PurposeOfUse;
  readonly requestId: string | null;
}

/** The reader behind an HTTP request, API route or page alike. */
export const readerOf = (principal: Principal, purpose: PurposeOfUse, request: object): Reader => {
  // The request log gives every request its id (apps/api/src/request-log.ts).
  const { id } = request as { id?: unknown };
  return { principal, purpose, requestId: typeof id === 'string' ? id : null };
};

/** What one read served, and what its disclosure record says of each subject in it. */
export interface Disclosed<T> {
  readonly result: T;
  readonly subjects: readonly SubjectDisclosure[];
  readonly agreementVersion: string | null;
}

/** A read's answer, given only once the disclosure record it names is durable. */
export interface Audited<T> {
  readonly result: T;
  readonly disclosureId: string;
}

/**
 * The one audited read: the agreement's role rule for the view and purpose first, then the read,
 * then its disclosure record, durable before anything is answered. Every query that serves subject
 * data goes through it, for the API and the pages alike. A refusal is not recorded here: it is
 * recorded where every refusal is, as the problem is answered (RefusalRecorder).
 */
@Injectable()
export class AuditedRead {
  constructor(
    private readonly audit: AuditService,
    private readonly roles: RoleGate,
  ) {}

  async run<T>(
    reader: Reader,
    action: DisclosureAction,
    view: View,
    read: () => Promise<Disclosed<T>>,
  ): Promise<Audited<T>> {
    await this.roles.require(reader.principal, view, reader.purpose);
    const { result, subjects, agreementVersion } = await read();
    const { principal } = reader;
    const record = await this.audit.record({
      requestId: reader.requestId,
      principal: { kind: principal.kind, user: principal.id, agency: principal.agency, role: principal.role },
      action,
      outcome: 'disclosed',
      purpose: reader.purpose,
      agreementVersion,
      subjects,
      refusal: null,
    });
    return { result, disclosureId: record.content.id };
  }
}

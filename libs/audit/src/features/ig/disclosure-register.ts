import { Injectable } from '@nestjs/common';
import { IdentityIndex } from '@throughline/ingestion';
import type { AuditRecord } from '../../domain/disclosure';
import { AuditStore, type AuditQuery } from '../../store/audit-store';

/**
 * The disclosure register as the IG lead searches it, in the API and the pages alike: a search for
 * one subject finds the disclosures of every record of that person, merged records included.
 */
@Injectable()
export class DisclosureRegister {
  constructor(
    private readonly store: AuditStore,
    private readonly identity: IdentityIndex,
  ) {}

  async query(query: AuditQuery): Promise<AuditRecord[]> {
    const { subjectId } = query;
    if (typeof subjectId !== 'string') return this.store.query(query);
    return this.store.query({ ...query, subjectId: await this.identity.recordsOf(subjectId) });
  }
}

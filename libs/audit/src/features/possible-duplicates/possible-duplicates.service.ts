import { Injectable } from '@nestjs/common';
import { subjectStream, timelineOf } from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { IdentityIndex } from '@throughline/ingestion';
import { toPublishedEvent } from '@throughline/projections';
import { AuditService } from '../../audit.service';
import {
  comparableIdentifierValue,
  duplicateDisclosure,
  type PossibleDuplicate,
  possibleDuplicates,
} from '../../domain/possible-duplicates';
import { identityOf, type SubjectFound } from '../../domain/subject-search';
import type { SubjectAccessRequester } from '../subject-access/subject-access.service';

/**
 * The records that may be one person, for the partnership admin, from the identity index: only
 * records sharing a date of birth or an identifier value are read from the log. The list names
 * people, so it is recorded as a disclosure before it is answered.
 */
@Injectable()
export class PossibleDuplicatesService {
  constructor(
    private readonly events: EventStore,
    private readonly identity: IdentityIndex,
    private readonly audit: AuditService,
  ) {}

  async list(
    requester: SubjectAccessRequester,
  ): Promise<{ readonly duplicates: readonly PossibleDuplicate[]; readonly disclosureId: string }> {
    await this.identity.catchUp();
    const identifiers = this.identity.allIdentifiers();
    const byValue = new Map<string, string[]>();
    for (const [subjectId, linked] of identifiers)
      for (const value of new Set(linked.map(comparableIdentifierValue)))
        byValue.set(value, [...(byValue.get(value) ?? []), subjectId]);
    const candidates = new Set([
      ...this.identity.sharedBirthDates().flat(),
      ...[...byValue.values()].filter((group) => group.length > 1).flat(),
    ]);
    const records = [];
    for (const subjectId of [...candidates].sort()) {
      const stream = await this.events.readStream(subjectStream(subjectId));
      const timeline = timelineOf(stream.map(toPublishedEvent).filter((event) => event !== undefined));
      records.push(identityOf(subjectId, timeline, identifiers.get(subjectId) ?? []));
    }
    const { merges } = this.identity;
    const duplicates = possibleDuplicates(
      records,
      (a, b) => merges.recordsOf(a)[0] === merges.recordsOf(b)[0],
    );
    const listed = new Set(duplicates.flatMap((pair) => pair.records.map((record) => record.subjectId)));
    const record = await this.audit.record({
      requestId: requester.requestId,
      principal: requester.principal,
      action: 'identity.possible-duplicates',
      outcome: 'disclosed',
      purpose: 'audit',
      agreementVersion: null,
      subjects: records.filter((found) => listed.has(found.subjectId)).map(duplicateDisclosure),
      refusal: null,
    });
    // What the list shows of each record: who the person is, not where in the log that was read.
    const shown = ({ subjectId, givenName, familyName, dateOfBirth, identifiers: linked }: SubjectFound) => ({
      subjectId,
      givenName,
      familyName,
      dateOfBirth,
      identifiers: linked,
    });
    return {
      duplicates: duplicates.map(({ reasons, records: [a, b] }) => ({
        reasons,
        records: [shown(a), shown(b)],
      })),
      disclosureId: record.content.id,
    };
  }
}

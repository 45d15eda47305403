import { Injectable } from '@nestjs/common';
import { subjectStream, timelineOf } from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { IdentityIndex } from '@throughline/ingestion';
import { toPublishedEvent } from '@throughline/projections';
import { AuditService } from '../../audit.service';
import {
  identityOf,
  matches,
  type SearchPurpose,
  searchDisclosure,
  searchedBy,
  type SubjectFound,
  type SubjectSearch,
} from '../../domain/subject-search';
import type { SubjectAccessRequester } from '../subject-access/subject-access.service';

/** More than this many people of one name and date of birth is not a search, it is a list. */
const MOST_FOUND = 20;

/**
 * Finds a person for the IG lead, through the identity index ingestion resolves subjects by, and
 * records the search as a disclosure before answering: finding someone discloses that the
 * partnership knows them. A search that finds nobody is recorded too.
 */
@Injectable()
export class SubjectSearchService {
  constructor(
    private readonly events: EventStore,
    private readonly identity: IdentityIndex,
    private readonly audit: AuditService,
  ) {}

  async search(
    search: SubjectSearch,
    purpose: SearchPurpose,
    requester: SubjectAccessRequester,
  ): Promise<{ readonly found: readonly SubjectFound[]; readonly disclosureId: string }> {
    // Another process may have registered the person since this one last looked.
    await this.identity.catchUp();
    const people = [];
    for (const subjectId of this.candidates(search)) {
      if (people.length === MOST_FOUND) break;
      const stream = await this.events.readStream(subjectStream(subjectId));
      const timeline = timelineOf(stream.map(toPublishedEvent).filter((event) => event !== undefined));
      const person = identityOf(subjectId, timeline, this.identity.identifiersOf(subjectId));
      if (stream.length > 0 && matches(search, person)) people.push(person);
    }
    const record = await this.audit.record({
      requestId: requester.requestId,
      principal: requester.principal,
      action: 'audit.subject-search',
      outcome: 'disclosed',
      purpose,
      agreementVersion: null,
      search: { by: searchedBy(search) },
      subjects: people.map((person) => searchDisclosure(purpose, person)),
      refusal: null,
    });
    return {
      found: people.map(({ subjectId, givenName, familyName, dateOfBirth, identifiers }) => ({
        subjectId,
        givenName,
        familyName,
        dateOfBirth,
        identifiers,
      })),
      disclosureId: record.content.id,
    };
  }

  private candidates(search: SubjectSearch): readonly string[] {
    if (search.by === 'name-and-birth') return this.identity.bornOn(search.dateOfBirth);
    const { reference } = search;
    if (reference.kind === 'partnership-id')
      return this.identity.hasSubject(reference.id) ? [reference.id] : [];
    const subjectId = this.identity.resolve(reference.identifier);
    return subjectId ? [subjectId] : [];
  }
}

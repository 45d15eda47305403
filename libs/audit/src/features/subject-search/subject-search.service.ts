import { Injectable } from '@nestjs/common';
import { type Principal, RoleGate } from '@throughline/auth';
import { isPartnershipId, subjectStream, timelineOf } from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { IdentityIndex } from '@throughline/ingestion';
import { toPublishedEvent } from '@throughline/projections';
import { AuditService } from '../../audit.service';
import {
  identityOf,
  matches,
  NAME_FIELDS,
  type SearchPurpose,
  searchDisclosure,
  searchedBy,
  type SubjectFound,
  type SubjectNames,
  type SubjectSearch,
} from '../../domain/subject-search';
import { requesterOf, type SubjectAccessRequester } from '../subject-access/subject-access.service';

/** More than this many people of one name and date of birth is not a search, it is a list. */
const MOST_FOUND = 20;

/** More people than a page of the audit tools lists is not a page, it is a trawl. */
export const MOST_NAMED = 200;

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
    private readonly roles: RoleGate,
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

  /**
   * The names of the people the audit tools list by partnership id (break-glass claims, reviews,
   * refusals, register rows): the lookup by partnership id that `search` makes, for the audit
   * purpose, many ids at once and recorded once, showing the name alone. Only for a reader whose role
   * the agreement lets use the audit tools for audit, as `GET /v1/audit/subjects` is; for anyone
   * else nobody is looked up (and the ids stand alone). Ids named twice are looked up once.
   */
  async names(
    subjectIds: readonly string[],
    principal: Principal,
    request: { readonly id?: unknown },
  ): Promise<{ readonly names: SubjectNames; readonly disclosureId: string | null }> {
    const requester = requesterOf(principal, request);
    const ids = [...new Set(subjectIds.filter(isPartnershipId).map((id) => id.toLowerCase()))].slice(
      0,
      MOST_NAMED,
    );
    const allowed = await this.roles.require(principal, 'audit', 'audit').then(
      () => true,
      () => false,
    );
    if (!allowed || ids.length === 0) return { names: new Map(), disclosureId: null };
    await this.identity.catchUp();
    const people = [];
    for (const subjectId of ids) {
      if (!this.identity.hasSubject(subjectId)) continue;
      const stream = await this.events.readStream(subjectStream(subjectId));
      const timeline = timelineOf(stream.map(toPublishedEvent).filter((event) => event !== undefined));
      const person = identityOf(subjectId, timeline, []);
      if (person.givenName !== null || person.familyName !== null) people.push(person);
    }
    const record = await this.audit.record({
      requestId: requester.requestId,
      principal: requester.principal,
      action: 'audit.subject-search',
      outcome: 'disclosed',
      purpose: 'audit',
      agreementVersion: null,
      search: { by: ['partnershipId'] },
      subjects: people.map((person) => searchDisclosure('audit', person, NAME_FIELDS)),
      refusal: null,
    });
    return {
      names: new Map(
        people.map(({ subjectId, givenName, familyName }) => [subjectId, { givenName, familyName }]),
      ),
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

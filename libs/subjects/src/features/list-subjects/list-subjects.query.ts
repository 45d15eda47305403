import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Principal } from '@throughline/auth';
import type { PurposeOfUse } from '@throughline/domain';
import type { SubjectRecord } from '../../domain/subject-record';
import { type DisclosedSubject, SubjectReader } from '../read-subject/subject-reader';

export interface SubjectFilter {
  readonly band?: string;
  readonly cohortClass?: string;
  readonly inCustody?: boolean;
  /** Matches a name or an identifier value, case-insensitively. */
  readonly q?: string;
}

export class ListSubjectsQuery {
  constructor(
    readonly principal: Principal,
    readonly purpose: PurposeOfUse,
    readonly filter: SubjectFilter,
  ) {}
}

export interface SubjectList {
  readonly subjects: readonly SubjectSummary[];
  readonly disclosed: readonly DisclosedSubject[];
  /** Subjects left out because their record is held back pending repair. */
  readonly heldBack: number;
}

export interface SubjectSummary {
  readonly subjectId: string;
  readonly name: string | null;
  readonly band: string | null;
  readonly trend: string | null;
  readonly cohortClass: string | null;
  readonly cohortStatus: string | null;
  readonly inCustody: boolean;
  readonly wanted: boolean;
  readonly openNeeds: readonly string[];
  readonly lastEventAt: string | null;
}

const matches = (record: SubjectRecord, filter: SubjectFilter): boolean => {
  if (filter.band && record.cohort.band !== filter.band) return false;
  if (filter.cohortClass && record.cohort.cohortClass !== filter.cohortClass) return false;
  if (filter.inCustody !== undefined && (record.custody.status === 'in-custody') !== filter.inCustody)
    return false;
  if (filter.q) {
    const needle = filter.q.toLowerCase();
    const name = record.identity
      ? `${record.identity.givenName} ${record.identity.familyName}`.toLowerCase()
      : '';
    if (!name.includes(needle) && !record.identifiers.some((id) => id.value.toLowerCase().includes(needle)))
      return false;
  }
  return true;
};

/** The subjects the caller's agency works with: those it holds a view of. */
@QueryHandler(ListSubjectsQuery)
export class ListSubjectsHandler implements IQueryHandler<ListSubjectsQuery, SubjectList> {
  constructor(private readonly reader: SubjectReader) {}

  async execute({ principal, purpose, filter }: ListSubjectsQuery): Promise<SubjectList> {
    const servable = await this.reader.readServable(principal, purpose);
    const disclosed = servable.subjects.filter((subject) => matches(subject.record, filter));
    const subjects = disclosed
      .map(({ record }) => record)
      .map((record) => ({
        subjectId: record.subjectId,
        name: record.identity ? `${record.identity.givenName} ${record.identity.familyName}` : null,
        band: record.cohort.band,
        trend: record.cohort.trend,
        cohortClass: record.cohort.cohortClass,
        cohortStatus: record.cohort.status,
        inCustody: record.custody.status === 'in-custody',
        wanted: record.wanted !== null,
        openNeeds: record.openNeeds,
        lastEventAt: record.lastEventAt,
      }));
    return { subjects, disclosed, heldBack: servable.heldBack };
  }
}

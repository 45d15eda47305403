import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { DataCategory } from '@throughline/domain';
import type { CategoryBasis, WithheldBasis } from '@throughline/sharing';
import type { ServedRecord } from '../../domain/withheld-record';
import { type Audited, AuditedRead, type Reader } from '../audited-read/audited-read';
import { LIST_FIELDS, subjectDisclosure } from '../disclosure-record';
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
    readonly reader: Reader,
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
  readonly inCustody: boolean | null;
  readonly wanted: boolean | null;
  readonly openNeeds: readonly string[] | null;
  readonly lastEventAt: string | null;
  /** The reader's basis for the categories a summary is drawn from. */
  readonly bases: Readonly<Partial<Record<DataCategory, CategoryBasis>>>;
  /** The summary's fields that are withheld (null), with the basis of each. */
  readonly withheld: Readonly<Partial<Record<keyof typeof SUMMARY_FIELDS, WithheldBasis>>>;
}

/** Each withholdable summary field, and the record field it is read from. */
const SUMMARY_FIELDS = {
  name: 'identity',
  band: 'cohort.band',
  trend: 'cohort.trend',
  cohortClass: 'cohort.cohortClass',
  cohortStatus: 'cohort.status',
  inCustody: 'custody.status',
  wanted: 'wanted',
  openNeeds: 'openNeeds',
} as const;

const SUMMARY_CATEGORIES: readonly DataCategory[] = ['identity', 'cohort', 'custody', 'intelligence'];

/** A filter on a withheld field matches no one: the reader cannot say either way. */
const matches = (record: ServedRecord, filter: SubjectFilter): boolean => {
  if (filter.band && record.cohort.band !== filter.band) return false;
  if (filter.cohortClass && record.cohort.cohortClass !== filter.cohortClass) return false;
  if (
    filter.inCustody !== undefined &&
    (record.custody.status === null || (record.custody.status === 'in-custody') !== filter.inCustody)
  )
    return false;
  if (filter.q) {
    const needle = filter.q.toLowerCase();
    const name = record.identity
      ? `${record.identity.givenName} ${record.identity.familyName}`.toLowerCase()
      : '';
    const identifiers = record.identifiers ?? [];
    if (!name.includes(needle) && !identifiers.some((id) => id.value.toLowerCase().includes(needle)))
      return false;
  }
  return true;
};

const summaryOf = (record: ServedRecord): SubjectSummary => ({
  subjectId: record.subjectId,
  name: record.identity ? `${record.identity.givenName} ${record.identity.familyName}` : null,
  band: record.cohort.band,
  trend: record.cohort.trend,
  cohortClass: record.cohort.cohortClass,
  cohortStatus: record.cohort.status,
  inCustody: 'custody.status' in record.withheld ? null : record.custody.status === 'in-custody',
  wanted: 'wanted' in record.withheld ? null : record.wanted !== null,
  openNeeds: record.openNeeds,
  lastEventAt: record.lastEventAt,
  bases: Object.fromEntries(SUMMARY_CATEGORIES.map((category) => [category, record.bases[category]])),
  withheld: Object.fromEntries(
    Object.entries(SUMMARY_FIELDS).flatMap(([summary, path]) => {
      const basis = record.withheld[path];
      return basis ? [[summary, basis]] : [];
    }),
  ),
});

/** The subjects the caller's agency works with: those it holds a view of. */
@QueryHandler(ListSubjectsQuery)
export class ListSubjectsHandler implements IQueryHandler<ListSubjectsQuery, Audited<SubjectList>> {
  constructor(
    private readonly subjects: SubjectReader,
    private readonly audited: AuditedRead,
  ) {}

  execute({ reader, filter }: ListSubjectsQuery): Promise<Audited<SubjectList>> {
    return this.audited.run(reader, 'subject.list', 'subjects', async () => {
      const servable = await this.subjects.readServable(reader.principal, reader.purpose);
      const disclosed = servable.subjects.filter((subject) => matches(subject.record, filter));
      return {
        result: {
          subjects: disclosed.map(({ record }) => summaryOf(record)),
          disclosed,
          heldBack: servable.heldBack,
        },
        // A list shows only its summary fields, so only they are named as disclosed.
        subjects: disclosed.map((subject) =>
          subjectDisclosure(subject.subjectId, subject.entries, {
            onlyCategories: Object.keys(LIST_FIELDS),
            fields: LIST_FIELDS,
            withEvents: false,
          }),
        ),
        agreementVersion: disclosed[0]?.agreementVersion ?? null,
      };
    });
  }
}

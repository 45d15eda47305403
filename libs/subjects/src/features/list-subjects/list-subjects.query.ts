import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { DataCategory } from '@throughline/domain';
import { ProblemException } from '@throughline/platform';
import { ReadModelStore } from '@throughline/projections';
import { AgreementService, type CategoryBasis, mayList, type WithheldBasis } from '@throughline/sharing';
import { CASELOADS, type CaseloadEntry, caseloadPrefix } from '../../projections/caseloads.projection';
import type { ServedRecord } from '../../domain/withheld-record';
import { type Audited, AuditedRead, type Reader } from '../audited-read/audited-read';
import { LIST_FIELDS, subjectDisclosure } from '../disclosure-record';
import { type DisclosedSubject, SubjectReader } from '../read-subject/subject-reader';
import { DEFAULT_LIST_LIMIT, type ListPage, listCursor } from './list-page';

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
    readonly page: ListPage = { scope: 'caseload', limit: DEFAULT_LIST_LIMIT },
  ) {}
}

export interface SubjectList {
  readonly subjects: readonly SubjectSummary[];
  readonly disclosed: readonly DisclosedSubject[];
  /** Resumes the list after this page; null on its last page. */
  readonly nextCursor: string | null;
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

/**
 * The subjects the caller's agency works with (its caseload, see `caseloadsProjection`), or, where
 * the agreement allows the reader (`mayList`), every subject it holds a view of: a page at a time
 * in subject-id order, each page one disclosure record naming only the subjects on it.
 */
@QueryHandler(ListSubjectsQuery)
export class ListSubjectsHandler implements IQueryHandler<ListSubjectsQuery, Audited<SubjectList>> {
  constructor(
    private readonly subjects: SubjectReader,
    private readonly audited: AuditedRead,
    private readonly readModels: ReadModelStore,
    private readonly agreements: AgreementService,
  ) {}

  execute({ reader, filter, page }: ListSubjectsQuery): Promise<Audited<SubjectList>> {
    return this.audited.run(reader, 'subject.list', 'subjects', async () => {
      const { principal } = reader;
      const agreement = await this.agreements.current();
      if (!mayList(agreement, principal, page.scope)) {
        throw new ProblemException(
          403,
          'list-scope',
          'List scope not allowed',
          'The agreement does not let your agency and role list beyond its caseload',
        );
      }
      const caseload =
        page.scope === 'caseload'
          ? new Set(
              (await this.readModels.list<CaseloadEntry>(CASELOADS, caseloadPrefix(principal.agency))).map(
                (entry) => entry.subjectId,
              ),
            )
          : null;
      // One more than the page holds says whether another page follows.
      const servable = await this.subjects.readServable(principal, reader.purpose, new Date(), {
        includes: (subjectId) => caseload === null || caseload.has(subjectId),
        ...(page.after === undefined ? {} : { after: page.after }),
        matches: (subject) => matches(subject.record, filter),
        limit: page.limit + 1,
      });
      const disclosed = servable.subjects.slice(0, page.limit);
      const last = disclosed[disclosed.length - 1];
      return {
        result: {
          subjects: disclosed.map(({ record }) => summaryOf(record)),
          disclosed,
          nextCursor: servable.subjects.length > page.limit && last ? listCursor(last.subjectId) : null,
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
        // An empty page was still read under the agreement in force.
        agreementVersion: disclosed[0]?.agreementVersion ?? agreement?.version ?? null,
      };
    });
  }
}
